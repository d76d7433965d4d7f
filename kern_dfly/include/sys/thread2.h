/* <sys/thread2.h>: critical sections (kern_dfly/lwkt_thread.c), as
 * DragonFly's crit_enter(9) / crit_exit(9), and splz.
 *
 * What it models (DragonFly 1.x-2.x): a critical section protects the
 * running code against everything on its own CPU and nothing else. It is
 * a count, not a priority: crit_enter increments it and writes no
 * hardware register. An interrupt or an IPI that arrives while the count
 * is non-zero is not run: the entry of every kern_dfly handler
 * (register_int) sees the count, records the vector in gd_ipending and
 * returns. crit_exit that brings the count to 0 with vectors pending calls
 * splz, which runs them now: it re-asserts each deferred line on this CPU
 * (smp_send_ipi to itself), and the machine delivers them before the
 * interrupted code goes on, in a real hard-interrupt context. Another CPU
 * is not affected at all: a critical section alone does not protect data
 * that another CPU touches. DragonFly made that safe by holding the MP
 * lock around such code (<sys/mplock2.h>), and, without it, by a
 * serializer (<sys/serialize.h>) or by running the code on the CPU that
 * owns the data (<sys/thread.h>, IPI messages).
 *
 * The count is the CPU's (see <sys/globaldata.h> for why that is the
 * running thread's here). Handlers run in a critical section of their
 * own (DragonFly's interrupt threads do), so an IPI does not run inside a
 * device handler and a device handler does not interrupt another.
 *
 * Contracts: crit_exit REQUIRES a matching crit_enter by the same context
 * (an unbalanced crit_exit is an assertion verdict). A context must leave
 * every critical section before it returns.
 *
 * The count changes by one instruction, as DragonFly's ++td_critcount
 * (an incl) does, which an interrupt on the same CPU cannot split: a
 * relaxed atomic add.
 *
 * Scheduling points: crit_enter 1 (the add); crit_exit 2 (the subtract,
 * and the load of gd_ipending when the count reaches 0), plus splz's
 * when something is pending: 1 (the swap) and 1 per deferred vector (the
 * IPI). */
#ifndef SMPFUZZ_KERN_DFLY_SYS_THREAD2_H_
#define SMPFUZZ_KERN_DFLY_SYS_THREAD2_H_

#include <sys/globaldata.h>

__BEGIN_DECLS
void crit_enter(void);
void crit_exit(void);
/* Runs the vectors deferred on this CPU now (re-asserts their lines
 * here). Called by crit_exit; callable when the count is 0. */
void splz(void);
/* Whether the running context is inside a critical section (one load). */
int crit_held(void);
__END_DECLS

#endif /* SMPFUZZ_KERN_DFLY_SYS_THREAD2_H_ */
