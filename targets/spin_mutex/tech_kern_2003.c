/* The 2003 tech-kern deadlock: spl levels that are not a hierarchy, simple
 * locks taken by hand at those levels, and interrupts on two CPUs.
 *
 *   CPU0: s = splfoo(); simple_lock(&A);     CPU1: s = splbar(); simple_lock(&B);
 *   a bar interrupt on CPU0 (splfoo does     a foo interrupt on CPU1 (splbar
 *   not block bar): its handler spins on B   does not block foo): its
 *                                            handler spins on A
 *
 * Each CPU waits for the other's thread, which cannot run until its
 * handler returns: a two-CPU deadlock that no single CPU's spl discipline
 * shows. Here foo is the historical bio class and bar the net class, on
 * the lazy spl (the only implementation that keeps them unordered).
 *
 * Variants (spl_configure):
 *  - tech_kern_2003: 4.4BSD's splbio/splnet (SPL_NAMES_HISTORICAL).
 *    Lockdep predicts the A/B cycle on executions that do not deadlock; a
 *    schedule that hits it deadlocks.
 *  - tech_kern_2003_ordered: bar above foo (SPL_NAMES_ORDERED: splnet also
 *    blocks bio). CPU1 at splnet defers the foo interrupt until it has
 *    released B: silent.
 *  - tech_kern_2003_one_cpu_per_level: unordered levels plus the policy
 *    "at most one CPU at or above a level" (one_cpu_per_level). Silent, at
 *    a cost: levels are global tokens, so the threads' splbio sections
 *    serialize and interrupts are forwarded between CPUs.
 * Every variant also ends with each CPU doing independent work at splbio,
 * which only the policy serializes.
 *
 * The devices: a thread on CPU2 stands for the two devices and raises bar
 * on CPU0 and foo on CPU1 four times each, some of its steps apart, while
 * the threads run (an interrupt source would fire near the start under the
 * random scheduler, before the critical sections). t1 first does unrelated
 * work, so the two critical sections overlap on some schedules only: the
 * hazard shows on many clean executions (lockdep's lock_order) and the
 * deadlock on fewer (docs/targets.md has the numbers). */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/simplelock.h>
#include <sys/systm.h>

#include "targets/spin_mutex/spin_mutex.h"

/* The devices raise each interrupt this many times, this many of their
 * steps apart; t1 first does this many updates of unrelated work. */
#define TK_INTERRUPTS 4
#define TK_GAP 10
#define TK_PREAMBLE 12

static struct simplelock A, B;
static int a_count, b_count, foo_runs, bar_runs, work0, work1;
static volatile u_int finished;

static void foo_intr(void* arg) {
  (void)arg;
  simple_lock(&A);
  a_count++;
  simple_unlock(&A);
  foo_runs++;
}

static void bar_intr(void* arg) {
  (void)arg;
  simple_lock(&B);
  b_count++;
  simple_unlock(&B);
  bar_runs++;
}

/* arg: the bar line in the low byte, the foo line above it. */
static void devices(void* arg) {
  const int bar = ARG_INT(arg) & 0xff;
  const int foo = ARG_INT(arg) >> 8;
  for (int i = 0; i < TK_INTERRUPTS && finished < 2; ++i) {
    for (int j = 0; j < TK_GAP; ++j) smp_yield();
    smp_send_ipi(0, bar);
    for (int j = 0; j < TK_GAP; ++j) smp_yield();
    smp_send_ipi(1, foo);
  }
}

static void tk_t0(void* arg) {
  (void)arg;
  int s = splbio(); /* splfoo */
  simple_lock(&A);
  a_count++;
  simple_unlock(&A);
  splx(s);
  s = splbio();
  work0++;
  splx(s);
  atomic_inc_uint(&finished);
}

static void tk_t1(void* arg) {
  (void)arg;
  for (int i = 0; i < TK_PREAMBLE; ++i) work1++;
  int s = splnet(); /* splbar */
  simple_lock(&B);
  b_count++;
  simple_unlock(&B);
  splx(s);
  s = splbio();
  work1++;
  splx(s);
  atomic_inc_uint(&finished);
}

static void tk_setup(enum spl_names names, int one_cpu_per_level) {
  const struct spl_config config = {
      .impl = SPL_LAZY, .names = names, .one_cpu_per_level = one_cpu_per_level};
  spl_configure(&config);
  simple_lock_init(&A);
  simple_lock_init(&B);
  const int foo = spl_intr_establish("foo", SPL_LEVEL_BIO, spl_class_levels(SPL_CLASS_BIO),
                                     foo_intr, NULL);
  const int bar = spl_intr_establish("bar", SPL_LEVEL_NET, spl_class_levels(SPL_CLASS_NET),
                                     bar_intr, NULL);
  smp_thread_create("devices", 2, devices, ARG(bar | foo << 8));
  smp_thread_create("t0", 0, tk_t0, NULL);
  smp_thread_create("t1", 1, tk_t1, NULL);
}
static void tk_unordered_setup(void) { tk_setup(SPL_NAMES_HISTORICAL, 0); }
static void tk_ordered_setup(void) { tk_setup(SPL_NAMES_ORDERED, 0); }
static void tk_one_cpu_per_level_setup(void) { tk_setup(SPL_NAMES_HISTORICAL, 1); }

static void tk_check(void) {
  KASSERTMSG(a_count == 1 + foo_runs, "no update of A's data is lost");
  KASSERTMSG(b_count == 1 + bar_runs, "no update of B's data is lost");
  for (int k = 0; k < ncpu; ++k) {
    KASSERTMSG(cpu_lookup(k)->ci_ipending == 0, "every deferred interrupt was replayed");
  }
}

SMP_SCENARIO_C(tech_kern_2003, .target = "spin_mutex", .variant = "tech_kern_2003",
               .description = "CPU0 splbio+A, CPU1 splnet+B, bar(net) interrupt on CPU0 "
                              "wants B, foo(bio) on CPU1 wants A; unordered levels: deadlock",
               .expected = SMP_LOCK_ORDER, .cpus = 3, .max_steps = 6000,
               .setup = tk_unordered_setup, .check = tk_check)
SMP_SCENARIO_C(tech_kern_2003_ordered, .target = "spin_mutex",
               .variant = "tech_kern_2003_ordered",
               .description = "the same with bar above foo (splnet blocks bio): silent",
               .expected = SMP_CLEAN, .cpus = 3, .max_steps = 6000,
               .setup = tk_ordered_setup, .check = tk_check)
SMP_SCENARIO_C(tech_kern_2003_one_cpu_per_level, .target = "spin_mutex",
               .variant = "tech_kern_2003_one_cpu_per_level",
               .description = "unordered levels, but at most one CPU at or above a level "
                              "(level tokens, interrupts forwarded to the token's owner)",
               .expected = SMP_CLEAN, .cpus = 3, .max_steps = 6000,
               .setup = tk_one_cpu_per_level_setup, .check = tk_check)
