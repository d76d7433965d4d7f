// mutex(9) scenarios: a driver's spin mutex shared by threads on both CPUs
// and the device's interrupt handler, each correct shape with the bug
// variants of SEMANTICS.md ("Spin mutexes"). All on hardware-masking spl.
//
//   spin_counter / acquire_before_raise        raise, then spin (or not)
//   spin_counter_pso                           the same, judged under PSO
//   nested / restore_on_inner_release          two nested spin mutexes
//   owned_helper / recursion                   a _locked helper vs "locking
//                                              against myself"
//   lock_order / lock_order_inversion          two CPUs, two mutexes
//   hand_rolled_release_fixed /                a driver's own lock word,
//   hand_rolled_release                        with/without membar_release
//   adaptive_counter / adaptive_in_intr        mutex_enter on IPL_NONE
//
// About the "preamble" loops: under the random scheduler an interrupt
// source fires early (its raise is one of few choices at every step), so a
// thread first does unrelated work and its critical section usually comes
// after the interrupt. The lock-shaped bugs are then predicted by lockdep
// on executions that ran clean, and actually deadlock on the rarer
// schedules where the interrupt or the other CPU lands in the window
// (docs/targets.md gives both numbers).
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/spin_mutex/cpu_info.h"
#include "targets/spin_mutex/mutex.h"
#include "targets/spl/hard_spl.h"

namespace smp::spin_mutex {
namespace {

using spl::HardSpl;
using spl::IPL_NONE;
using spl::IPL_VM;
using spl::kLevelVm;

// The machine-level objects every scenario here starts from.
struct Kernel {
  explicit Kernel(Machine& m) : spl(m), ci(m, spl) {}
  HardSpl spl;
  CpuInfo ci;
};

// ---------------------------------------------------------------------------
// sc_lock (IPL_VM) protects a counter that both CPUs' threads and the
// device's handler (IPL_VM, delivered to either CPU) increment. Each thread
// first prepares its work (a few private updates).
class SpinCounter : public Scenario {
 public:
  static constexpr int kRounds = 2;
  static constexpr int kPreamble = 4;

  SpinCounter(Machine& m, MutexBugs bugs)
      : k_(m),
        sc_lock_(k_.ci, "sc_lock", IPL_VM, bugs),
        counter_(m, "sc_count"),
        intrs_(m, "sc_intrs"),
        prep_(m, "prep") {
    const int dev = k_.spl.Establish("dev", kLevelVm, [this] {
      mutex_spin_enter(sc_lock_);
      counter_.Store(counter_.Load() + 1);
      intrs_.Store(intrs_.Load() + 1);
      mutex_spin_exit(sc_lock_);
    });
    m.AddSource(dev, 2, 0b11);
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this] {
        for (int i = 0; i < kPreamble; ++i) prep_.Store(prep_.Load() + 1);
        for (int i = 0; i < kRounds; ++i) {
          mutex_spin_enter(sc_lock_);
          counter_.Store(counter_.Load() + 1);
          mutex_spin_exit(sc_lock_);
        }
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, counter_.Peek() == 2 * kRounds + intrs_.Peek(),
               "no increment of sc_count is lost");
    SMP_ASSERT(m, k_.ci.AllReleased(), "every CPU released its spin mutexes");
  }

 private:
  Kernel k_;
  Kmutex sc_lock_;
  Shared<int> counter_, intrs_, prep_;
};

struct SpinCounterOk : SpinCounter {
  explicit SpinCounterOk(Machine& m) : SpinCounter(m, {}) {}
};
struct AcquireBeforeRaise : SpinCounter {
  explicit AcquireBeforeRaise(Machine& m)
      : SpinCounter(m, MutexBugs{.acquire_before_raise = true}) {}
};

SMP_SCENARIO(SpinCounterOk, "spin_mutex", "spin_counter", VerdictKind::kClean,
             2, 6000,
             "sc_lock at IPL_VM shared by both CPUs and the device handler");
SMP_SCENARIO_MODEL(SpinCounterOk, "spin_mutex", "spin_counter_pso",
                   VerdictKind::kClean, 2, 6000, MemoryModel::kPSO,
                   "spin_counter under PSO: the mutex's barriers order the "
                   "critical sections");
SMP_SCENARIO(AcquireBeforeRaise, "spin_mutex", "acquire_before_raise",
             VerdictKind::kIplUnsafe, 2, 6000,
             "mutex_spin_enter takes the lock, then raises to IPL_VM: the "
             "device interrupt can land in between and spin on its own CPU");

// ---------------------------------------------------------------------------
// Two nested spin mutexes: sc_lock (shared with the device handler) and
// stat_lock. t0 releases them innermost first and then still works under
// sc_lock; t1 releases them outermost first (allowed: the IPL stays raised
// until the last is released). t0 first does other work.
class Nested : public Scenario {
 public:
  static constexpr int kPreamble = 16;

  Nested(Machine& m, MutexBugs bugs)
      : k_(m),
        sc_lock_(k_.ci, "sc_lock", IPL_VM, bugs),
        stat_lock_(k_.ci, "stat_lock", IPL_VM, bugs),
        data_(m, "sc_data"),
        stats_(m, "stats"),
        intrs_(m, "sc_intrs"),
        prep_(m, "prep") {
    const int dev = k_.spl.Establish("dev", kLevelVm, [this] {
      mutex_spin_enter(sc_lock_);
      data_.Store(data_.Load() + 1);
      intrs_.Store(intrs_.Load() + 1);
      mutex_spin_exit(sc_lock_);
    });
    m.AddSource(dev, 1, 0b11);
    m.AddThread("t0", 0, [this] {
      for (int i = 0; i < kPreamble; ++i) prep_.Store(prep_.Load() + 1);
      mutex_spin_enter(sc_lock_);
      mutex_spin_enter(stat_lock_);
      stats_.Store(stats_.Load() + 1);
      mutex_spin_exit(stat_lock_);
      data_.Store(data_.Load() + 1);  // still under sc_lock
      mutex_spin_exit(sc_lock_);
    });
    m.AddThread("t1", 1, [this] {
      mutex_spin_enter(sc_lock_);
      mutex_spin_enter(stat_lock_);
      data_.Store(data_.Load() + 1);
      mutex_spin_exit(sc_lock_);
      stats_.Store(stats_.Load() + 1);  // still under stat_lock
      mutex_spin_exit(stat_lock_);
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, data_.Peek() == 2 + intrs_.Peek(),
               "no increment of sc_data is lost");
    SMP_ASSERT(m, stats_.Peek() == 2, "no increment of stats is lost");
    SMP_ASSERT(m, k_.ci.AllReleased(), "every CPU released its spin mutexes");
  }

 private:
  Kernel k_;
  Kmutex sc_lock_, stat_lock_;
  Shared<int> data_, stats_, intrs_, prep_;
};

struct NestedOk : Nested {
  explicit NestedOk(Machine& m) : Nested(m, {}) {}
};
struct RestoreOnInnerRelease : Nested {
  explicit RestoreOnInnerRelease(Machine& m)
      : Nested(m, MutexBugs{.restore_on_inner_release = true}) {}
};

SMP_SCENARIO(NestedOk, "spin_mutex", "nested", VerdictKind::kClean, 2, 6000,
             "two nested spin mutexes, released in either order");
SMP_SCENARIO(RestoreOnInnerRelease, "spin_mutex", "restore_on_inner_release",
             VerdictKind::kIplUnsafe, 2, 6000,
             "releasing the inner spin mutex restores the saved IPL: sc_lock "
             "is then held at IPL_NONE");

// ---------------------------------------------------------------------------
// A driver routine called with sc_lock held. The correct one is the
// _locked variant that asserts the lock is held; the bug calls the public
// entry point, which takes sc_lock again.
class Helper : public Scenario {
 public:
  Helper(Machine& m, bool recurse)
      : k_(m), sc_lock_(k_.ci, "sc_lock", IPL_VM), count_(m, "sc_count") {
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this, &m, recurse] {
        mutex_spin_enter(sc_lock_);
        if (recurse) {
          Update();
        } else {
          UpdateLocked(m);
        }
        mutex_spin_exit(sc_lock_);
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, count_.Peek() == 2, "both updates happened");
  }

 private:
  void Update() {  // the public entry point
    mutex_spin_enter(sc_lock_);
    count_.Store(count_.Load() + 1);
    mutex_spin_exit(sc_lock_);
  }
  void UpdateLocked(Machine& m) {
    SMP_ASSERT(m, mutex_owned(sc_lock_), "KASSERT(mutex_owned(&sc_lock))");
    count_.Store(count_.Load() + 1);
  }

  Kernel k_;
  Kmutex sc_lock_;
  Shared<int> count_;
};

struct OwnedHelper : Helper {
  explicit OwnedHelper(Machine& m) : Helper(m, false) {}
};
struct Recursion : Helper {
  explicit Recursion(Machine& m) : Helper(m, true) {}
};

SMP_SCENARIO(OwnedHelper, "spin_mutex", "owned_helper", VerdictKind::kClean, 2,
             4000, "sc_update_locked() under sc_lock, KASSERT(mutex_owned)");
SMP_SCENARIO(Recursion, "spin_mutex", "recursion", VerdictKind::kLockMisuse, 2,
             4000,
             "sc_update() called with sc_lock held takes it again: locking "
             "against myself");

// ---------------------------------------------------------------------------
// Two CPUs take two spin mutexes; the bug takes them in opposite orders.
// t1 first does some unrelated work, so the two critical sections rarely
// overlap: lockdep predicts the deadlock long before a schedule hits it.
class Order : public Scenario {
 public:
  static constexpr int kPreamble = 12;

  Order(Machine& m, bool inverted)
      : k_(m),
        sc_lock_(k_.ci, "sc_lock", IPL_VM),
        sc_intr_lock_(k_.ci, "sc_intr_lock", IPL_VM),
        rx_(m, "rx"),
        tx_(m, "tx"),
        local_(m, "t1_local") {
    m.AddThread("t0", 0, [this] { Both(sc_lock_, sc_intr_lock_, rx_); });
    m.AddThread("t1", 1, [this, inverted] {
      for (int i = 0; i < kPreamble; ++i) local_.Store(local_.Load() + 1);
      if (inverted) {
        Both(sc_intr_lock_, sc_lock_, tx_);
      } else {
        Both(sc_lock_, sc_intr_lock_, tx_);
      }
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, rx_.Peek() == 1 && tx_.Peek() == 1, "both sections ran");
  }

 private:
  void Both(Kmutex& first, Kmutex& second, Shared<int>& data) {
    mutex_spin_enter(first);
    mutex_spin_enter(second);
    data.Store(data.Load() + 1);
    mutex_spin_exit(second);
    mutex_spin_exit(first);
  }

  Kernel k_;
  Kmutex sc_lock_, sc_intr_lock_;
  Shared<int> rx_, tx_, local_;
};

struct LockOrder : Order {
  explicit LockOrder(Machine& m) : Order(m, false) {}
};
struct LockOrderInversion : Order {
  explicit LockOrderInversion(Machine& m) : Order(m, true) {}
};

SMP_SCENARIO(LockOrder, "spin_mutex", "lock_order", VerdictKind::kClean, 2,
             4000, "both CPUs take sc_lock, then sc_intr_lock");
SMP_SCENARIO(LockOrderInversion, "spin_mutex", "lock_order_inversion",
             VerdictKind::kLockOrder, 2, 4000,
             "CPU0 takes sc_lock then sc_intr_lock, CPU1 the reverse");

// ---------------------------------------------------------------------------
// A driver that rolled its own spin lock out of atomics (at IPL_VM by
// hand): CAS to take it, membar_acquire after; the release must put
// membar_release before the store that frees the word, or under PSO the
// freeing store can become visible before the critical section's stores.
class HandRolled : public Scenario {
 public:
  HandRolled(Machine& m, bool release_barrier)
      : m_(m), spl_(m), busy_(m, "sc_busy"), count_(m, "sc_count") {
    lock_ = m.AddLock("sc_busy", busy_);
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this, release_barrier] {
        const spl::SplMask s = spl_.splvm();
        while (!busy_.Cas(0, 1)) busy_.SpinWhile(1);
        m_.LockAcquired(lock_);
        m_.Membar(Barrier::kAcquire);
        count_.Store(count_.Load() + 1);
        m_.LockReleased(lock_);
        if (release_barrier) m_.Membar(Barrier::kRelease);
        busy_.Store(0);
        spl_.splx(s);
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, count_.Peek() == 2, "no increment of sc_count is lost");
  }

 private:
  Machine& m_;
  HardSpl spl_;
  Shared<int> busy_, count_;
  int lock_ = -1;
};

struct HandRolledFixed : HandRolled {
  explicit HandRolledFixed(Machine& m) : HandRolled(m, true) {}
};
struct HandRolledNoRelease : HandRolled {
  explicit HandRolledNoRelease(Machine& m) : HandRolled(m, false) {}
};

SMP_SCENARIO_MODEL(HandRolledFixed, "spin_mutex", "hand_rolled_release_fixed",
                   VerdictKind::kClean, 2, 4000, MemoryModel::kPSO,
                   "hand-rolled lock word: membar_release before the freeing "
                   "store (PSO)");
SMP_SCENARIO_MODEL(HandRolledNoRelease, "spin_mutex", "hand_rolled_release",
                   VerdictKind::kMembarMisuse, 2, 4000, MemoryModel::kPSO,
                   "hand-rolled lock word freed without membar_release: the "
                   "next holder reads a stale count (PSO)");

// ---------------------------------------------------------------------------
// mutex_enter on an IPL_NONE mutex makes it adaptive: threads on both CPUs
// and a migratable one sleep on it when it is busy. The device handler
// keeps its own statistics under a spin mutex; the bug has it take the
// adaptive mutex instead, which a hard interrupt must never do.
class Adaptive : public Scenario {
 public:
  Adaptive(Machine& m, bool intr_takes_adaptive)
      : k_(m),
        vlock_(k_.ci, "vnode_lock", IPL_NONE),
        intr_lock_(k_.ci, "intr_lock", IPL_VM),
        count_(m, "v_count"),
        intrs_(m, "intrs") {
    const int dev = k_.spl.Establish("dev", kLevelVm, [this,
                                                       intr_takes_adaptive] {
      Kmutex& lock = intr_takes_adaptive ? vlock_ : intr_lock_;
      mutex_enter(lock);
      intrs_.Store(intrs_.Load() + 1);
      mutex_exit(lock);
    });
    m.AddSource(dev, 1, 0b11);
    const int cpus[] = {0, 1, kAnyCpu};
    for (int i = 0; i < 3; ++i) {
      m.AddThread("t" + std::to_string(i), cpus[i], [this, &m] {
        for (int r = 0; r < 2; ++r) {
          mutex_enter(vlock_);
          const int v = count_.Load();
          m.Yield();
          count_.Store(v + 1);
          mutex_exit(vlock_);
        }
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, count_.Peek() == 6, "no increment of v_count is lost");
  }

 private:
  Kernel k_;
  Kmutex vlock_, intr_lock_;
  Shared<int> count_, intrs_;
};

struct AdaptiveCounter : Adaptive {
  explicit AdaptiveCounter(Machine& m) : Adaptive(m, false) {}
};
struct AdaptiveInIntr : Adaptive {
  explicit AdaptiveInIntr(Machine& m) : Adaptive(m, true) {}
};

SMP_SCENARIO(AdaptiveCounter, "spin_mutex", "adaptive_counter",
             VerdictKind::kClean, 2, 8000,
             "an adaptive mutex (IPL_NONE) contended by three threads that "
             "sleep on it");
SMP_SCENARIO(AdaptiveInIntr, "spin_mutex", "adaptive_in_intr",
             VerdictKind::kLockMisuse, 2, 8000,
             "the device's hard interrupt handler takes the adaptive mutex");

}  // namespace
}  // namespace smp::spin_mutex
