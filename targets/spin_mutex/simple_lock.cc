#include "targets/spin_mutex/simple_lock.h"

#include <utility>

namespace smp::spin_mutex {

SimpleLock::SimpleLock(Machine& m, std::string name)
    : m_(m),
      word_(m, name + ".word"),
      id_(m.AddLock(name, word_)),
      lockdep_(Lockdep::Of(m)) {
  if (lockdep_ != nullptr) lockdep_->Declare(id_, LockClass{});
}

void SimpleLock::Lock(Loc loc) {
  if (lockdep_ != nullptr) lockdep_->Want(m_, id_, loc);
  while (!word_.Cas(0, 1, loc)) word_.SpinWhile(1, loc);
  m_.LockAcquired(id_, loc);
  m_.Membar(Barrier::kAcquire, loc);
}

bool SimpleLock::Try(Loc loc) {
  if (!word_.Cas(0, 1, loc)) return false;
  m_.LockTryAcquired(id_, loc);
  m_.Membar(Barrier::kAcquire, loc);
  return true;
}

void SimpleLock::Unlock(Loc loc) {
  m_.Membar(Barrier::kRelease, loc);
  word_.Store(0, loc);
  m_.LockReleased(id_, loc);  // held until the freeing store, for reports
}

}  // namespace smp::spin_mutex
