#include "targets/spin_mutex/kernel_lock.h"

#include <utility>

namespace smp::spin_mutex {

KernelLock::KernelLock(CpuInfo& ci)
    : ci_(ci),
      m_(ci.machine()),
      word_(ci.machine(), "kernel_lock.word"),
      id_(ci.machine().AddLock("kernel_lock", word_)),
      lockdep_(Lockdep::Of(ci.machine())) {
  if (lockdep_ != nullptr) {
    lockdep_->Declare(id_, LockClass{LockKind::kSpin, /*recursive=*/true});
  }
}

void KernelLock::Lock(int nlocks, Loc loc) {
  const int k = m_.cpu();
  spl::Spl& spl = ci_.spl();
  spl::SplMask s = spl.splvm(loc);
  Shared<int>& count = ci_.biglock_count(k);
  const int held = count.Load(loc);
  if (held > 0) {
    count.Store(held + nlocks, loc);
    spl.splx(s, loc);
    return;
  }
  if (lockdep_ != nullptr) lockdep_->Want(m_, id_, loc);
  for (;;) {
    const Word owner = m_.Cas(word_, 0, static_cast<Word>(k + 1), loc);
    if (owner == 0) break;
    spl.splx(s, loc);  // spin with interrupts serviceable
    word_.SpinWhile(static_cast<int>(owner), loc);
    s = spl.splvm(loc);
  }
  m_.LockAcquired(id_, loc);
  m_.Membar(Barrier::kAcquire, loc);
  count.Store(nlocks, loc);
  spl.splx(s, loc);
}

void KernelLock::Unlock(int nlocks, Loc loc) {
  const int k = m_.cpu();
  spl::Spl& spl = ci_.spl();
  const spl::SplMask s = spl.splvm(loc);
  Shared<int>& count = ci_.biglock_count(k);
  const int held = count.Load(loc);
  if (held == 0) {
    m_.LockReleased(id_, loc);  // not held: lockdep's misuse report
    spl.splx(s, loc);
    return;
  }
  const int left = nlocks == 0 ? 0 : held - nlocks;
  count.Store(left, loc);
  if (left == 0) {
    m_.Membar(Barrier::kRelease, loc);
    word_.Store(0, loc);
    m_.LockReleased(id_, loc);  // held until the freeing store, for reports
  }
  spl.splx(s, loc);
}

int intr_establish(spl::Spl& spl, KernelLock& kl, std::string name, int level,
                   bool mpsafe, std::function<void()> handler) {
  return spl.Establish(std::move(name), level,
                       [&kl, mpsafe, handler = std::move(handler)] {
                         if (!mpsafe) KERNEL_LOCK(kl, 1);
                         handler();
                         if (!mpsafe) KERNEL_UNLOCK_ONE(kl);
                       });
}

}  // namespace smp::spin_mutex
