#include "targets/spin_mutex/mutex.h"

#include <utility>

namespace smp::spin_mutex {

Kmutex::Kmutex(CpuInfo& ci, std::string name, spl::Ipl ipl, MutexBugs bugs)
    : ci_(ci),
      m_(ci.machine()),
      ipl_(ipl),
      spin_(ipl >= spl::IPL_VM),
      bugs_(bugs),
      word_(ci.machine(), name + ".word"),
      id_(ci.machine().AddLock(name, word_)),
      lockdep_(Lockdep::Of(ci.machine())) {
  if (!spin_) chan_ = m_.AddChannel(name + ".turnstile");
  if (lockdep_ != nullptr) {
    lockdep_->Declare(
        id_, LockClass{spin_ ? LockKind::kSpin : LockKind::kAdaptive, false});
  }
}

void Kmutex::Raise(Loc loc) {
  const int k = m_.cpu();
  const spl::SplMask s = ci_.spl().splraise(spl::MaskOf(ipl_), loc);
  Shared<int>& count = ci_.mtx_count(k);
  const int held = count.Load(loc);
  count.Store(held + 1, loc);
  if (held == 0) ci_.mtx_oldspl(k).Store(s, loc);
}

void Kmutex::Lower(Loc loc) {
  const int k = m_.cpu();
  const spl::SplMask s = ci_.mtx_oldspl(k).Load(loc);
  Shared<int>& count = ci_.mtx_count(k);
  const int held = count.Load(loc) - 1;
  count.Store(held, loc);
  if (held == 0 || bugs_.restore_on_inner_release) ci_.spl().splx(s, loc);
}

void Kmutex::SpinAcquire(Loc loc) {
  if (lockdep_ != nullptr) lockdep_->Want(m_, id_, loc);
  while (!word_.Cas(0, 1, loc)) word_.SpinWhile(1, loc);
  m_.LockAcquired(id_, loc);
  m_.Membar(Barrier::kAcquire, loc);
}

void Kmutex::SpinEnter(Loc loc) {
  if (bugs_.acquire_before_raise) {
    SpinAcquire(loc);
    Raise(loc);
  } else {
    Raise(loc);
    SpinAcquire(loc);
  }
}

void Kmutex::SpinExit(Loc loc) {
  m_.Membar(Barrier::kRelease, loc);
  word_.Store(0, loc);
  m_.LockReleased(id_, loc);  // held until the freeing store, for reports
  Lower(loc);
}

void Kmutex::AdaptiveEnter(Loc loc) {
  if (lockdep_ != nullptr) lockdep_->Want(m_, id_, loc);
  const uint64_t me = uint64_t{m_.CurrentActor().ctx} + 1;
  for (;;) {
    if (word_.Cas(0, me, loc)) break;
    uint64_t seen = word_.Load(loc);
    if (seen == 0) continue;
    if ((seen & kWaiters) == 0) {
      if (!word_.Cas(seen, seen | kWaiters, loc)) continue;
      seen |= kWaiters;
    }
    m_.ParkWhile(chan_, word_, seen, loc);
  }
  m_.LockAcquired(id_, loc);
  m_.Membar(Barrier::kAcquire, loc);
}

void Kmutex::AdaptiveExit(Loc loc) {
  m_.Membar(Barrier::kRelease, loc);
  const Word old = word_.Swap(0, loc);
  m_.LockReleased(id_, loc);  // held until the freeing swap, for reports
  if (old & kWaiters) m_.Unpark(chan_, loc);
}

bool Kmutex::TryEnter(Loc loc) {
  if (!spin_) {
    if (!word_.Cas(0, uint64_t{m_.CurrentActor().ctx} + 1, loc)) return false;
  } else {
    Raise(loc);
    if (!word_.Cas(0, 1, loc)) {
      Lower(loc);
      return false;
    }
  }
  m_.LockTryAcquired(id_, loc);
  m_.Membar(Barrier::kAcquire, loc);
  return true;
}

bool Kmutex::Owned() const {
  if (spin_) return word_.Peek() != 0;
  return (word_.Peek() & ~kWaiters) == uint64_t{m_.CurrentActor().ctx} + 1;
}

void mutex_enter(Kmutex& mtx, Loc loc) {
  if (mtx.spin()) {
    mtx.SpinEnter(loc);
  } else {
    mtx.AdaptiveEnter(loc);
  }
}

void mutex_exit(Kmutex& mtx, Loc loc) {
  if (mtx.spin()) {
    mtx.SpinExit(loc);
  } else {
    mtx.AdaptiveExit(loc);
  }
}

bool mutex_tryenter(Kmutex& mtx, Loc loc) { return mtx.TryEnter(loc); }
void mutex_spin_enter(Kmutex& mtx, Loc loc) { mtx.SpinEnter(loc); }
void mutex_spin_exit(Kmutex& mtx, Loc loc) { mtx.SpinExit(loc); }
bool mutex_owned(const Kmutex& mtx) { return mtx.Owned(); }

}  // namespace smp::spin_mutex
