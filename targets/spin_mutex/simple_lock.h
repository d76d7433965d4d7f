// simple_lock(9), the pre-mutex(9) spin lock: a test-and-set word and
// nothing else. It does not touch the IPL: 2003-era code raised the level
// by hand around it (s = splbio(); simple_lock(&l); ... simple_unlock(&l);
// splx(s)), and getting that level right was the caller's job.
//
// Annotated for the machine and lockdep (a spin lock class). Acquisition is
// followed by membar_acquire and release preceded by membar_release.
//
// Scheduling points: simple_lock is the CAS, every spin re-check and the
// barrier; simple_unlock the barrier and the store; simple_lock_try the
// CAS (and the barrier on success).
#ifndef SMPFUZZ_TARGETS_SPIN_MUTEX_SIMPLE_LOCK_H_
#define SMPFUZZ_TARGETS_SPIN_MUTEX_SIMPLE_LOCK_H_

#include <string>

#include "core/cell.h"
#include "core/lockdep.h"
#include "core/loc.h"
#include "core/machine.h"

namespace smp::spin_mutex {

class SimpleLock {
 public:
  SimpleLock(Machine& m, std::string name);
  SimpleLock(const SimpleLock&) = delete;
  SimpleLock& operator=(const SimpleLock&) = delete;

  void Lock(Loc loc);
  bool Try(Loc loc);
  void Unlock(Loc loc);
  int lock_id() const { return id_; }

 private:
  Machine& m_;
  Shared<int> word_;
  const int id_;
  Lockdep* lockdep_;
};

inline void simple_lock(SimpleLock& l, Loc loc = Loc::Here()) { l.Lock(loc); }
inline bool simple_lock_try(SimpleLock& l, Loc loc = Loc::Here()) {
  return l.Try(loc);
}
inline void simple_unlock(SimpleLock& l, Loc loc = Loc::Here()) {
  l.Unlock(loc);
}

}  // namespace smp::spin_mutex

#endif  // SMPFUZZ_TARGETS_SPIN_MUTEX_SIMPLE_LOCK_H_
