// A test-and-set spin lock written against the core's hardware API, for the
// demo scenarios (the real mutex(9) model is a target of its own).
// Annotated, so deadlock reports name it and its holder.
#ifndef SMPFUZZ_TESTS_DEMO_LOCK_H_
#define SMPFUZZ_TESTS_DEMO_LOCK_H_

#include <string>

#include "core/cell.h"
#include "core/machine.h"

namespace smp::demo {

// `fenced` adds membar_acquire after taking it and membar_release before
// releasing it, which a weak memory model needs (under SC they change
// nothing but cost two scheduling points).
class SpinLock {
 public:
  SpinLock(Machine& m, const std::string& name, bool fenced = false)
      : m_(m), word_(m, name + ".word"), id_(m.AddLock(name, word_)),
        fenced_(fenced) {}

  // Scheduling points: the CAS and every re-check; spins with the
  // cpu_spinwait hint while the lock is held.
  void Lock(Loc loc = Loc::Here()) {
    while (!word_.Cas(0, 1, loc)) word_.SpinWhile(1, loc);
    if (fenced_) m_.Membar(Barrier::kAcquire, loc);
    m_.LockAcquired(id_, loc);
  }
  // Scheduling point: the releasing store.
  void Unlock(Loc loc = Loc::Here()) {
    m_.LockReleased(id_, loc);
    if (fenced_) m_.Membar(Barrier::kRelease, loc);
    word_.Store(0, loc);
  }

 private:
  Machine& m_;
  Shared<int> word_;
  int id_;
  bool fenced_;
};

}  // namespace smp::demo

#endif  // SMPFUZZ_TESTS_DEMO_LOCK_H_
