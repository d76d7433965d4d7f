// kernel_lock: NetBSD's recursive giant lock (KERNEL_LOCK(9)), and
// interrupt establishment with and without the MPSAFE flag.
//
// What it models (kern_lock.c): the lock word names the owning CPU; the
// per-CPU ci_biglock_count is the recursion depth, so any context of the
// owning CPU (its thread, or a handler that interrupted it) re-enters
// without spinning. Taking it raises to IPL_VM around the CAS and the
// count update, so an interrupt on this CPU never sees the lock taken with
// a zero count; while spinning the IPL is dropped again so interrupts are
// serviced. Non-MPSAFE interrupt handlers run with kernel_lock taken on
// their behalf by the interrupt wrapper; MPSAFE ones do not.
//
// Deviations: the lock is not released across sleep (NetBSD's mi_switch
// drops and retakes it): scenarios do not sleep holding it. Only the
// first acquisition and the last release on a CPU are annotated (the
// machine's lock owner is that context; lockdep sees re-entries through
// the CPU's context stack), and lockdep knows it as a recursive class.
//
// Scheduling points: every call is several (spl, the per-CPU count, the
// CAS and spins, the barrier, the store).
#ifndef SMPFUZZ_TARGETS_SPIN_MUTEX_KERNEL_LOCK_H_
#define SMPFUZZ_TARGETS_SPIN_MUTEX_KERNEL_LOCK_H_

#include <functional>
#include <string>

#include "core/cell.h"
#include "core/lockdep.h"
#include "core/loc.h"
#include "core/machine.h"
#include "targets/spin_mutex/cpu_info.h"
#include "targets/spl/spl.h"

namespace smp::spin_mutex {

class KernelLock {
 public:
  explicit KernelLock(CpuInfo& ci);
  KernelLock(const KernelLock&) = delete;
  KernelLock& operator=(const KernelLock&) = delete;

  // _kernel_lock(nlocks): take it (or re-enter) `nlocks` times.
  void Lock(int nlocks, Loc loc);
  // _kernel_unlock(nlocks): drop `nlocks` holds, or all with 0.
  // REQUIRES: this CPU holds it (else lockdep reports lock misuse).
  void Unlock(int nlocks, Loc loc);
  int lock_id() const { return id_; }

 private:
  CpuInfo& ci_;
  Machine& m_;
  Shared<int> word_;  // owner CPU + 1, 0 when free
  const int id_;
  Lockdep* lockdep_;
};

inline void KERNEL_LOCK(KernelLock& kl, int nlocks, Loc loc = Loc::Here()) {
  kl.Lock(nlocks, loc);
}
inline void KERNEL_UNLOCK_ONE(KernelLock& kl, Loc loc = Loc::Here()) {
  kl.Unlock(1, loc);
}
inline void KERNEL_UNLOCK_ALL(KernelLock& kl, Loc loc = Loc::Here()) {
  kl.Unlock(0, loc);
}

// intr_establish(9) on `spl`: a handler at machine level `level`; unless
// `mpsafe`, it runs with kernel_lock held (taken by the wrapper). Returns
// the line id. Declaration time.
int intr_establish(spl::Spl& spl, KernelLock& kl, std::string name, int level,
                   bool mpsafe, std::function<void()> handler);

}  // namespace smp::spin_mutex

#endif  // SMPFUZZ_TARGETS_SPIN_MUTEX_KERNEL_LOCK_H_
