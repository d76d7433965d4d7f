/* <sys/condvar.h>: condvar(9), condition variables (kern/kern_condvar.c).
 *
 * What it models (NetBSD condvar(9)):
 *  - cv_wait(cv, mtx) releases `mtx` and sleeps on `cv`, atomically with
 *    respect to cv_signal and cv_broadcast: a signal sent after cv_wait
 *    released the mutex wakes it, or keeps it from sleeping. It re-takes
 *    `mtx` before it returns.
 *  - cv_signal wakes one waiter (the lowest numbered thread asleep),
 *    cv_broadcast all; a signal or broadcast with nobody waiting is gone
 *    (by design: the condition is the caller's state, not the cv's).
 *  - cv_wait may return without a signal meant for it, so a caller
 *    re-checks its condition in a loop, under the same mutex.
 *
 * How: the cv holds a generation count, bumped (atomically) by every
 * signal and broadcast. cv_wait reads it while it still holds the mutex,
 * releases the mutex, and sleeps on the cv's address with
 * smp_park_while(cv, &cv_gen, generation): the machine parks it only if
 * no signal came in between, atomically with the check. That check is
 * the sleep queue lock of the real implementation. Park and unpark are
 * full barriers, as that lock makes them.
 *
 * Deviations: no timed or interruptible sleeps (cv_wait_sig is cv_wait:
 * the machine has no signals; there is no cv_timedwait); no
 * cv_has_waiters (nothing counts sleepers); cv_wait does not KASSERT
 * mutex_owned (that read would be a scheduling point the C++ model did
 * not have). cv_signal wakes the lowest numbered sleeper, not the one that
 * has slept longest.
 *
 * REQUIRES for cv_wait: thread context, `mtx` an adaptive mutex held by
 * the caller. cv_signal and cv_broadcast may be called with or without
 * the mutex (the callers who need the wakeup not to be lost hold it).
 *
 * Scheduling points: cv_init and cv_destroy are set-up calls (a plain
 * store). cv_wait: the read of the generation, mutex_exit's, the sleep,
 * mutex_enter's. cv_signal / cv_broadcast: the increment and the wakeup. */
#ifndef SMPFUZZ_KERN_SYS_CONDVAR_H_
#define SMPFUZZ_KERN_SYS_CONDVAR_H_

#include <sys/mutex.h>
#include <sys/types.h>

typedef struct kcondvar {
  /* Bumped by every cv_signal and cv_broadcast; read by cv_wait under
   * the mutex. Only its changes matter, never its value. */
  volatile u_int cv_gen;
} kcondvar_t;

__BEGIN_DECLS
/* Set-up (or a thread, before the cv is shared). `wmesg` names the wait
 * channel in traces and reports; it must outlive the execution (a string
 * literal). */
void cv_init(kcondvar_t* cv, const char* wmesg);
/* REQUIRES: nobody waiting. */
void cv_destroy(kcondvar_t* cv);
/* REQUIRES: thread context; `mtx` held by the caller. Blocking. */
void cv_wait_at(kcondvar_t* cv, kmutex_t* mtx, const char* file, int line);
/* cv_wait; returns 0 (there are no signals to interrupt it). */
int cv_wait_sig_at(kcondvar_t* cv, kmutex_t* mtx, const char* file, int line);
void cv_signal_at(kcondvar_t* cv, const char* file, int line);
void cv_broadcast_at(kcondvar_t* cv, const char* file, int line);
__END_DECLS

/* The calls carry their caller's file:line to the sleep, the wakeup and
 * the mutex calls they make, as mutex(9)'s do: traces and reports name
 * the cv_wait of the caller, not kern_condvar.c. */
#define cv_wait(cv, mtx) cv_wait_at((cv), (mtx), __FILE__, __LINE__)
#define cv_wait_sig(cv, mtx) cv_wait_sig_at((cv), (mtx), __FILE__, __LINE__)
#define cv_signal(cv) cv_signal_at((cv), __FILE__, __LINE__)
#define cv_broadcast(cv) cv_broadcast_at((cv), __FILE__, __LINE__)

#endif /* SMPFUZZ_KERN_SYS_CONDVAR_H_ */
