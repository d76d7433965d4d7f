// A test-and-set spin lock written against the core's hardware API, for the
// demo scenarios (the real mutex(9) model is a target of its own).
// Annotated, so deadlock reports name it and its holder.
#ifndef SMPFUZZ_TARGETS_DEMO_DEMO_LOCK_H_
#define SMPFUZZ_TARGETS_DEMO_DEMO_LOCK_H_

#include <string>

#include "core/cell.h"
#include "core/machine.h"

namespace smp::demo {

// The acquiring CAS has acquire ordering and the releasing store release
// ordering (atomic_cmpset_acq / atomic_store_rel), so the lock is correct
// under every memory model at no extra scheduling point.
class SpinLock {
 public:
  SpinLock(Machine& m, const std::string& name)
      : m_(m), word_(m, name + ".word"), id_(m.AddLock(name, word_)) {}

  // Scheduling points: the CAS and every re-check; spins with the
  // cpu_spinwait hint while the lock is held.
  void Lock(Loc loc = Loc::Here()) {
    while (!word_.CasAcquire(0, 1, loc)) word_.SpinWhile(1, loc);
    m_.LockAcquired(id_, loc);
  }
  // Scheduling point: the releasing store. The annotation follows it: until
  // the store is done the lock is still held (an interrupt taken just
  // before it finds the lock held, and deadlock reports must say by whom).
  void Unlock(Loc loc = Loc::Here()) {
    word_.StoreRelease(0, loc);
    m_.LockReleased(id_, loc);
  }

 private:
  Machine& m_;
  Shared<int> word_;
  int id_;
};

}  // namespace smp::demo

#endif  // SMPFUZZ_TARGETS_DEMO_DEMO_LOCK_H_
