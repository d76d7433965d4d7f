// mutex(9): kernel mutexes built on spl and atomics.
//
// What it models (NetBSD kern_mutex.c, as documented in mutex(9)):
//  - mutex_init(mtx, MUTEX_DEFAULT, ipl) is the constructor: an IPL of
//    IPL_VM or above makes a spin mutex, anything lower an adaptive one.
//  - mutex_spin_enter raises the CPU's IPL to the mutex's IPL *before*
//    spinning, so no handler that takes the mutex can interrupt its holder
//    on the same CPU; the first spin mutex a CPU takes saves the previous
//    IPL in ci_mtx_oldspl, and ci_mtx_count counts the spin mutexes held.
//    The lock itself is a test-and-set word, spun on with backoff (the
//    core's SpinWhile, NetBSD's SPINLOCK_BACKOFF).
//  - mutex_spin_exit releases the word and lowers the IPL back to the saved
//    one only when the CPU's last spin mutex is released, so releasing in
//    another order than acquiring is fine.
//  - Acquisition is followed by membar_acquire and release preceded by
//    membar_release (the ordering __cpu_simple_lock gives).
//  - Adaptive mutexes: the owner (its context id) in the word plus a
//    waiters bit; a waiter sets the bit and sleeps on the mutex's channel
//    until the word changes (the turnstile), the releaser wakes all.
//  - mutex_enter / mutex_exit choose by the mutex's kind; mutex_owned is
//    true for an adaptive mutex owned by the caller and, as in NetBSD, for
//    a spin mutex held by anyone.
//
// Deviations: adaptive waiters always sleep (no spinning while the owner
// runs); there is no priority inheritance; a spin mutex records no owner
// (lockdep tracks that, as LOCKDEBUG does).
//
// Annotation: every mutex is a lock for the machine (AddLock) and a class
// for lockdep (spin or adaptive): Want before waiting, LockAcquired /
// LockTryAcquired after, LockReleased right after the releasing store
// (until it, the lock is held: an interrupt taken in between sees the owner).
//
// Scheduling points: enter and exit are several each (spl, per-CPU
// counts, the CAS and every spin re-check, the barrier, the store);
// mutex_owned is none.
#ifndef SMPFUZZ_TARGETS_SPIN_MUTEX_MUTEX_H_
#define SMPFUZZ_TARGETS_SPIN_MUTEX_MUTEX_H_

#include <cstdint>
#include <string>

#include "core/cell.h"
#include "core/lockdep.h"
#include "core/loc.h"
#include "core/machine.h"
#include "targets/spin_mutex/cpu_info.h"
#include "targets/spl/ipl.h"

namespace smp::spin_mutex {

struct MutexBugs {
  // Take the lock word first, raise the IPL after: an interrupt in between
  // whose handler wants the mutex spins on its own CPU's holder forever.
  bool acquire_before_raise = false;
  // Restore ci_mtx_oldspl on every spin release, not only the last: after
  // the inner of two nested spin mutexes is released, the outer one is
  // held at the old (low) IPL.
  bool restore_on_inner_release = false;
};

class Kmutex {
 public:
  // mutex_init(this, MUTEX_DEFAULT, ipl). Declaration time.
  Kmutex(CpuInfo& ci, std::string name, spl::Ipl ipl, MutexBugs bugs = {});
  Kmutex(const Kmutex&) = delete;
  Kmutex& operator=(const Kmutex&) = delete;

  bool spin() const { return spin_; }
  spl::Ipl ipl() const { return ipl_; }
  int lock_id() const { return id_; }

  // REQUIRES: spin(). See mutex_spin_enter / mutex_spin_exit.
  void SpinEnter(Loc loc);
  void SpinExit(Loc loc);
  // REQUIRES: !spin(); thread context.
  void AdaptiveEnter(Loc loc);
  void AdaptiveExit(Loc loc);
  bool TryEnter(Loc loc);
  bool Owned() const;

 private:
  static constexpr uint64_t kWaiters = uint64_t{1} << 63;

  // Raise to the mutex's IPL and count the spin mutex held.
  void Raise(Loc loc);
  // Uncount it, and restore the saved IPL if it was the last.
  void Lower(Loc loc);
  void SpinAcquire(Loc loc);

  CpuInfo& ci_;
  Machine& m_;
  const spl::Ipl ipl_;
  const bool spin_;
  const MutexBugs bugs_;
  Shared<uint64_t> word_;
  const int id_;
  int chan_ = -1;       // adaptive: the turnstile
  Lockdep* lockdep_;    // null when the execution runs without lockdep
};

// The kernel API. REQUIRES and scheduling points as above; enter on a mutex
// the caller holds is "locking against myself" (lockdep: lock_misuse,
// without it a spin forever).
void mutex_enter(Kmutex& mtx, Loc loc = Loc::Here());
void mutex_exit(Kmutex& mtx, Loc loc = Loc::Here());
bool mutex_tryenter(Kmutex& mtx, Loc loc = Loc::Here());
void mutex_spin_enter(Kmutex& mtx, Loc loc = Loc::Here());
void mutex_spin_exit(Kmutex& mtx, Loc loc = Loc::Here());
// Not a scheduling point.
bool mutex_owned(const Kmutex& mtx);

}  // namespace smp::spin_mutex

#endif  // SMPFUZZ_TARGETS_SPIN_MUTEX_MUTEX_H_
