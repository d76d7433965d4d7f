#include "targets/fxp/ipl_mutex.h"

namespace smp::fxp {

IplMutex::IplMutex(Machine& m, const std::string& word, const std::string& name,
                   int ipl)
    : m_(m), ipl_(ipl), word_(m, word), id_(m.AddLock(name, word_)) {}

void IplMutex::Enter(Loc loc) {
  // mutex_spin_enter: raise to the lock's IPL first, then spin.
  const int old = m_.mask();
  if (old < ipl_) m_.SetMask(ipl_, loc);
  while (!word_.CasAcquire(0, 1, loc)) word_.SpinWhile(1, loc);
  m_.LockAcquired(id_, loc);
  saved_mask_[m_.cpu()] = old;
}

void IplMutex::Exit(Loc loc) {
  const int old = saved_mask_[m_.cpu()];
  word_.StoreRelease(0, loc);
  m_.LockReleased(id_, loc);
  if (old < ipl_) m_.SetMask(old, loc);
}

}  // namespace smp::fxp
