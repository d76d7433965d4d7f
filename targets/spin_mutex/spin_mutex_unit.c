/* Unit checks of the kernel's locks (//kern), run by spin_mutex_test.cc
 * under no preemption: one known execution each, checked from inside
 * with KASSERT. Registered as target "spin_mutex_unit", linked only into
 * that test (not into smpfuzz). */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/cpu.h>
#include <sys/mutex.h>
#include <sys/simplelock.h>
#include <sys/systm.h>

#include "targets/spin_mutex/spin_mutex.h"

/* Two spin mutexes at different IPLs, released in the other order: the
 * IPL goes up with the first, further with the second, and back to the
 * saved one only with the last release. */
static kmutex_t a, b;

static void spin_ipl_thread(void* arg) {
  (void)arg;
  mutex_spin_enter(&a);
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_VM, "raised to a's IPL");
  KASSERTMSG(mutex_owned(&a), "mutex_owned");
  mutex_spin_enter(&b);
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_SCHED, "raised to b's IPL");
  KASSERTMSG(curcpu()->ci_mtx_count == 2, "two spin mutexes held");
  mutex_spin_exit(&a);
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_SCHED, "not the last: IPL stays");
  KASSERTMSG(!mutex_owned(&a), "released");
  mutex_spin_exit(&b);
  KASSERTMSG(smp_ipr_get() == 0, "the last restores the saved IPL");
  KASSERTMSG(spin_mutex_all_released(), "count back to zero");
  KASSERTMSG(mutex_tryenter(&a), "tryenter on a free mutex");
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_VM, "tryenter raised the IPL");
  mutex_exit(&a);
  KASSERTMSG(smp_ipr_get() == 0, "and mutex_exit lowered it");
}

static void spin_ipl_setup(void) {
  mutex_init(&a, MUTEX_DEFAULT, IPL_VM);
  mutex_init(&b, MUTEX_DEFAULT, IPL_SCHED);
  smp_thread_create("t0", 0, spin_ipl_thread, NULL);
}

SMP_SCENARIO_C(spin_ipl, .target = "spin_mutex_unit", .variant = "spin_ipl",
               .description = "spin mutexes raise first and restore on the last release",
               .cpus = 2, .max_steps = 5000, .setup = spin_ipl_setup)

/* mutex_init's kind follows the type and the IPL (mutex(9)); an adaptive
 * mutex knows its owner. */
static kmutex_t adaptive, spin, soft_default, soft_spin;

static void kinds_t0(void* arg) {
  (void)arg;
  KASSERTMSG(!mutex_is_spin(&adaptive) && mutex_is_spin(&spin), "kind by IPL");
  KASSERTMSG(!mutex_is_spin(&soft_default), "MUTEX_DEFAULT at IPL_SOFTNET: adaptive");
  KASSERTMSG(mutex_is_spin(&soft_spin), "MUTEX_SPIN at IPL_SOFTNET: spin");
  mutex_enter(&adaptive);
  KASSERTMSG(mutex_owned(&adaptive), "owner is the caller");
  KASSERTMSG(smp_ipr_get() == 0, "an adaptive mutex leaves the IPL alone");
  mutex_exit(&adaptive);
  mutex_spin_enter(&soft_spin);
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_SOFTNET, "a soft spin mutex raises to its level");
  mutex_spin_exit(&soft_spin);
}

static void kinds_t1(void* arg) {
  (void)arg;
  KASSERTMSG(!mutex_owned(&adaptive), "not the owner");
}

static void kinds_setup(void) {
  mutex_init(&adaptive, MUTEX_DEFAULT, IPL_NONE);
  mutex_init(&spin, MUTEX_DEFAULT, IPL_VM);
  mutex_init(&soft_default, MUTEX_DEFAULT, IPL_SOFTNET);
  mutex_init(&soft_spin, MUTEX_SPIN, IPL_SOFTNET);
  smp_thread_create("t0", 0, kinds_t0, NULL);
  smp_thread_create("t1", 1, kinds_t1, NULL);
}

SMP_SCENARIO_C(kinds, .target = "spin_mutex_unit", .variant = "kinds",
               .description = "the type and IPL choose spin or adaptive", .cpus = 2,
               .max_steps = 5000, .setup = kinds_setup)

/* kernel_lock: re-entered by its CPU, counted per CPU. */
static void giant_thread(void* arg) {
  (void)arg;
  int held = -1;
  KERNEL_LOCK(1, NULL);
  KERNEL_LOCK(2, NULL);
  KASSERTMSG(curcpu()->ci_biglock_count == 3, "recursion counted");
  KASSERTMSG(KERNEL_LOCKED_P(), "held");
  KERNEL_UNLOCK_ONE(NULL);
  KASSERTMSG(curcpu()->ci_biglock_count == 2, "one dropped");
  KERNEL_UNLOCK_ALL(NULL, &held);
  KASSERTMSG(held == 2, "KERNEL_UNLOCK_ALL says how many it dropped");
  KASSERTMSG(spin_mutex_all_released(), "all dropped");
  KASSERTMSG(smp_ipr_get() == 0, "the IPL is back");
}

static void giant_setup(void) {
  kernel_lock_init();
  smp_thread_create("t0", 0, giant_thread, NULL);
}

SMP_SCENARIO_C(giant, .target = "spin_mutex_unit", .variant = "giant",
               .description = "kernel_lock is recursive per CPU", .cpus = 2,
               .max_steps = 5000, .setup = giant_setup)

/* simple_lock: a held lock cannot be tried; the IPL is the caller's. */
static struct simplelock sl;

static void simple_thread(void* arg) {
  (void)arg;
  simple_lock(&sl);
  KASSERTMSG(!simple_lock_try(&sl), "a held lock cannot be tried");
  KASSERTMSG(smp_ipr_get() == 0, "simple_lock leaves the IPL alone");
  simple_unlock(&sl);
  KASSERTMSG(simple_lock_try(&sl), "a free one can");
  simple_unlock(&sl);
}

static void simple_setup(void) {
  simple_lock_init(&sl);
  smp_thread_create("t0", 0, simple_thread, NULL);
}

SMP_SCENARIO_C(simple, .target = "spin_mutex_unit", .variant = "simple",
               .description = "simple_lock_try fails on a held lock", .cpus = 2,
               .max_steps = 5000, .setup = simple_setup)
