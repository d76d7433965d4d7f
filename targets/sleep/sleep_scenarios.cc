// The sleep target's scenarios (see sleep.h).
//
//   cv_handoff / check_unlock_sleep    a consumer waiting for a producer
//   cv_loop / cv_no_loop               two consumers, one broadcast per item
//   mtsleep_interlocked                tsleep with its interlock, correct
//   mutex_exit_no_barrier              the turnstile race in mutex_exit (TSO)
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/sleep/sleep.h"

namespace smp::sleep {
namespace {

// One item handed from a producer to a consumer under a mutex. The correct
// consumer waits on a condvar in a loop; the buggy one checks, drops the
// lock and then sleeps with tsleep: a wakeup in between is lost.
class Handoff : public Scenario {
 public:
  Handoff(Machine& m, bool buggy, bool exit_barrier = true)
      : m_(m), mtx_(m, "sc_lock", exit_barrier), cv_(m, "sc_cv"), chan_(m, "sc_chan"),
        ready_(m, "ready") {
    m.AddThread("producer", 0, [this, buggy] {
      mtx_.mutex_enter();
      ready_.Store(1);
      if (!buggy) cv_.cv_signal();
      mtx_.mutex_exit();
      if (buggy) chan_.wakeup();
    });
    m.AddThread("consumer", 1, [this, buggy] {
      mtx_.mutex_enter();
      if (buggy) {
        if (ready_.Load() == 0) {
          mtx_.mutex_exit();
          chan_.tsleep();  // check, unlock, sleep: the classic lost wakeup
          mtx_.mutex_enter();
        }
      } else {
        while (ready_.Load() == 0) cv_.cv_wait(mtx_);
      }
      SMP_ASSERT(m_, ready_.Load() == 1, "woken with the item ready");
      mtx_.mutex_exit();
    });
  }

 private:
  Machine& m_;
  AdaptiveMutex mtx_;
  CondVar cv_;
  WaitChannel chan_;
  Shared<int> ready_;
};
struct CvHandoff : Handoff {
  explicit CvHandoff(Machine& m) : Handoff(m, false) {}
};
struct CheckUnlockSleep : Handoff {
  explicit CheckUnlockSleep(Machine& m) : Handoff(m, true) {}
};
struct ExitNoBarrier : Handoff {
  explicit ExitNoBarrier(Machine& m) : Handoff(m, false, false) {}
};
SMP_SCENARIO(CvHandoff, "sleep", "cv_handoff", VerdictKind::kClean, 2, 4000,
             "consumer waits with cv_wait in a loop under the mutex");
SMP_SCENARIO_MODEL(ExitNoBarrier, "sleep", "mutex_exit_no_barrier",
                   VerdictKind::kMembarMisuse, 2, 4000, MemoryModel::kTSO,
                   "adaptive mutex_exit reads the waiter count without "
                   "membar_sync after its releasing store");
SMP_SCENARIO(CheckUnlockSleep, "sleep", "check_unlock_sleep",
             VerdictKind::kLostWakeup, 2, 4000,
             "consumer checks, drops the mutex, then tsleeps: the wakeup can "
             "come in between");

// Two consumers, two items produced one at a time, each announced with
// cv_broadcast. A consumer that waits with `if` instead of `while` can
// wake to find the item already taken by the other.
class TwoConsumers : public Scenario {
 public:
  TwoConsumers(Machine& m, bool loop)
      : m_(m), mtx_(m, "q_lock"), cv_(m, "q_cv"), items_(m, "items") {
    m.AddThread("producer", 0, [this] {
      for (int i = 0; i < 2; ++i) {
        mtx_.mutex_enter();
        items_.Store(items_.Load() + 1);
        cv_.cv_broadcast();
        mtx_.mutex_exit();
      }
    });
    for (int c = 1; c <= 2; ++c) {
      m.AddThread("consumer" + std::to_string(c), c, [this, loop] {
        mtx_.mutex_enter();
        if (loop) {
          while (items_.Load() == 0) cv_.cv_wait(mtx_);
        } else if (items_.Load() == 0) {
          cv_.cv_wait(mtx_);
        }
        SMP_ASSERT(m_, items_.Load() > 0, "an item to take after waking");
        items_.Store(items_.Load() - 1);
        mtx_.mutex_exit();
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, items_.Peek() == 0, "every item consumed once");
  }

 private:
  Machine& m_;
  AdaptiveMutex mtx_;
  CondVar cv_;
  Shared<int> items_;
};
struct CvLoop : TwoConsumers {
  explicit CvLoop(Machine& m) : TwoConsumers(m, true) {}
};
struct CvNoLoop : TwoConsumers {
  explicit CvNoLoop(Machine& m) : TwoConsumers(m, false) {}
};
SMP_SCENARIO(CvLoop, "sleep", "cv_loop", VerdictKind::kClean, 3, 6000,
             "two consumers re-check the queue in a loop around cv_wait");
SMP_SCENARIO(CvNoLoop, "sleep", "cv_no_loop", VerdictKind::kAssertion, 3, 6000,
             "two consumers wait with `if`, not `while`, around cv_wait");

// mtsleep with its interlock: the same handoff as check_unlock_sleep, done
// right with the old interface.
class Interlocked : public Scenario {
 public:
  explicit Interlocked(Machine& m)
      : m_(m), mtx_(m, "sc_lock"), chan_(m, "sc_chan"), ready_(m, "ready") {
    m.AddThread("producer", 0, [this] {
      mtx_.mutex_enter();
      ready_.Store(1);
      mtx_.mutex_exit();
      chan_.wakeup();
    });
    m.AddThread("consumer", 1, [this] {
      mtx_.mutex_enter();
      while (ready_.Load() == 0) chan_.mtsleep(mtx_);
      mtx_.mutex_exit();
    });
  }

 private:
  Machine& m_;
  AdaptiveMutex mtx_;
  WaitChannel chan_;
  Shared<int> ready_;
};
SMP_SCENARIO(Interlocked, "sleep", "mtsleep_interlocked", VerdictKind::kClean, 2,
             4000, "mtsleep releases the interlock atomically with sleeping");

}  // namespace
}  // namespace smp::sleep
