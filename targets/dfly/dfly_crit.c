/* Dillon's first argument: a critical section protects its own CPU only.
 * A statistics counter is bumped by a thread on CPU 0 inside a critical
 * section and by a device interrupt taken on either CPU.
 *
 *   crit_mplock     the thread holds the MP lock around its critical
 *                   section and the handler is not MPSAFE (it runs under
 *                   the MP lock): the critical section defers the
 *                   interrupt on CPU 0, the MP lock keeps CPU 1's out:
 *                   clean
 *   crit_no_mplock  the MP lock dropped (the handler MPSAFE, the thread
 *                   without get_mplock): the critical section still
 *                   defers CPU 0's interrupt, but CPU 1's handler runs
 *                   beside the thread and an update is lost: assertion */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/interrupt.h>
#include <sys/mplock2.h>
#include <sys/systm.h>
#include <sys/thread2.h>

#include "targets/dfly/dfly.h"

#define CRIT_ROUNDS 2
#define CRIT_INTRS 2

static int crit_stats;
static u_int crit_intr_runs; /* the handler's runs (lines coalesce) */

static void stats_intr(void* arg, void* frame) {
  (void)arg;
  (void)frame;
  crit_stats = crit_stats + 1;
  atomic_inc_uint(&crit_intr_runs);
}

static void stats_thread(void* arg) {
  const int mplock = arg != NULL;
  for (int i = 0; i < CRIT_ROUNDS; i++) {
    if (mplock) get_mplock();
    crit_enter();
    crit_stats = crit_stats + 1;
    crit_exit();
    if (mplock) rel_mplock();
  }
}

static void crit_setup(int mplock) {
  lwkt_init();
  const int line = register_int(6, stats_intr, NULL, "stats", NULL,
                                mplock ? 0 : INTR_MPSAFE);
  smp_intr_source(line, CRIT_INTRS, 0x3);
  smp_thread_create("stats", 0, stats_thread, DFLY_ARG(mplock));
}
static void crit_mplock_setup(void) { crit_setup(1); }
static void crit_no_mplock_setup(void) { crit_setup(0); }

static void crit_check(void) {
  const int want = CRIT_ROUNDS + (int)crit_intr_runs;
  KASSERTMSG(crit_stats == want, "counter %d, not %d: an update was lost", crit_stats, want);
}

DFLY_SCENARIO(crit_mplock, SMP_CLEAN, 4000, crit_check,
              "a critical section under the MP lock against a "
              "non-MPSAFE interrupt on either CPU")
DFLY_SCENARIO(crit_no_mplock, SMP_ASSERTION, 4000, crit_check,
              "the same critical section with the MP lock dropped: "
              "CPU 1's handler runs beside it")
