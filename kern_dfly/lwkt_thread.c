/* Critical sections (<sys/thread2.h>) and the per-CPU blocks
 * (<sys/globaldata.h>). */
#include <sys/thread2.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/globaldata.h>
#include <sys/systm.h>

#include "kern_dfly/dfly_private.h"

struct globaldata gd_percpu[DFLY_MAXCPU];

/* The count changes by one instruction (DragonFly's ++td_critcount is an
 * incl), which an interrupt on this CPU cannot split: a relaxed atomic
 * add, one scheduling point. Only this CPU touches it. */
void crit_enter(void) { __atomic_add_fetch(&mycpu->gd_critcount, 1, __ATOMIC_RELAXED); }

void crit_exit(void) {
  struct globaldata* gd = mycpu;
  const int count = __atomic_sub_fetch(&gd->gd_critcount, 1, __ATOMIC_RELAXED);
  KASSERTMSG(count >= 0, "crit_exit without crit_enter");
  if (count == 0 && gd->gd_ipending != 0) splz();
}

int crit_held(void) { return atomic_load_relaxed(&mycpu->gd_critcount) != 0; }

void splz(void) {
  struct globaldata* gd = mycpu;
  u_int pending = atomic_swap_uint(&gd->gd_ipending, 0);
  while (pending != 0) {
    const int vec = __builtin_ctz(pending);
    pending &= pending - 1;
    smp_send_ipi(smp_cpu(), dfly_intr_line(vec));
  }
}
