/* The spl target's scenarios, over the kernel's spl (<machine/intr.h>,
 * kern/spl.c, kern/spl_lazy.c). Each workload runs on the hardware-mask
 * and the lazy implementation; each bug variant switches on one of
 * struct spl_config's bug switches (or, for unbalanced_splx, misuses the
 * API in an error path) and declares the verdict it must produce.
 *
 *   counter_hard / counter_lazy          a counter shared by a thread and a
 *   raise_lowers_hard / _lazy            clock handler, nested splsched +
 *                                        splvm; the bug: splraise lowers
 *   wakeup_hard / wakeup_lazy            a disk interrupt must wake the
 *   splx_no_replay, splx_window,         thread waiting for its transfer;
 *   unbalanced_splx                      the bugs lose that interrupt
 *   historical_lazy /                    4.4BSD's unordered splbio/splnet:
 *   historical_wrong_level               splnet does not block bio
 *
 * A thread's switches travel in its argument: a global read by a running
 * thread would be a scheduling point the workload does not have. */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/cpu.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* Nothing deferred may be left behind when everything has finished (the
 * lazy spl's pending sets; always empty under the hardware mask). */
static void check_nothing_pending(void) {
  for (int k = 0; k < ncpu; k++) {
    KASSERTMSG(cpu_lookup(k)->ci_ipending == 0,
               "every deferred interrupt was replayed");
  }
}

static void configure(enum spl_impl impl, enum spl_names names, int raise_can_lower,
                      int splx_no_replay, int splx_check_then_lower) {
  const struct spl_config config = {
      .impl = impl,
      .names = names,
      .raise_can_lower = raise_can_lower,
      .splx_no_replay = splx_no_replay,
      .splx_check_then_lower = splx_check_then_lower,
  };
  spl_configure(&config);
}

/* ---------------------------------------------------------------------------
 * A counter shared by a thread and a clock handler on CPU0. The thread
 * holds splsched around the update and calls a helper that raises to splvm
 * on its own (a routine that does not know its caller's level): splraise
 * must not lower, or the clock handler can run between the load and the
 * store. */

#define COUNTER_ROUNDS 2
#define COUNTER_TICKS 2

static int counter, ticks;

static void clock_intr(void* arg) {
  (void)arg;
  counter = counter + 1;
  ticks = ticks + 1;
}

static void bump_vm(void) {
  const int s = splvm();
  counter = counter + 1;
  splx(s);
}

static void counter_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < COUNTER_ROUNDS; i++) {
    const int s = splsched();
    bump_vm();
    splx(s);
  }
}

static void counter_setup(enum spl_impl impl, int bug) {
  configure(impl, SPL_NAMES_NETBSD, bug, 0, 0);
  const int clock = spl_intr_establish("clock", SPL_LEVEL_SCHED, 0, clock_intr, NULL);
  smp_intr_source(clock, COUNTER_TICKS, 0x1);
  smp_thread_create("t0", 0, counter_thread, NULL);
}
static void counter_hard_setup(void) { counter_setup(SPL_HARD, 0); }
static void counter_lazy_setup(void) { counter_setup(SPL_LAZY, 0); }
static void raise_lowers_hard_setup(void) { counter_setup(SPL_HARD, 1); }
static void raise_lowers_lazy_setup(void) { counter_setup(SPL_LAZY, 1); }

static void counter_check(void) {
  KASSERTMSG(counter == COUNTER_ROUNDS + ticks, "no increment of the counter is lost");
  check_nothing_pending();
}

SMP_SCENARIO_C(counter_hard, .target = "spl", .variant = "counter_hard",
               .description = "thread at splsched + splvm vs clock handler, "
                              "hardware masking",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = counter_hard_setup, .check = counter_check)
SMP_SCENARIO_C(counter_lazy, .target = "spl", .variant = "counter_lazy",
               .description = "thread at splsched + splvm vs clock handler, lazy spl",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = counter_lazy_setup, .check = counter_check)
SMP_SCENARIO_C(raise_lowers_hard, .target = "spl", .variant = "raise_lowers_hard",
               .description = "splraise(IPL_VM) at splsched lowers the mask: the "
                              "clock handler lands inside the update",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = raise_lowers_hard_setup, .check = counter_check)
SMP_SCENARIO_C(raise_lowers_lazy, .target = "spl", .variant = "raise_lowers_lazy",
               .description = "splraise(IPL_VM) at splsched lowers cpl: the clock "
                              "handler lands inside the update",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = raise_lowers_lazy_setup, .check = counter_check)

/* ---------------------------------------------------------------------------
 * biowait: the thread starts a transfer under splbio and sleeps until the
 * disk's completion interrupt (on its CPU) marks it done and wakes it. The
 * disk (a thread on CPU1 standing for the device) interrupts CPU0 at some
 * point after the request is posted. The first start attempt finds the
 * device busy and takes the error path. */

static int req, done, queued;
static char bufwait; /* the wait channel */

static void disk_intr(void* arg) {
  (void)arg;
  if (req != 1) return;
  req = 2;
  queued = queued - 1;
  done = 1;
  smp_unpark(&bufwait);
}

static int disk_start(int attempt, int unbalanced) {
  const int s = splbio();
  if (attempt == 0) {         /* EBUSY */
    if (!unbalanced) splx(s); /* the bug forgets this one */
    return 0;
  }
  queued = queued + 1;
  req = 1;
  splx(s);
  return 1;
}

static void wakeup_thread(void* unbalanced) {
  for (int attempt = 0; !disk_start(attempt, VAL(unbalanced)); attempt++) {
  }
  while (done == 0) smp_park_while(&bufwait, &done, 0);
}

static void disk_thread(void* line) {
  while (req == 0) cpu_spinwait();
  smp_send_ipi(0, VAL(line));
}

static void wakeup_setup(enum spl_impl impl, int splx_no_replay,
                         int splx_check_then_lower, int unbalanced) {
  configure(impl, SPL_NAMES_NETBSD, 0, splx_no_replay, splx_check_then_lower);
  smp_chan_declare(&bufwait, "bufwait");
  const int line = spl_intr_establish("disk", SPL_LEVEL_BIO, 0, disk_intr, NULL);
  smp_thread_create("t0", 0, wakeup_thread, ARG(unbalanced));
  smp_thread_create("disk", 1, disk_thread, ARG(line));
}
static void wakeup_hard_setup(void) { wakeup_setup(SPL_HARD, 0, 0, 0); }
static void wakeup_lazy_setup(void) { wakeup_setup(SPL_LAZY, 0, 0, 0); }
static void splx_no_replay_setup(void) { wakeup_setup(SPL_LAZY, 1, 0, 0); }
static void splx_window_setup(void) { wakeup_setup(SPL_LAZY, 0, 1, 0); }
static void unbalanced_splx_setup(void) { wakeup_setup(SPL_HARD, 0, 0, 1); }

static void wakeup_check(void) {
  KASSERTMSG(done == 1 && queued == 0, "the transfer completed");
  check_nothing_pending();
}

SMP_SCENARIO_C(wakeup_hard, .target = "spl", .variant = "wakeup_hard",
               .description = "biowait under splbio, disk interrupt wakes it; "
                              "hardware masking",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = wakeup_hard_setup, .check = wakeup_check)
SMP_SCENARIO_C(wakeup_lazy, .target = "spl", .variant = "wakeup_lazy",
               .description = "biowait under splbio, disk interrupt wakes it; lazy "
                              "spl replays the deferred interrupt in splx",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = wakeup_lazy_setup, .check = wakeup_check)
SMP_SCENARIO_C(splx_no_replay, .target = "spl", .variant = "splx_no_replay",
               .description = "lazy splx lowers cpl without replaying: the deferred "
                              "disk interrupt is lost and the thread never wakes",
               .expected = SMP_LOST_WAKEUP, .cpus = 2, .max_steps = 4000,
               .setup = splx_no_replay_setup, .check = wakeup_check)
SMP_SCENARIO_C(splx_window, .target = "spl", .variant = "splx_window",
               .description = "lazy splx checks pending, enables interrupts, then "
                              "lowers: an interrupt in between is deferred and "
                              "never replayed",
               .expected = SMP_LOST_WAKEUP, .cpus = 2, .max_steps = 4000,
               .setup = splx_window_setup, .check = wakeup_check)
SMP_SCENARIO_C(unbalanced_splx, .target = "spl", .variant = "unbalanced_splx",
               .description = "the EBUSY error path returns without splx: the IPL "
                              "stays at splbio and the completion interrupt is "
                              "never taken",
               .expected = SMP_LOST_WAKEUP, .cpus = 2, .max_steps = 4000,
               .setup = unbalanced_splx_setup, .check = wakeup_check)

/* ---------------------------------------------------------------------------
 * 4.4BSD's unordered levels (lazy spl, the only one that can keep them
 * unordered): a thread updates a disk counter and a network counter, each
 * shared with its device's handler, under the level of that device. Using
 * splnet for the disk counter is the historical mistake: splnet does not
 * block bio. */

static int bio_count, net_count, bio_intrs, net_intrs;

static void wd_intr(void* arg) {
  (void)arg;
  bio_count = bio_count + 1;
  bio_intrs = bio_intrs + 1;
}

static void ne_intr(void* arg) {
  (void)arg;
  net_count = net_count + 1;
  net_intrs = net_intrs + 1;
}

static void classes_thread(void* wrong_level) {
  for (int i = 0; i < 2; i++) {
    int s = VAL(wrong_level) ? splnet() : splbio();
    bio_count = bio_count + 1;
    splx(s);
    s = splnet();
    net_count = net_count + 1;
    splx(s);
  }
}

static void classes_setup(int wrong_level) {
  configure(SPL_LAZY, SPL_NAMES_HISTORICAL, 0, 0, 0);
  const int wd = spl_intr_establish("wd", SPL_LEVEL_BIO,
                                    spl_class_levels(SPL_CLASS_BIO), wd_intr, NULL);
  const int ne = spl_intr_establish("ne", SPL_LEVEL_NET,
                                    spl_class_levels(SPL_CLASS_NET), ne_intr, NULL);
  smp_intr_source(wd, 2, 0x1);
  smp_intr_source(ne, 2, 0x1);
  smp_thread_create("t0", 0, classes_thread, ARG(wrong_level));
}
static void historical_lazy_setup(void) { classes_setup(0); }
static void historical_wrong_level_setup(void) { classes_setup(1); }

static void classes_check(void) {
  KASSERTMSG(bio_count == 2 + bio_intrs, "no disk count is lost");
  KASSERTMSG(net_count == 2 + net_intrs, "no network count is lost");
  check_nothing_pending();
}

SMP_SCENARIO_C(historical_lazy, .target = "spl", .variant = "historical_lazy",
               .description = "4.4BSD unordered splbio/splnet, each protecting its "
                              "class",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = historical_lazy_setup, .check = classes_check)
SMP_SCENARIO_C(historical_wrong_level, .target = "spl",
               .variant = "historical_wrong_level",
               .description = "disk counter updated under splnet: unordered levels, "
                              "so the disk interrupt still lands in the update",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = historical_wrong_level_setup, .check = classes_check)
