// kernel_lock scenarios: the giant lock taken recursively by threads and on
// behalf of non-MPSAFE interrupt handlers, and the deadlock that mixing it
// with a converted (MPSAFE) driver's own lock hides.
//
//   giant                      threads and a non-MPSAFE handler under
//                              kernel_lock (+ splvm against the handler on
//                              the same CPU)
//   kernel_lock_mpsafe /       a driver converted to sc_lock whose timer
//   kernel_lock_mixed          handler is MPSAFE (or, the bug, not)
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/spin_mutex/cpu_info.h"
#include "targets/spin_mutex/kernel_lock.h"
#include "targets/spin_mutex/mutex.h"
#include "targets/spl/hard_spl.h"

namespace smp::spin_mutex {
namespace {

using spl::HardSpl;

struct Kernel {
  explicit Kernel(Machine& m) : spl(m), ci(m, spl), kernel_lock(ci) {}
  HardSpl spl;
  CpuInfo ci;
  KernelLock kernel_lock;
};

// A non-MPSAFE device handler (kernel_lock taken for it) and threads on
// both CPUs that hold kernel_lock, re-enter it from a routine that takes it
// itself, and raise to splvm against the handler on their own CPU (the
// giant lock does not exclude an interrupt of its holder's CPU: that CPU
// re-enters it).
class Giant : public Scenario {
 public:
  static constexpr int kRounds = 2;

  explicit Giant(Machine& m)
      : k_(m), counter_(m, "counter"), intrs_(m, "intrs") {
    const int dev = intr_establish(k_.spl, k_.kernel_lock, "dev",
                                   spl::kLevelVm, /*mpsafe=*/false, [this] {
                                     counter_.Store(counter_.Load() + 1);
                                     intrs_.Store(intrs_.Load() + 1);
                                   });
    m.AddSource(dev, 2, 0b11);
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this] {
        for (int i = 0; i < kRounds; ++i) {
          KERNEL_LOCK(k_.kernel_lock, 1);
          Work();
          KERNEL_UNLOCK_ONE(k_.kernel_lock);
        }
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, counter_.Peek() == 2 * kRounds + intrs_.Peek(),
               "no increment of the counter is lost");
    SMP_ASSERT(m, k_.ci.AllReleased(), "kernel_lock released everywhere");
  }

 private:
  void Work() {  // a routine that takes the giant lock on its own
    KERNEL_LOCK(k_.kernel_lock, 1);
    const spl::SplMask s = k_.spl.splvm();
    counter_.Store(counter_.Load() + 1);
    k_.spl.splx(s);
    KERNEL_UNLOCK_ONE(k_.kernel_lock);
  }

  Kernel k_;
  Shared<int> counter_, intrs_;
};

SMP_SCENARIO(Giant, "spin_mutex", "giant", VerdictKind::kClean, 2, 8000,
             "threads and a non-MPSAFE handler under the recursive "
             "kernel_lock");

// A driver converted to its own sc_lock (IPL_VM). CPU0 still calls into it
// from code that holds kernel_lock; CPU1's code path is converted. Its
// timer handler (IPL_SCHED, above sc_lock's IPL) keeps statistics under
// stat_lock. Left non-MPSAFE, the timer handler interrupts CPU1 while it
// holds sc_lock and spins for kernel_lock, which CPU0 holds while spinning
// for sc_lock. The two threads start together, so schedules reach the
// deadlock itself (lockdep's lock_order prediction is rarer here: it needs
// the timer inside CPU1's section without CPU0 waiting).
class Mixed : public Scenario {
 public:
  Mixed(Machine& m, bool mpsafe)
      : k_(m),
        sc_lock_(k_.ci, "sc_lock", spl::IPL_VM),
        stat_lock_(k_.ci, "stat_lock", spl::IPL_SCHED),
        data_(m, "sc_data"),
        ticks_(m, "ticks") {
    const int timer = intr_establish(k_.spl, k_.kernel_lock, "timer",
                                     spl::kLevelSched, mpsafe, [this] {
                                       mutex_spin_enter(stat_lock_);
                                       ticks_.Store(ticks_.Load() + 1);
                                       mutex_spin_exit(stat_lock_);
                                     });
    m.AddSource(timer, 2, 0b10);
    m.AddThread("t0", 0, [this] {
      KERNEL_LOCK(k_.kernel_lock, 1);
      Update();
      KERNEL_UNLOCK_ONE(k_.kernel_lock);
    });
    m.AddThread("t1", 1, [this] { Update(); });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, data_.Peek() == 2, "both updates happened");
    SMP_ASSERT(m, k_.ci.AllReleased(), "every lock released");
  }

 private:
  void Update() {
    mutex_spin_enter(sc_lock_);
    data_.Store(data_.Load() + 1);
    mutex_spin_exit(sc_lock_);
  }

  Kernel k_;
  Kmutex sc_lock_, stat_lock_;
  Shared<int> data_, ticks_;
};

struct KernelLockMpsafe : Mixed {
  explicit KernelLockMpsafe(Machine& m) : Mixed(m, true) {}
};
struct KernelLockMixed : Mixed {
  explicit KernelLockMixed(Machine& m) : Mixed(m, false) {}
};

SMP_SCENARIO(KernelLockMpsafe, "spin_mutex", "kernel_lock_mpsafe",
             VerdictKind::kClean, 2, 6000,
             "converted driver: sc_lock, and an MPSAFE timer handler");
SMP_SCENARIO(KernelLockMixed, "spin_mutex", "kernel_lock_mixed",
             VerdictKind::kDeadlock, 2, 6000,
             "the timer handler left non-MPSAFE: kernel_lock taken for it "
             "inside sc_lock on CPU1, sc_lock taken under kernel_lock on CPU0");

}  // namespace
}  // namespace smp::spin_mutex
