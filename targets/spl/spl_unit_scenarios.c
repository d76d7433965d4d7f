/* The kernel's spl one call at a time: small scenarios of the test-only
 * target "spl_unit" (not linked into smpfuzz), each run once under no
 * preemption by spl_test.cc and checked from inside with KASSERT. They
 * pin down the contract of <machine/intr.h> that the spl scenarios only
 * exercise: return values, what the mask register and ci_ilevel_mask
 * hold, deferral and replay, and the names tables.
 *
 *   levels                     the IPLs are a hierarchy, the historical
 *                              names are not
 *   hard_raise / _lowers       splraise never lowers, splx and spl0 restore
 *                              (and the raise_can_lower bug lowers)
 *   lazy_defer / _no_replay    a blocked interrupt is deferred and splx
 *                              replays it (and the splx_no_replay bug not)
 *   unordered_historical /     at splbio a network interrupt runs; at splnet
 *   unordered_ordered          a disk interrupt is deferred iff ordered */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/cpu.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* ---- levels: pure arithmetic on the tables (no scheduling point) ---- */

static void levels_thread(void* arg) {
  (void)arg;
  KASSERT(ipl_levels(IPL_VM) == SPL_UPTO(SPL_LEVEL_VM));
  KASSERT((ipl_levels(IPL_SCHED) & ipl_levels(IPL_VM)) == ipl_levels(IPL_VM));
  KASSERT(spl_names_levels(SPL_NAMES_NETBSD, SPL_CLASS_BIO) == ipl_levels(IPL_VM));
  KASSERT(spl_names_levels(SPL_NAMES_NETBSD, SPL_CLASS_NET) == ipl_levels(IPL_VM));
  KASSERT(spl_names_levels(SPL_NAMES_NETBSD, SPL_CLASS_CLOCK) == ipl_levels(IPL_SCHED));
  KASSERTMSG((spl_names_levels(SPL_NAMES_HISTORICAL, SPL_CLASS_BIO) &
              SPL_BIT(SPL_LEVEL_NET)) == 0,
             "splbio does not block net");
  KASSERTMSG((spl_names_levels(SPL_NAMES_HISTORICAL, SPL_CLASS_NET) &
              SPL_BIT(SPL_LEVEL_BIO)) == 0,
             "splnet does not block bio");
  KASSERTMSG((spl_names_levels(SPL_NAMES_HISTORICAL, SPL_CLASS_TTY) &
              SPL_BIT(SPL_LEVEL_NET)) != 0,
             "spltty blocks net");
  const int classes =
      SPL_BIT(SPL_LEVEL_BIO) | SPL_BIT(SPL_LEVEL_NET) | SPL_BIT(SPL_LEVEL_TTY);
  KASSERT((spl_names_levels(SPL_NAMES_HISTORICAL, SPL_CLASS_IMP) & classes) == classes);
  KASSERTMSG((spl_names_levels(SPL_NAMES_ORDERED, SPL_CLASS_NET) &
              SPL_BIT(SPL_LEVEL_BIO)) != 0,
             "ordered: splnet blocks bio");
  KASSERT(spl_highest(SPL_UPTO(SPL_LEVEL_SCHED)) == SPL_LEVEL_SCHED);
  KASSERT(spl_highest(0) == 0);
}

static void levels_setup(void) { smp_thread_create("t0", 0, levels_thread, NULL); }

SMP_SCENARIO_C(levels, .target = "spl_unit", .variant = "levels",
               .description = "IPLs are a hierarchy, the historical names are not",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 5000,
               .setup = levels_setup)

/* ---- hard_raise: the mask register under splraise / splx / spl0 ---- */

static void hard_raise_thread(void* arg) {
  (void)arg;
  const int s0 = splsched();
  KASSERTMSG(s0 == 0, "splsched returns the old level");
  const int s1 = splvm();
  KASSERTMSG(s1 == SPL_UPTO(SPL_LEVEL_SCHED), "splvm returns splsched's level");
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_SCHED, "splraise never lowers");
  splx(s1);
  KASSERTMSG(smp_ipr_get() == SPL_LEVEL_SCHED, "splx restores splsched");
  splx(s0);
  KASSERTMSG(smp_ipr_get() == 0, "splx restores IPL_NONE");
  splhigh();
  KASSERTMSG(spl0() == SPL_UPTO(SPL_LEVEL_HIGH), "spl0 returns the old level");
  KASSERTMSG(smp_ipr_get() == 0, "spl0 lowers to IPL_NONE");
}

static void hard_raise_setup_with(int raise_can_lower) {
  const struct spl_config config = {.impl = SPL_HARD,
                                    .raise_can_lower = raise_can_lower};
  spl_configure(&config);
  smp_thread_create("t0", 0, hard_raise_thread, NULL);
}
static void hard_raise_setup(void) { hard_raise_setup_with(0); }
static void hard_raise_lowers_setup(void) { hard_raise_setup_with(1); }

SMP_SCENARIO_C(hard_raise, .target = "spl_unit", .variant = "hard_raise",
               .description = "splraise never lowers the mask; splx and spl0 restore",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 5000,
               .setup = hard_raise_setup)
SMP_SCENARIO_C(hard_raise_lowers, .target = "spl_unit", .variant = "hard_raise_lowers",
               .description = "raise_can_lower: splvm at splsched lowers the mask",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 5000,
               .setup = hard_raise_lowers_setup)

/* ---- lazy_defer: t0 raises to splvm, sends its own CPU a disk interrupt,
 * checks it was deferred, lowers, and checks it ran (with the no-replay
 * bug it does not). ---- */

static int ran;

static void defer_intr(void* arg) {
  (void)arg;
  ran = ran + 1;
}

static void lazy_defer_thread(void* line) {
  const int s = splvm();
  smp_send_ipi(0, VAL(line));
  smp_yield();
  KASSERTMSG(ran == 0, "blocked: deferred, not run");
  KASSERTMSG(curcpu()->ci_ipending == (uint64_t)1 << VAL(line), "recorded pending");
  KASSERTMSG(smp_ipr_get() == 0, "the hardware mask stays low");
  splx(s);
  KASSERTMSG(ran == 1, "splx replays it");
  KASSERTMSG(curcpu()->ci_ipending == 0, "nothing left pending");
}

static void lazy_defer_setup_with(int splx_no_replay) {
  const struct spl_config config = {.impl = SPL_LAZY,
                                    .splx_no_replay = splx_no_replay};
  spl_configure(&config);
  const int line = spl_intr_establish("disk", SPL_LEVEL_BIO, 0, defer_intr, NULL);
  smp_thread_create("t0", 0, lazy_defer_thread, ARG(line));
}
static void lazy_defer_setup(void) { lazy_defer_setup_with(0); }
static void lazy_defer_no_replay_setup(void) { lazy_defer_setup_with(1); }

SMP_SCENARIO_C(lazy_defer, .target = "spl_unit", .variant = "lazy_defer",
               .description = "a blocked interrupt is deferred and splx replays it",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 5000,
               .setup = lazy_defer_setup)
SMP_SCENARIO_C(lazy_defer_no_replay, .target = "spl_unit",
               .variant = "lazy_defer_no_replay",
               .description = "splx_no_replay: the deferred interrupt stays pending",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 5000,
               .setup = lazy_defer_no_replay_setup)

/* ---- unordered: at splbio a network interrupt still runs; at splnet a
 * disk interrupt is deferred only when the levels are ordered. ---- */

static int disk_ran, net_ran;

static void unordered_wd(void* arg) {
  (void)arg;
  disk_ran = 1;
}
static void unordered_ne(void* arg) {
  (void)arg;
  net_ran = 1;
}

/* The lines travel in the argument: disk line in the low byte, network
 * line in the next, ordered in bit 16. */
static void unordered_thread(void* arg) {
  const int disk = VAL(arg) & 0xff, net = (VAL(arg) >> 8) & 0xff;
  const int ordered = (VAL(arg) >> 16) & 1;
  int s = splbio();
  smp_send_ipi(0, net);
  smp_yield();
  KASSERTMSG(net_ran == 1, "splbio does not block net");
  splx(s);
  s = splnet();
  smp_send_ipi(0, disk);
  smp_yield();
  KASSERTMSG(disk_ran == (ordered ? 0 : 1), "splnet blocks bio iff the levels are ordered");
  splx(s);
  KASSERTMSG(disk_ran == 1, "and splx replays it");
}

static void unordered_setup_with(enum spl_names names) {
  const struct spl_config config = {.impl = SPL_LAZY, .names = names};
  spl_configure(&config);
  const int wd_line = spl_intr_establish("wd", SPL_LEVEL_BIO, spl_class_levels(SPL_CLASS_BIO),
                               unordered_wd, NULL);
  const int ne_line = spl_intr_establish("ne", SPL_LEVEL_NET, spl_class_levels(SPL_CLASS_NET),
                               unordered_ne, NULL);
  const int ordered = names == SPL_NAMES_ORDERED;
  smp_thread_create("t0", 0, unordered_thread,
                    ARG(wd_line | (ne_line << 8) | (ordered << 16)));
}
static void unordered_historical_setup(void) { unordered_setup_with(SPL_NAMES_HISTORICAL); }
static void unordered_ordered_setup(void) { unordered_setup_with(SPL_NAMES_ORDERED); }

SMP_SCENARIO_C(unordered_historical, .target = "spl_unit",
               .variant = "unordered_historical",
               .description = "4.4BSD names: splbio and splnet block each other's "
                              "class not at all",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 5000,
               .setup = unordered_historical_setup)
SMP_SCENARIO_C(unordered_ordered, .target = "spl_unit", .variant = "unordered_ordered",
               .description = "ordered names: splnet blocks bio",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 5000,
               .setup = unordered_ordered_setup)
