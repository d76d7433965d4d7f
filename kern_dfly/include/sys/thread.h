/* <sys/thread.h>: IPI messages (kern_dfly/lwkt_ipiq.c), DragonFly's
 * lwkt_send_ipiq: run a function on another CPU, the tool of CPU
 * localization (data owned by one CPU is only touched there).
 *
 * What it models: for every ordered pair of CPUs, a single-producer
 * single-consumer ring of (function, argument) messages with a write
 * index the sender advances and a read index the receiver advances
 * (DragonFly's lwkt_ipiq). lwkt_send_ipiq(target, func, arg):
 *  - to its own CPU, runs func(arg) at once, in a critical section;
 *  - else, in a critical section: waits while the ring is full (running
 *    its own CPU's incoming messages meanwhile, so two CPUs sending to
 *    each other never wait for each other), writes the slot, publishes it
 *    with a releasing store of the write index, and sends the IPI after a
 *    membar_sync: the machine's IPI (as x2APIC's) is not ordered after
 *    stores still in the store buffer.
 * The IPI is a kern_dfly vector (register_int, INTR_MPSAFE, at level
 * DFLY_IPI_LEVEL): like any interrupt it is deferred while the target CPU
 * is in a critical section, and its handler (after a membar_consumer
 * pairing with the sender's barrier) runs every message waiting
 * for that CPU, in order per sender, inside the handler's critical
 * section (the ring's slot read before the releasing store of the read
 * index). So a function sent to a CPU never runs in the middle of a
 * critical section or a handler there.
 *
 * Deviations: the target is named by its globaldata (globaldata_find(n)),
 * as in DragonFly; no ipifunc2/3 forms, no return value, no
 * lwkt_wait_ipiq. IPIQ_SIZE is 4 (DragonFly's rings are larger).
 *
 * Scheduling points: a send to another CPU 10: 1 (crit_enter) + 1 (the
 * write index) + 1 (the read index) + 2 (the slot) + 1 (the release) + 1
 * (the barrier) + 1 (the IPI) + 2 (crit_exit); the receiving handler 1
 * (the barrier), 1 per other CPU (its write index, acquiring) and 3 per
 * message (the slot, the releasing store), plus the function's own.
 * Set-up: lwkt_init establishes the vector. */
#ifndef SMPFUZZ_KERN_DFLY_SYS_THREAD_H_
#define SMPFUZZ_KERN_DFLY_SYS_THREAD_H_

#include <sys/globaldata.h>

#define IPIQ_SIZE 4
/* The IPI's machine level, above every device's (<sys/interrupt.h>). */
#define DFLY_IPI_LEVEL 12

typedef void (*ipifunc1_t)(void* arg);

__BEGIN_DECLS
/* Sends func(arg) to run on `target`. Any context. */
void lwkt_send_ipiq(globaldata_t target, ipifunc1_t func, void* arg);
/* Runs every message waiting for this CPU (the IPI vector's handler). */
void lwkt_process_ipiq(void);
/* Set-up (lwkt_init): the IPI vector. */
void lwkt_ipiq_init(void);
__END_DECLS

#endif /* SMPFUZZ_KERN_DFLY_SYS_THREAD_H_ */
