/* <sys/callout.h>: callout(9), functions run a number of clock ticks from
 * now (kern/kern_timeout.c), driven by the clock interrupt.
 *
 * What it models (NetBSD kern_timeout.c, simplified):
 *  - hardclock(), the clock interrupt's handler (level SPL_LEVEL_CLOCK,
 *    above every device), advances hardclock_ticks (atomically) and
 *    schedules the softclock softint on the CPU it ticked on.
 *  - softclock, at SOFTINT_CLOCK (MPSAFE), runs every due callout: it
 *    takes the callout off the pending list, marks it fired and calls
 *    c_func(c_arg) without callout_lock held; a callout not initialised
 *    CALLOUT_MPSAFE runs under kernel_lock.
 *  - callout_reset(c, ticks, func, arg) (re)arms it `ticks` ticks from
 *    now, from any context, including its own function (a periodic
 *    callout re-arms itself). callout_stop(c) disarms it; it does not
 *    wait for a run in progress on another CPU (callout_halt would), and
 *    returns whether it had fired.
 *  - The pending list and every callout's fields are protected by
 *    callout_lock, a spin mutex at IPL_SCHED.
 *
 * Deviations: hardclock schedules softclock on every tick, without
 * looking for a due callout (NetBSD looks under the callout lock; a spin
 * mutex taken in the clock interrupt would be one more lock above IPL_VM);
 * one pending list for all CPUs (NetBSD has per-CPU wheels);
 * a callout runs on the CPU whose tick found it due, not the CPU that
 * armed it; no callout_halt, callout_schedule or callout_pending; ticks
 * count interrupts of the clock source only (hardclock_source).
 *
 * Set-up: hardclock_source() establishes the clock line and its source;
 * callout_reset_setup() arms a callout before the machine runs (no lock:
 * nothing runs yet; NetBSD's autoconf arms them with callout_reset).
 *
 * Scheduling points: callout_init none (REQUIRES: not yet shared).
 * callout_reset / callout_stop: mutex(9)'s and each field access.
 * hardclock: the tick count's increment and softint_schedule's. */
#ifndef SMPFUZZ_KERN_SYS_CALLOUT_H_
#define SMPFUZZ_KERN_SYS_CALLOUT_H_

#include <sys/types.h>

#define CALLOUT_MPSAFE 0x0100u  /* callout_init flag: run without kernel_lock */
#define CALLOUT_PENDING 0x0002u /* on the pending list */
#define CALLOUT_FIRED 0x0004u   /* taken off the list to run */

struct callout {
  struct callout* c_next; /* on the pending list */
  void (*c_func)(void*);
  void* c_arg;
  int c_time;             /* the hardclock_ticks it is due at */
  u_int c_flags;          /* CALLOUT_* */
};
typedef struct callout callout_t;

extern int hardclock_ticks;

__BEGIN_DECLS
/* Set-up (or before the callout is shared). `flags`: 0 or CALLOUT_MPSAFE. */
void callout_init(callout_t* c, u_int flags);
void callout_destroy(callout_t* c);
/* Arms `c` to run func(arg) `ticks` (>= 1) ticks from now. */
void callout_reset(callout_t* c, int ticks, void (*func)(void*), void* arg);
/* The same in set-up, outside any context. */
void callout_reset_setup(callout_t* c, int ticks, void (*func)(void*), void* arg);
/* Disarms `c`. Returns nonzero if it had already fired. */
int callout_stop(callout_t* c);

/* The clock interrupt's handler. REQUIRES: hard interrupt context at
 * SPL_LEVEL_CLOCK. */
void hardclock(void);
/* Set-up. The clock: a line at SPL_LEVEL_CLOCK whose handler is hardclock,
 * raised `count` times on CPUs of `cpu_mask` (smp_intr_source). Returns
 * the line. */
int hardclock_source(unsigned count, unsigned cpu_mask);
__END_DECLS

#endif /* SMPFUZZ_KERN_SYS_CALLOUT_H_ */
