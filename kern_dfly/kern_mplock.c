/* The MP lock (<sys/mplock2.h>). */
#include <sys/mplock2.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/globaldata.h>
#include <sys/interrupt.h>
#include <sys/systm.h>
#include <sys/thread2.h>

volatile u_int mp_lock;
/* gd_mpcount is only touched by its CPU, inside a critical section, so a
 * handler there cannot come between its load and store; it is accessed
 * with relaxed atomics so that the race detector, which knows only the
 * hardware mask, does not take the critical section for no protection. */
static int mp_lock_declared; /* set-up only */

void mplock_init(void) {
  if (mp_lock_declared) return;
  mp_lock_declared = 1;
  smp_lock_declare_class(&mp_lock, sizeof mp_lock, "mp_lock", SMP_LOCK_SPIN,
                         /*recursive=*/1);
}

static int mp_lock_cas(u_int me) {
  u_int expected = 0;
  return __atomic_compare_exchange_n(&mp_lock, &expected, me, 0, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

void get_mplock_at(const char* file, int line) {
  struct globaldata* gd = mycpu;
  const u_int me = (u_int)smp_cpu() + 1;
  crit_enter();
  const int held = atomic_load_relaxed(&gd->gd_mpcount);
  if (held > 0) {
    atomic_store_relaxed(&gd->gd_mpcount, held + 1);
    crit_exit();
    return;
  }
  smp_lock_want_at(&mp_lock, file, line);
  while (!mp_lock_cas(me)) {
    crit_exit(); /* wait with interrupts serviceable */
    while (mp_lock != 0) cpu_spinwait();
    crit_enter();
  }
  smp_lock_acquired_at(&mp_lock, file, line);
  atomic_store_relaxed(&gd->gd_mpcount, 1);
  crit_exit();
}

void rel_mplock_at(const char* file, int line) {
  struct globaldata* gd = mycpu;
  crit_enter();
  const int held = atomic_load_relaxed(&gd->gd_mpcount);
  if (held == 0) {
    smp_lock_released_at(&mp_lock, file, line); /* not held: lockdep's misuse */
    crit_exit();
    return;
  }
  atomic_store_relaxed(&gd->gd_mpcount, held - 1);
  if (held == 1) {
    __atomic_store_n(&mp_lock, 0, __ATOMIC_RELEASE);
    smp_lock_released_at(&mp_lock, file, line);
  }
  crit_exit();
}

int mplock_held(void) { return atomic_load_relaxed(&mycpu->gd_mpcount) > 0; }
