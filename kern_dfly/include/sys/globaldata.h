/* <sys/globaldata.h>: DragonFly's per-CPU block, struct globaldata
 * (kern_dfly/lwkt_thread.c), reached as mycpu or globaldata_find(cpu).
 *
 * What it models: the per-CPU state the DragonFly primitives keep, in
 * DragonFly's spelling. DragonFly keeps the critical section count and the
 * MP lock count in the thread (td_critcount, td_mpcount); here they are
 * the CPU's, which is the same thing on this machine: threads are not
 * preempted (a thread leaves its CPU only by parking or returning), a
 * handler runs only when the CPU is outside any critical section (else
 * it is deferred) and balances its own, and nothing in kern_dfly parks.
 * So the running context's count is the CPU's. A thread must not park
 * inside a critical section or holding the MP lock (DragonFly allows the
 * first; nothing here needs it).
 *
 * The blocks are a global array of kern_dfly, restored before each
 * execution, traced as "gd_percpu+N (gd->gd_field)": the offset says
 * which CPU (DFLY_GD_SIZE bytes each). Only the owning CPU touches its
 * block (interrupt handlers of that CPU included), so the memory model
 * never reorders what another CPU sees of it.
 *
 * Not scheduling points: mycpu, globaldata_find. Field accesses are. */
#ifndef SMPFUZZ_KERN_DFLY_SYS_GLOBALDATA_H_
#define SMPFUZZ_KERN_DFLY_SYS_GLOBALDATA_H_

#include <smp/hw.h>
#include <sys/types.h>

/* The most CPUs a kern_dfly scenario may have (lwkt_init checks). */
#define DFLY_MAXCPU 4

struct globaldata {
  /* lwkt_thread.c: the critical section depth of the running context
   * (DragonFly's td_critcount), and the interrupt vectors taken inside
   * one and deferred to crit_exit (bit i: vector i of register_int's
   * table, the IPI vector included; DragonFly's gd_ipending and
   * RQF_INTPEND). Set with a locked OR by the handler entry, taken with a
   * swap by splz. */
  int gd_critcount;
  u_int gd_ipending;
  /* kern_mplock.c: this CPU's MP lock depth (DragonFly's td_mpcount). */
  int gd_mpcount;
  int gd_unused;
};
typedef struct globaldata* globaldata_t;

#define DFLY_GD_SIZE ((int)sizeof(struct globaldata))

__BEGIN_DECLS
extern struct globaldata gd_percpu[DFLY_MAXCPU];
__END_DECLS

#define globaldata_find(cpu) (&gd_percpu[(cpu)])
#define mycpu globaldata_find(smp_cpu())
#define mycpuid smp_cpu()

#endif /* SMPFUZZ_KERN_DFLY_SYS_GLOBALDATA_H_ */
