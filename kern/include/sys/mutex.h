/* <sys/mutex.h>: mutex(9), the kernel's mutual exclusion, spin and
 * adaptive (kern/kern_mutex.c).
 *
 * What it models (NetBSD mutex(9) and kern_mutex.c):
 *  - mutex_init(mtx, MUTEX_DEFAULT, ipl): IPL_NONE or an IPL_SOFT* level
 *    makes an adaptive mutex; IPL_VM, IPL_SCHED or IPL_HIGH a spin mutex.
 *    MUTEX_SPIN (NetBSD's "low-level" type) makes a spin mutex at any ipl
 *    from IPL_SOFTCLOCK up; MUTEX_ADAPTIVE an adaptive one (ipl IPL_NONE).
 *  - A spin mutex raises the CPU's IPL to its ipl *before* spinning, so no
 *    handler that takes it can interrupt its holder on the same CPU. The
 *    first spin mutex a CPU takes saves the previous IPL in ci_mtx_oldspl;
 *    ci_mtx_count counts those held; the IPL is restored only when the
 *    CPU's last spin mutex is released, so any release order is allowed.
 *  - An adaptive mutex holds its owner (the context, smp_context_id()) and
 *    a waiters bit; a waiter sets the bit and sleeps on the mutex (the
 *    turnstile) until the word changes; the releaser wakes all sleepers.
 *    Thread and softint context only (lockdep: lock_misuse otherwise).
 *  - The taking CAS has acquire ordering and the freeing store (or swap)
 *    release ordering, as the locked cmpxchg and the plain store of
 *    NetBSD's x86 mutex have: the lock orders its critical section under
 *    every memory model, with no separate barrier.
 *  - mutex_owned: an adaptive mutex owned by the caller; for a spin mutex,
 *    as in NetBSD, held by anyone.
 *
 * Deviations: adaptive waiters always sleep (no spinning while the owner
 * runs on another CPU); no priority inheritance; a spin mutex records no
 * owner (lockdep knows it, as LOCKDEBUG does). mutex_init takes no name in
 * NetBSD; here the macro names the lock after its argument's text
 * ("&sc_lock" -> "sc_lock"), for reports; mutex_init_named names it
 * explicitly. ci_mtx_count counts up from 0 (NetBSD counts down).
 *
 * Annotation (<smp/hw.h>): each mutex is declared to lockdep with its
 * class (spin or adaptive) by mutex_init; smp_lock_want before spinning
 * or sleeping, smp_lock_acquired right after the taking CAS,
 * smp_lock_released right after the freeing store.
 *
 * Bug switches: mutex_init_bugs() gives one mutex a broken variant of the
 * spin path (MUTEX_BUG_*, below). They live in the mutex, next to its ipl,
 * written in set-up and read without a scheduling point.
 *
 * Scheduling points: mutex_init/destroy are set-up calls (plain stores).
 * mutex_enter, mutex_exit, mutex_spin_enter, mutex_spin_exit and
 * mutex_tryenter are several each: spl, the
 * per-CPU count and saved IPL, the CAS and every spin or sleep, the
 * freeing store (and a wakeup). mutex_owned is one (the read
 * of the owner word). */
#ifndef SMPFUZZ_KERN_SYS_MUTEX_H_
#define SMPFUZZ_KERN_SYS_MUTEX_H_

#include <sys/types.h>

typedef enum kmutex_type_t {
  MUTEX_DEFAULT = 0, /* by ipl: adaptive at IPL_NONE/IPL_SOFT*, else spin */
  MUTEX_SPIN = 1,    /* spin, at any ipl >= IPL_SOFTCLOCK */
  MUTEX_ADAPTIVE = 2,
  MUTEX_DRIVER = 3,  /* = MUTEX_DEFAULT, as in NetBSD */
  MUTEX_NODEBUG = 4, /* = MUTEX_DEFAULT */
} kmutex_type_t;

/* Broken variants of the spin path, for scenarios (mutex_init_bugs). Off
 * in the kernel as it should be; a scenario's set-up turns one on for the
 * mutexes it names. */
/* mutex_spin_enter takes the lock word first and raises the IPL after: an
 * interrupt in between whose handler wants the mutex spins on its own
 * CPU's holder forever. */
#define MUTEX_BUG_ACQUIRE_BEFORE_RAISE 0x100u
/* mutex_spin_exit restores ci_mtx_oldspl on every release, not only the
 * CPU's last: after the inner of two nested spin mutexes is released, the
 * outer is held at the old (low) IPL. */
#define MUTEX_BUG_RESTORE_ON_INNER_RELEASE 0x200u
/* The adaptive path (the sleep target's mutex_exit_no_barrier, added by
 * the condvar/softint port): the mutex uses the counting protocol of the
 * C++ model's first adaptive mutex instead of the waiters bit. A waiter
 * counts itself in mtx_waiters, re-reads the owner and sleeps while it is
 * unchanged; mutex_exit frees the word with a plain store, then reads the
 * count to decide whether to wake anyone, without the membar_sync that
 * this protocol needs between the two. Under TSO the store can still sit
 * in the store buffer when a waiter re-reads the owner, while the exit's
 * read missed the count: the waiter sleeps with nobody to wake it (the
 * turnstile race every SMP mutex_exit must close). */
#define MUTEX_BUG_EXIT_NO_BARRIER 0x400u

typedef struct kmutex {
  /* Adaptive: the owner's smp_context_id() << 1 | MUTEX_BIT_WAITERS, 0
   * free. Spin: 1 held, 0 free. The lock's word for the machine and lockdep. */
  volatile uintptr_t mtx_owner;
  /* Constant after mutex_init: the ipl (low bits), MUTEX_F_SPIN, and the
   * MUTEX_BUG_* switches. Read with smp_peek: no scheduling point (the
   * real kernel's read of mtx_ipl is one; the C++ model had none). */
  uint32_t mtx_cfg;
  /* MUTEX_BUG_EXIT_NO_BARRIER only: the threads asleep (or about to be)
   * on the mutex. */
  volatile u_int mtx_waiters;
} kmutex_t;

#define MUTEX_BIT_WAITERS ((uintptr_t)1 << (sizeof(uintptr_t) * 8 - 1))
#define MUTEX_F_SPIN 0x80u
#define MUTEX_IPL_MASK 0x7fu

__BEGIN_DECLS
/* mutex_init(9). Set-up (or a thread, before the mutex is shared).
 * `name` must outlive the execution (a string literal). */
void mutex_init_named(kmutex_t* mtx, kmutex_type_t type, int ipl, const char* name);
/* The same with MUTEX_BUG_* switches for the spin path. */
void mutex_init_bugs(kmutex_t* mtx, kmutex_type_t type, int ipl, const char* name,
                     unsigned bugs);
/* REQUIRES: not held, no waiters. */
void mutex_destroy(kmutex_t* mtx);

/* Takes the mutex, spinning (spin mutex, after raising the IPL) or
 * sleeping (adaptive). REQUIRES: the caller does not hold it (lockdep:
 * "locking against myself"); adaptive: not in a hard interrupt. */
void mutex_enter_at(kmutex_t* mtx, const char* file, int line);
/* REQUIRES: the caller holds it. */
void mutex_exit_at(kmutex_t* mtx, const char* file, int line);
/* Takes it if free; returns nonzero on success. Never waits. */
int mutex_tryenter_at(kmutex_t* mtx, const char* file, int line);
/* REQUIRES: a spin mutex. */
void mutex_spin_enter_at(kmutex_t* mtx, const char* file, int line);
void mutex_spin_exit_at(kmutex_t* mtx, const char* file, int line);
/* Adaptive: owned by the caller. Spin: held by anyone. For KASSERTs. */
int mutex_owned(const kmutex_t* mtx);
/* Whether mutex_init made it a spin mutex. Set-up/check code (a read). */
int mutex_is_spin(const kmutex_t* mtx);
__END_DECLS

/* The calls carry their caller's file:line into the lock annotations (as
 * LOCKDEBUG records its caller's address): reports name the mutex_enter
 * that took the lock, not kern_mutex.c. */
#define mutex_enter(mtx) mutex_enter_at((mtx), __FILE__, __LINE__)
#define mutex_exit(mtx) mutex_exit_at((mtx), __FILE__, __LINE__)
#define mutex_tryenter(mtx) mutex_tryenter_at((mtx), __FILE__, __LINE__)
#define mutex_spin_enter(mtx) mutex_spin_enter_at((mtx), __FILE__, __LINE__)
#define mutex_spin_exit(mtx) mutex_spin_exit_at((mtx), __FILE__, __LINE__)

/* NetBSD's three-argument mutex_init, naming the lock after `mtx`'s text
 * without a leading '&'. */
#define mutex_init(mtx, type, ipl) mutex_init_named((mtx), (type), (ipl), #mtx)

#endif /* SMPFUZZ_KERN_SYS_MUTEX_H_ */
