/* <net/netisr2.h>: per-CPU protocol threads for network input
 * (kern_dfly/netisr2.c), DragonFly's netisr: CPU localization of the
 * protocol layer.
 *
 * What it models: each CPU has its own protocol thread ("netisrN", bound
 * to CPU N) and its own input queue, which only that CPU touches, inside
 * critical sections. A driver hands a packet to the CPU its flow hashes
 * to (netisr_hashcpu): netisr_queue on that CPU enqueues it directly; from
 * any other CPU it is forwarded by IPI message (<sys/thread.h>) and
 * enqueued there. So the protocol's per-flow state, kept per CPU, is only
 * ever touched by one CPU's thread and needs no lock. The queue is
 * <net/if.h>'s struct ifqueue with its IF_* macros under a critical
 * section instead of ifq_lock (which is never taken here).
 *
 * Set-up: netisr_cpu_init(input, counts) creates the threads; thread N hands
 * `counts[N]` packets to `input` (which owns each one: m_freem) and then
 * returns, so an execution ends when every packet has been delivered
 * (a packet never delivered leaves its thread parked: a lost wakeup).
 * An empty queue parks the thread with smp_park_while on the queue's
 * length, so a wakeup in between is not lost.
 *
 * Deviations: one protocol; no message ports (lwkt_port), no
 * netmsg; the flow hash is the caller's (DragonFly computes a Toeplitz or
 * software hash of the packet).
 *
 * Scheduling points: netisr_queue on the packet's CPU 3 (the send's
 * critical section) + 1 + 6 (IF_ENQUEUE) + 2 + 1 (the wakeup); from
 * another CPU, lwkt_send_ipiq's and the same on the target. A thread's
 * round: 1 + IF_DEQUEUE's + 2, and the park. */
#ifndef SMPFUZZ_KERN_DFLY_NET_NETISR2_H_
#define SMPFUZZ_KERN_DFLY_NET_NETISR2_H_

#include <sys/globaldata.h>
#include <sys/mbuf.h>

__BEGIN_DECLS
/* Set-up. One protocol thread per CPU; thread N delivers counts[N]
 * packets to `input`. */
void netisr_cpu_init(void (*input)(struct mbuf*), const int* counts);
/* The CPU that owns flow `hash` (not a scheduling point). */
int netisr_hashcpu(u_int hash);
/* Hands `m` to the protocol thread of CPU `cpu`. Any context. */
void netisr_queue(int cpu, struct mbuf* m);
__END_DECLS

#endif /* SMPFUZZ_KERN_DFLY_NET_NETISR2_H_ */
