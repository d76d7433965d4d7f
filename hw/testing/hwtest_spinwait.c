/* hwtest: cpu_spinwait() parks the spinner on the location it just loaded,
 * and spinning on a flag nobody sets is a deadlock, not a hang.
 * runtime_test.cc says which contract each one proves. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

/* ---- spinwait: cpu_spinwait() parks the spinner on the location it just
 * read. The setter yields SPIN_YIELDS times first: a spinner that polled
 * instead would take about as many steps again. With nobody to set the
 * flag the spinner is a deadlock, not a hang. */

#define SPIN_YIELDS 40

static int g_flag;
static int g_never;

static void spin_setter(void* arg) {
  (void)arg;
  for (int i = 0; i < SPIN_YIELDS; i++) smp_yield();
  g_flag = 1;
}
static void spin_waiter(void* arg) {
  (void)arg;
  while (g_flag == 0) cpu_spinwait();
}
static void spinwait_setup(void) {
  smp_thread_create("setter", 0, spin_setter, NULL);
  smp_thread_create("waiter", 1, spin_waiter, NULL);
}
static void spinwait_check(void) { KASSERT(g_flag == 1); }

SMP_SCENARIO_C(spinwait_parks, .target = "hwtest", .variant = "spinwait_parks",
               .description = "a thread spins with cpu_spinwait until a flag "
                              "another sets late",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 20000,
               .setup = spinwait_setup, .check = spinwait_check)

static void spin_forever(void* arg) {
  (void)arg;
  while (g_never == 0) cpu_spinwait();
}
static void spin_bystander(void* arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) smp_yield();
}
static void spin_forever_setup(void) {
  smp_thread_create("spinner", 0, spin_forever, NULL);
  smp_thread_create("bystander", 1, spin_bystander, NULL);
}

SMP_SCENARIO_C(spinwait_forever, .target = "hwtest", .variant = "spinwait_forever",
               .description = "a thread spins on a flag nobody ever sets",
               .expected = SMP_DEADLOCK, .cpus = 2, .max_steps = 20000,
               .setup = spin_forever_setup)
