/* callout(9) and the clock interrupt (<sys/callout.h>). */
#include <sys/callout.h>

#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/intr.h>
#include <sys/mutex.h>
#include <sys/systm.h>

int hardclock_ticks;

/* Protected by callout_lock: the pending list and every callout's fields. */
static kmutex_t callout_lock;
static callout_t* callout_pending;

/* Set-up only, read with smp_peek while running. */
static void* softclock_si;
static int callout_started;

static void softclock(void* arg);

/* Set-up: the lock and the softint, once per execution. */
static void callout_startup(void) {
  if (callout_started) return;
  callout_started = 1;
  mutex_init_named(&callout_lock, MUTEX_DEFAULT, IPL_SCHED, "callout_lock");
  softclock_si = softint_establish(SOFTINT_CLOCK | SOFTINT_MPSAFE, softclock, NULL);
  KASSERT(softclock_si != NULL);
}

void callout_init(callout_t* c, u_int flags) {
  callout_startup();
  c->c_next = NULL;
  c->c_func = NULL;
  c->c_arg = NULL;
  c->c_time = 0;
  c->c_flags = flags & CALLOUT_MPSAFE;
  if ((flags & CALLOUT_MPSAFE) == 0) kernel_lock_init();
}

void callout_destroy(callout_t* c) {
  KASSERTMSG((c->c_flags & CALLOUT_PENDING) == 0, "callout_destroy: pending");
}

/* REQUIRES: callout_lock (or set-up). Takes `c` off the pending list. */
static void callout_unlink(callout_t* c) {
  callout_t** pp = &callout_pending;
  for (callout_t* p = *pp; p != NULL; p = *pp) {
    if (p == c) {
      *pp = c->c_next;
      return;
    }
    pp = &p->c_next;
  }
}

/* REQUIRES: callout_lock (or set-up). */
static void callout_arm(callout_t* c, int ticks, void (*func)(void*), void* arg) {
  const u_int flags = c->c_flags;
  if ((flags & CALLOUT_PENDING) == 0) {
    c->c_next = callout_pending;
    callout_pending = c;
  }
  c->c_func = func;
  c->c_arg = arg;
  c->c_time = (int)atomic_load_relaxed(&hardclock_ticks) + ticks;
  c->c_flags = (flags | CALLOUT_PENDING) & ~CALLOUT_FIRED;
}

void callout_reset(callout_t* c, int ticks, void (*func)(void*), void* arg) {
  KASSERT(ticks > 0);
  mutex_spin_enter(&callout_lock);
  callout_arm(c, ticks, func, arg);
  mutex_spin_exit(&callout_lock);
}

void callout_reset_setup(callout_t* c, int ticks, void (*func)(void*), void* arg) {
  KASSERT(ticks > 0);
  callout_arm(c, ticks, func, arg);
}

int callout_stop(callout_t* c) {
  mutex_spin_enter(&callout_lock);
  const u_int flags = c->c_flags;
  if ((flags & CALLOUT_PENDING) != 0) callout_unlink(c);
  c->c_flags = flags & ~(CALLOUT_PENDING | CALLOUT_FIRED);
  mutex_spin_exit(&callout_lock);
  return (flags & CALLOUT_FIRED) != 0;
}

void hardclock(void) {
  /* No lock here: softclock looks for due callouts under callout_lock.
   * (A spin mutex taken above IPL_VM would also update ci_mtx_count under
   * a lower holder on this CPU, which the race detector reports.) */
  atomic_inc_uint((volatile u_int*)&hardclock_ticks);
  softint_schedule((void*)(uintptr_t)smp_peek_var(&softclock_si));
}

/* Runs every due callout, the lock dropped around each function. */
static void softclock(void* arg) {
  (void)arg;
  mutex_spin_enter(&callout_lock);
  for (;;) {
    const int now = (int)atomic_load_relaxed(&hardclock_ticks);
    callout_t* c;
    for (c = callout_pending; c != NULL; c = c->c_next) {
      if (c->c_time - now <= 0) break;
    }
    if (c == NULL) break;
    callout_unlink(c);
    const u_int flags = c->c_flags;
    c->c_flags = (flags & ~CALLOUT_PENDING) | CALLOUT_FIRED;
    void (*func)(void*) = c->c_func;
    void* farg = c->c_arg;
    mutex_spin_exit(&callout_lock);
    if ((flags & CALLOUT_MPSAFE) == 0) KERNEL_LOCK(1, NULL);
    (*func)(farg);
    if ((flags & CALLOUT_MPSAFE) == 0) KERNEL_UNLOCK_ONE(NULL);
    mutex_spin_enter(&callout_lock);
  }
  mutex_spin_exit(&callout_lock);
}

static void hardclock_intr(void* arg) {
  (void)arg;
  hardclock();
}

int hardclock_source(unsigned count, unsigned cpu_mask) {
  callout_startup();
  const int line = spl_intr_establish("hardclock", SPL_LEVEL_CLOCK, 0, hardclock_intr, NULL);
  smp_intr_source(line, count, cpu_mask);
  return line;
}
