/* kernel_lock scenarios: the giant lock taken recursively by threads and on
 * behalf of non-MPSAFE interrupt handlers, and the deadlock that mixing it
 * with a converted (MPSAFE) driver's own lock hides.
 *
 *   giant                      threads and a non-MPSAFE handler under
 *                              kernel_lock (+ splvm against the handler on
 *                              the same CPU)
 *   kernel_lock_mpsafe /       a driver converted to sc_lock whose timer
 *   kernel_lock_mixed          handler is MPSAFE (or, the bug, not) */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#include "targets/spin_mutex/spin_mutex.h"

/* ------------------------------------------------------------------------
 * A non-MPSAFE device handler (kernel_lock taken for it) and threads on
 * both CPUs that hold kernel_lock, re-enter it from a routine that takes it
 * itself, and raise to splvm against the handler on their own CPU (the
 * giant lock does not exclude an interrupt of its holder's CPU: that CPU
 * re-enters it). */
#define GIANT_ROUNDS 2

static int counter, intrs;

static int giant_dev_intr(void* arg) {
  (void)arg;
  counter++;
  intrs++;
  return 1;
}

static void giant_work(void) { /* a routine that takes the giant lock on its own */
  KERNEL_LOCK(1, NULL);
  const int s = splvm();
  counter++;
  splx(s);
  KERNEL_UNLOCK_ONE(NULL);
}

static void giant_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < GIANT_ROUNDS; ++i) {
    KERNEL_LOCK(1, NULL);
    giant_work();
    KERNEL_UNLOCK_ONE(NULL);
  }
}

static void giant_setup(void) {
  kernel_lock_init();
  const int dev = intr_establish_xname(SPL_LEVEL_VM, 0, /*flags=*/0, giant_dev_intr, NULL,
                                       "dev");
  smp_intr_source(dev, 2, 0x3);
  smp_thread_create("t0", 0, giant_thread, NULL);
  smp_thread_create("t1", 1, giant_thread, NULL);
}

static void giant_check(void) {
  KASSERTMSG(counter == 2 * GIANT_ROUNDS + intrs, "no increment of the counter is lost");
  KASSERTMSG(spin_mutex_all_released(), "kernel_lock released everywhere");
}

SMP_SCENARIO_C(giant, .target = "spin_mutex", .variant = "giant",
               .description = "threads and a non-MPSAFE handler under the recursive "
                              "kernel_lock",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 8000, .setup = giant_setup,
               .check = giant_check)

/* ------------------------------------------------------------------------
 * A driver converted to its own sc_lock (IPL_VM). CPU0 still calls into it
 * from code that holds kernel_lock; CPU1's code path is converted. Its
 * timer handler (IPL_SCHED, above sc_lock's IPL) keeps statistics under
 * stat_lock. Left non-MPSAFE, the timer handler interrupts CPU1 while it
 * holds sc_lock and spins for kernel_lock, which CPU0 holds while spinning
 * for sc_lock. The two threads start together, so schedules reach the
 * deadlock itself (lockdep's lock_order prediction is rarer here: it needs
 * the timer inside CPU1's section without CPU0 waiting). */
static kmutex_t sc_lock, stat_lock;
static int sc_data, ticks;

static int mixed_timer_intr(void* arg) {
  (void)arg;
  mutex_spin_enter(&stat_lock);
  ticks++;
  mutex_spin_exit(&stat_lock);
  return 1;
}

static void mixed_update(void) {
  mutex_spin_enter(&sc_lock);
  sc_data++;
  mutex_spin_exit(&sc_lock);
}

static void mixed_t0(void* arg) {
  (void)arg;
  KERNEL_LOCK(1, NULL);
  mixed_update();
  KERNEL_UNLOCK_ONE(NULL);
}

static void mixed_t1(void* arg) {
  (void)arg;
  mixed_update();
}

static void mixed_setup(int mpsafe) {
  kernel_lock_init();
  mutex_init(&sc_lock, MUTEX_DEFAULT, IPL_VM);
  mutex_init(&stat_lock, MUTEX_DEFAULT, IPL_SCHED);
  const int timer = intr_establish_xname(SPL_LEVEL_SCHED, 0, mpsafe ? IST_MPSAFE : 0,
                                         mixed_timer_intr, NULL, "timer");
  smp_intr_source(timer, 2, 0x2);
  smp_thread_create("t0", 0, mixed_t0, NULL);
  smp_thread_create("t1", 1, mixed_t1, NULL);
}
static void kernel_lock_mpsafe_setup(void) { mixed_setup(1); }
static void kernel_lock_mixed_setup(void) { mixed_setup(0); }

static void mixed_check(void) {
  KASSERTMSG(sc_data == 2, "both updates happened");
  KASSERTMSG(spin_mutex_all_released(), "every lock released");
}

SMP_SCENARIO_C(kernel_lock_mpsafe, .target = "spin_mutex", .variant = "kernel_lock_mpsafe",
               .description = "converted driver: sc_lock, and an MPSAFE timer handler",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 6000,
               .setup = kernel_lock_mpsafe_setup, .check = mixed_check)
SMP_SCENARIO_C(kernel_lock_mixed, .target = "spin_mutex", .variant = "kernel_lock_mixed",
               .description = "the timer handler left non-MPSAFE: kernel_lock taken for it "
                              "inside sc_lock on CPU1, sc_lock taken under kernel_lock on "
                              "CPU0",
               .expected = SMP_DEADLOCK, .cpus = 2, .max_steps = 6000,
               .setup = kernel_lock_mixed_setup, .check = mixed_check)
