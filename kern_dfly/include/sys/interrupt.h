/* <sys/interrupt.h>: establishing interrupt handlers in kern_dfly
 * (kern_dfly/kern_intr.c), DragonFly's register_int.
 *
 * What it models: a handler `handler(arg, frame)` (inthand2_t; frame is
 * always NULL) on a hardware line at machine level `level` (1..31, the
 * machine delivers a line above the CPU's priority mask). Every handler
 * is entered through one dispatch routine, which, in this order:
 *  1. defers it if the CPU is in a critical section (<sys/thread2.h>):
 *     the vector's bit in gd_ipending, run at crit_exit;
 *  2. enters a critical section for the handler (DragonFly's interrupt
 *     threads run their handlers in one);
 *  3. takes the MP lock around it unless `flags` has INTR_MPSAFE
 *     (DragonFly's non-MPSAFE interrupts run under the MP lock);
 *  4. with a `serializer`, calls it through lwkt_serialize_handler_call
 *     (<sys/serialize.h>): the handler runs holding the device's
 *     serializer, never while the handler is disabled, and is deferred to
 *     the serializer's release when another context holds it.
 *
 * Deviations: the line is the interrupt (no IRQ numbers, no cpuid
 * argument: a scenario routes a line with smp_intr_source). DragonFly
 * runs handlers in interrupt threads, which may block; here a handler is
 * a hard-interrupt context, which cannot, so where the thread would block
 * on the serializer the handler is deferred instead. One handler per
 * serializer.
 *
 * Set-up only. At most DFLY_NINTR vectors per execution (the IPI vector
 * of <sys/thread.h> is one). The table is written in set-up and read with
 * smp_peek: the dispatch's own scheduling points are gd_critcount's load
 * (1), then crit_enter's and crit_exit's around the handler (3), the MP
 * lock's and the serializer's; a deferral costs the load and the OR (2). */
#ifndef SMPFUZZ_KERN_DFLY_SYS_INTERRUPT_H_
#define SMPFUZZ_KERN_DFLY_SYS_INTERRUPT_H_

#include <sys/types.h>

#define INTR_MPSAFE 0x0200
#define DFLY_NINTR 16

struct lwkt_serialize;
typedef void inthand2_t(void* arg, void* frame);

__BEGIN_DECLS
/* Set-up. Returns the hardware line (for smp_intr_source). */
int register_int(int level, inthand2_t* handler, void* arg, const char* name,
                 struct lwkt_serialize* serializer, int flags);
/* Set-up. The first call (register_int, lwkt_ipiq_init and
 * mplock_init make it) sets kern_dfly up for this execution: declares
 * the MP lock and establishes the IPI vector. REQUIRES: at most
 * DFLY_MAXCPU CPUs. */
void lwkt_init(void);
__END_DECLS

#endif /* SMPFUZZ_KERN_DFLY_SYS_INTERRUPT_H_ */
