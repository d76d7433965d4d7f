// The demo target: the three classic shapes the core must judge, each with
// a correct twin, written directly against the core (no spl, no mutex(9)
// model). They stand in for real targets in the README's first command.
//
//   abba_deadlock / abba_ordered           lock order between two CPUs
//   intr_self_deadlock / intr_masked       a handler wanting its CPU's lock
//   lost_wakeup / wakeup_interlocked       sleep racing with wakeup
//   racy_counter / spinlock_counter        a counter with and without a lock
//
// With lockdep attached (the default), abba_deadlock and intr_self_deadlock
// are first reported as predictions (lock_order, ipl_unsafe) on executions
// that did not deadlock; an execution that does deadlock still ends as a
// deadlock. tests/demo_test.cc checks both.
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/demo/demo_lock.h"

namespace smp::demo {
namespace {

// Two CPUs each take both locks; `ordered` makes them agree on the order.
class Abba : public Scenario {
 public:
  Abba(Machine& m, bool ordered) : a_(m, "A"), b_(m, "B"), shared_(m, "shared") {
    m.AddThread("t0", 0, [this] { Critical(a_, b_, 1); });
    m.AddThread("t1", 1, [this, ordered] {
      if (ordered) {
        Critical(a_, b_, 2);
      } else {
        Critical(b_, a_, 2);
      }
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, shared_.Peek() == 3, "both critical sections ran");
  }

 private:
  void Critical(SpinLock& first, SpinLock& second, int bit) {
    first.Lock();
    second.Lock();
    shared_.Store(shared_.Load() | bit);
    second.Unlock();
    first.Unlock();
  }
  SpinLock a_, b_;
  Shared<int> shared_;
};

struct AbbaDeadlock : Abba {
  explicit AbbaDeadlock(Machine& m) : Abba(m, false) {}
};
struct AbbaOrdered : Abba {
  explicit AbbaOrdered(Machine& m) : Abba(m, true) {}
};

SMP_SCENARIO(AbbaDeadlock, "demo", "abba_deadlock", VerdictKind::kLockOrder, 2,
             2000, "CPU0 takes A then B, CPU1 takes B then A");
SMP_SCENARIO(AbbaOrdered, "demo", "abba_ordered", VerdictKind::kClean, 2, 2000,
             "both CPUs take A then B");

// A thread and an interrupt handler share a lock on each CPU. Unless the
// thread masks the handler's level while it holds the lock, the handler can
// interrupt the holder and spin forever on its own CPU.
class IntrLock : public Scenario {
 public:
  static constexpr int kLevel = 5;

  IntrLock(Machine& m, bool masked)
      : m_(m), lock_(m, "sc_lock"), count_(m, "count") {
    const int line = m.AddLine("dev", kLevel, [this] { Bump(); });
    m.AddSource(line, 2, 0b11);
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this, masked] {
        for (int i = 0; i < 2; ++i) {
          int old = 0;
          if (masked) {
            old = m_.mask();
            m_.SetMask(kLevel);
          }
          Bump();
          if (masked) m_.SetMask(old);
        }
      });
    }
  }

 private:
  void Bump() {
    lock_.Lock();
    count_.Store(count_.Load() + 1);
    lock_.Unlock();
  }
  Machine& m_;
  SpinLock lock_;
  Shared<int> count_;
};

struct IntrSelfDeadlock : IntrLock {
  explicit IntrSelfDeadlock(Machine& m) : IntrLock(m, false) {}
};
struct IntrMasked : IntrLock {
  explicit IntrMasked(Machine& m) : IntrLock(m, true) {}
};

SMP_SCENARIO(IntrSelfDeadlock, "demo", "intr_self_deadlock",
             VerdictKind::kIplUnsafe, 2, 4000,
             "a thread holds a lock its CPU's interrupt handler also takes, "
             "without masking the handler");
SMP_SCENARIO(IntrMasked, "demo", "intr_masked", VerdictKind::kClean, 2, 4000,
             "the thread raises the CPU mask to the handler's level around "
             "the lock");

// A consumer sleeps until a producer sets `ready`. The buggy consumer
// checks and then parks, so a wakeup landing in between is lost; the
// correct one parks only if `ready` is still clear, atomically.
class Wakeup : public Scenario {
 public:
  Wakeup(Machine& m, bool interlocked) : ready_(m, "ready") {
    m.MarkAtomic(ready_);  // a flag: atomic_load/atomic_store in a kernel
    const int chan = m.AddChannel("ready_chan");
    m.AddThread("producer", 0, [&m, this, chan] {
      m.Yield();
      ready_.Store(1);
      m.Unpark(chan);
    });
    m.AddThread("consumer", 1, [&m, this, chan, interlocked] {
      if (interlocked) {
        while (ready_.Load() == 0) m.ParkWhile(chan, ready_, 0);
      } else if (ready_.Load() == 0) {
        m.Park(chan);
      }
    });
  }

 private:
  Shared<int> ready_;
};

struct LostWakeup : Wakeup {
  explicit LostWakeup(Machine& m) : Wakeup(m, false) {}
};
struct WakeupInterlocked : Wakeup {
  explicit WakeupInterlocked(Machine& m) : Wakeup(m, true) {}
};

SMP_SCENARIO(LostWakeup, "demo", "lost_wakeup", VerdictKind::kLostWakeup, 2,
             2000, "the consumer checks the flag, then parks: a wakeup in "
                   "between is lost");
SMP_SCENARIO(WakeupInterlocked, "demo", "wakeup_interlocked",
             VerdictKind::kClean, 2, 2000,
             "the consumer parks only if the flag is still clear, atomically");

// N CPUs each do kRounds increments of a shared counter, with or without
// a CAS spin lock; the final check wants every increment. The locked one is
// the workload the performance benchmark measures.
class Counter : public Scenario {
 public:
  static constexpr int kCpus = 4;
  static constexpr int kRounds = 10;

  Counter(Machine& m, bool locked) : lock_(m, "lock"), counter_(m, "counter") {
    for (int cpu = 0; cpu < m.num_cpus(); ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this, locked] {
        for (int i = 0; i < kRounds; ++i) {
          if (locked) lock_.Lock();
          counter_.Store(counter_.Load() + 1);
          if (locked) lock_.Unlock();
        }
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, counter_.Peek() == m.num_cpus() * kRounds,
               "no increment is lost");
  }

 private:
  SpinLock lock_;
  Shared<int> counter_;
};

struct RacyCounter : Counter {
  explicit RacyCounter(Machine& m) : Counter(m, false) {}
};
struct SpinlockCounter : Counter {
  explicit SpinlockCounter(Machine& m) : Counter(m, true) {}
};

SMP_SCENARIO(RacyCounter, "demo", "racy_counter", VerdictKind::kAssertion,
             Counter::kCpus, 20000, "4 CPUs increment a counter without a lock");
SMP_SCENARIO(SpinlockCounter, "demo", "spinlock_counter", VerdictKind::kClean,
             Counter::kCpus, 20000,
             "4 CPUs x 10 critical sections of a CAS spin lock (the benchmark)");


}  // namespace
}  // namespace smp::demo
