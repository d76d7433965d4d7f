/* Unit checks of kern_dfly's primitives, run by kern_dfly_test.cc under no
 * preemption: one known execution each, checked from inside with KASSERT
 * (or ending in the lockdep verdict the scenario declares). Registered as
 * target "kern_dfly_unit", linked only into that test. */
#include <smp/hw.h>
#include <sys/globaldata.h>
#include <sys/interrupt.h>
#include <sys/mplock2.h>
#include <sys/serialize.h>
#include <sys/systm.h>
#include <sys/thread.h>
#include <sys/thread2.h>

static int probe_line;
static int probe_runs;
static int probe_runs_seen;

static void probe_intr(void* arg, void* frame) {
  (void)arg;
  (void)frame;
  KASSERTMSG(crit_held(), "a handler runs in a critical section");
  probe_runs = probe_runs + 1;
}

/* An interrupt taken inside a critical section is recorded in
 * gd_ipending and runs at crit_exit, not before; nested sections defer
 * it to the outermost exit. */
static void crit_thread(void* arg) {
  (void)arg;
  crit_enter();
  crit_enter();
  smp_send_ipi(0, probe_line);
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 0, "ran inside the critical section");
  KASSERTMSG(mycpu->gd_ipending != 0, "deferred in gd_ipending");
  crit_exit();
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 0, "ran at an inner crit_exit");
  crit_exit();
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 1, "ran at the outermost crit_exit (%d)", probe_runs_seen);
  KASSERTMSG(mycpu->gd_ipending == 0, "nothing left pending");
}

static void crit_setup(void) {
  probe_line = register_int(6, probe_intr, NULL, "probe", NULL, INTR_MPSAFE);
  smp_thread_create("t0", 0, crit_thread, NULL);
}

SMP_SCENARIO_C(crit_defers, .target = "kern_dfly_unit", .variant = "crit_defers",
               .description = "an interrupt inside a critical section runs at crit_exit",
               .cpus = 2, .max_steps = 2000, .setup = crit_setup)

/* An unbalanced crit_exit is an assertion. */
static void crit_unbalanced_thread(void* arg) {
  (void)arg;
  crit_exit();
}
static void crit_unbalanced_setup(void) {
  lwkt_init();
  smp_thread_create("t0", 0, crit_unbalanced_thread, NULL);
}
SMP_SCENARIO_C(crit_unbalanced, .target = "kern_dfly_unit", .variant = "crit_unbalanced",
               .description = "crit_exit without crit_enter", .expected = SMP_ASSERTION,
               .cpus = 2, .max_steps = 2000, .setup = crit_unbalanced_setup)

/* The MP lock is recursive per CPU; a handler that is not MPSAFE runs
 * under it, re-entering it over a thread of its CPU that holds it. */
static int mp_intr_saw;

static void mp_intr(void* arg, void* frame) {
  (void)arg;
  (void)frame;
  mp_intr_saw = MP_LOCK_HELD();
}

static void mplock_thread(void* arg) {
  (void)arg;
  get_mplock();
  get_mplock();
  KASSERTMSG(MP_LOCK_HELD() && mycpu->gd_mpcount == 2, "held twice");
  smp_send_ipi(0, probe_line);
  KASSERTMSG(mp_intr_saw == 1, "the handler ran under the MP lock");
  rel_mplock();
  KASSERTMSG(mp_lock == 1, "still CPU 0's after one release");
  rel_mplock();
  KASSERTMSG(!MP_LOCK_HELD() && mp_lock == 0, "free after the last release");
}

static void mplock_setup(void) {
  probe_line = register_int(6, mp_intr, NULL, "probe", NULL, 0);
  smp_thread_create("t0", 0, mplock_thread, NULL);
}
SMP_SCENARIO_C(mplock, .target = "kern_dfly_unit", .variant = "mplock",
               .description = "the MP lock is recursive per CPU; handlers run under it",
               .cpus = 2, .max_steps = 2000, .setup = mplock_setup)

/* Releasing the MP lock the CPU does not hold is lock misuse. */
static void mplock_unheld_thread(void* arg) {
  (void)arg;
  rel_mplock();
}
static void mplock_unheld_setup(void) {
  lwkt_init();
  smp_thread_create("t0", 0, mplock_unheld_thread, NULL);
}
SMP_SCENARIO_C(mplock_unheld, .target = "kern_dfly_unit", .variant = "mplock_unheld",
               .description = "rel_mplock without the MP lock", .expected = SMP_LOCK_MISUSE,
               .cpus = 2, .max_steps = 2000, .setup = mplock_unheld_setup)

/* A handler whose serializer is held is deferred to the serializer's
 * release; a disabled one does not run at all. */
static struct lwkt_serialize slz;

static void slz_intr(void* arg, void* frame) {
  (void)arg;
  (void)frame;
  KASSERTMSG(lwkt_serialize_held(&slz), "the handler holds its serializer");
  probe_runs = probe_runs + 1;
}

static void slz_thread(void* arg) {
  (void)arg;
  lwkt_serialize_enter(&slz);
  smp_send_ipi(0, probe_line);
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 0, "ran while the serializer was held");
  KASSERTMSG((slz.interlock & SLZ_DEFERRED) == 1u, "deferred on CPU 0");
  lwkt_serialize_exit(&slz);
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 1, "ran at the release");
  KASSERTMSG(lwkt_serialize_try(&slz), "try on a free serializer");
  lwkt_serialize_exit(&slz);
  lwkt_serialize_handler_disable(&slz);
  smp_send_ipi(0, probe_line);
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 1, "a disabled handler does not run");
  lwkt_serialize_handler_enable(&slz);
  smp_send_ipi(0, probe_line);
  probe_runs_seen = probe_runs;
  KASSERTMSG(probe_runs_seen == 2, "enabled again");
}

static void slz_setup(void) {
  lwkt_serialize_init(&slz);
  probe_line = register_int(6, slz_intr, NULL, "probe", &slz, INTR_MPSAFE);
  smp_thread_create("t0", 0, slz_thread, NULL);
}
SMP_SCENARIO_C(serializer, .target = "kern_dfly_unit", .variant = "serializer",
               .description = "a held serializer defers its handler; a disabled one drops it",
               .cpus = 2, .max_steps = 2000, .setup = slz_setup)

/* Entering a serializer its context holds is lockdep's recursion. */
static void slz_recursion_thread(void* arg) {
  (void)arg;
  lwkt_serialize_enter(&slz);
  lwkt_serialize_enter(&slz);
}
static void slz_recursion_setup(void) {
  lwkt_init();
  lwkt_serialize_init(&slz);
  smp_thread_create("t0", 0, slz_recursion_thread, NULL);
}
SMP_SCENARIO_C(serializer_recursion, .target = "kern_dfly_unit",
               .variant = "serializer_recursion",
               .description = "lwkt_serialize_enter twice", .expected = SMP_LOCK_MISUSE,
               .cpus = 2, .max_steps = 2000, .setup = slz_recursion_setup)

/* An IPI message runs on its target, after the sender's; to itself at
 * once. */
static int ipi_ran_on[2];

static void ipi_func(void* arg) {
  (void)arg;
  ipi_ran_on[smp_cpu()] = ipi_ran_on[smp_cpu()] + 1;
}

static void ipi_thread(void* arg) {
  (void)arg;
  lwkt_send_ipiq(globaldata_find(0), ipi_func, NULL);
  KASSERTMSG(ipi_ran_on[0] == 1, "to itself: at once");
  lwkt_send_ipiq(globaldata_find(1), ipi_func, NULL);
  lwkt_send_ipiq(globaldata_find(1), ipi_func, NULL);
}

static void ipi_check(void) {
  KASSERTMSG(ipi_ran_on[0] == 1 && ipi_ran_on[1] == 2, "ran %d on CPU 0, %d on CPU 1",
             ipi_ran_on[0], ipi_ran_on[1]);
}

static void ipi_setup(void) {
  lwkt_init();
  smp_thread_create("t0", 0, ipi_thread, NULL);
}
SMP_SCENARIO_C(ipiq, .target = "kern_dfly_unit", .variant = "ipiq",
               .description = "IPI messages run on their target CPU", .cpus = 2,
               .max_steps = 2000, .setup = ipi_setup, .check = ipi_check)
