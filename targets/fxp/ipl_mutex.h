// A spin mutex at an IPL on the core's priority mask: what mutex(9) gives a
// driver for MUTEX_SPIN at IPL_NET (the device lock, the input queue's
// lock), without the spl target's bookkeeping.
//
// Contract: Enter raises the CPU's mask to the mutex's IPL *before*
// spinning (no handler that wants the mutex can interrupt its holder on
// this CPU), then takes the word with acquire ordering; Exit releases it
// with release ordering and restores the mask saved by Enter. Nested
// mutexes of the same IPL restore nothing until the outer one.
// REQUIRES: Exit by the context that entered; mutexes released in the
// reverse order of acquisition on a CPU (the saved mask is per mutex).
// Not recursive: Enter by the holder spins forever (the deadlock the
// machine reports).
//
// Scheduling points: Enter is 1 (mask) + 1 per CAS or spin; Exit 1-2.
#ifndef SMPFUZZ_TARGETS_FXP_IPL_MUTEX_H_
#define SMPFUZZ_TARGETS_FXP_IPL_MUTEX_H_

#include <string>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"

namespace smp::fxp {

class IplMutex {
 public:
  // Declaration time. `word` names the lock word cell, `name` the lock.
  IplMutex(Machine& m, const std::string& word, const std::string& name, int ipl);
  IplMutex(const IplMutex&) = delete;
  IplMutex& operator=(const IplMutex&) = delete;

  void Enter(Loc loc = Loc::Here());
  void Exit(Loc loc = Loc::Here());

 private:
  Machine& m_;
  const int ipl_;
  Shared<int> word_;
  const int id_;
  int saved_mask_[kMaxCpus] = {};  // by CPU: only the holder's is live
};

}  // namespace smp::fxp

#endif  // SMPFUZZ_TARGETS_FXP_IPL_MUTEX_H_
