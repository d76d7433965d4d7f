/* <net/if.h>: the network interface layer a driver needs, minimal
 * (kern/if.c): struct ifnet, the interface queues (struct ifqueue and the
 * IF_* macros) and the IP input queue ipintrq with its softnet handler.
 *
 * What it models (4.4BSD / NetBSD 5 if.h, netisr):
 *  - struct ifnet: the flags (IFF_UP, IFF_RUNNING), the transmit watchdog
 *    counter if_timer, the error counters and the driver's entry points.
 *    The fields are plain: whoever touches them holds the driver's lock.
 *  - struct ifqueue: a FIFO of packets linked by m_nextpkt, with a length,
 *    a limit and a drop count. The IF_* macros REQUIRE the queue's lock
 *    held by the caller (NetBSD 5 used splnet; an MPSAFE driver's
 *    interrupt handler on another CPU needs a lock: ifq_lock, a spin
 *    mutex at IPL_NET). IF_ENQUEUE on a full queue is the caller's
 *    business: check IF_QFULL first, IF_DROP and m_freem if full.
 *  - ipintrq: the IP input queue. A driver's receive interrupt queues
 *    packets on it under its lock and calls schednetisr(NETISR_IP); the
 *    softnet softint ipintr drains the queue (schedules coalesce), a batch
 *    of packets per hold of its lock (FreeBSD's netisr takes its
 *    workstream the same way), handing each packet, in order, to the
 *    protocol's input routine. ipintr is not
 *    MPSAFE (NetBSD's ipintr under softnet_lock / KERNEL_LOCK): on two
 *    CPUs it is serialised by kernel_lock, which keeps delivery in order.
 *
 * Deviations: one protocol (IP), whose input routine is the scenario's
 * (netisr_init); ifq_maxlen is constant after ifq_init and read without
 * a scheduling point (smp_peek), as the C++ model's capacity was a
 * constant; no if_snd, no ALTQ, no interface list.
 *
 * Bug switch (netisr_init's `bugs`): NETISR_BUG_NO_IFQ_LOCK, ipintr
 * takes ipintrq's packets without its lock.
 *
 * Scheduling points: IF_QFULL 1 (ifq_len); IF_DROP 2; IF_ENQUEUE 6;
 * IF_DEQUEUE 1 if empty, else 6 or 7. schednetisr is softint_schedule's. */
#ifndef SMPFUZZ_KERN_NET_IF_H_
#define SMPFUZZ_KERN_NET_IF_H_

#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/types.h>

#define IFNAMSIZ 16
#define IFF_UP 0x0001
#define IFF_RUNNING 0x0040
#define IFQ_MAXLEN 50

struct ifnet {
  char if_xname[IFNAMSIZ];
  void* if_softc;
  int if_flags;           /* IFF_* */
  int if_timer;           /* watchdog ticks left; 0: disarmed */
  u_long if_opackets;
  u_long if_oerrors;
  u_long if_ipackets;
  void (*if_start)(struct ifnet*);
  int (*if_ioctl)(struct ifnet*, u_long, void*);
  void (*if_watchdog)(struct ifnet*);
};

struct ifqueue {
  struct mbuf* ifq_head;
  struct mbuf* ifq_tail;
  int ifq_len;
  int ifq_maxlen; /* constant after ifq_init */
  int ifq_drops;
  kmutex_t ifq_lock; /* spin, IPL_NET: the IF_* macros require it */
};

#define IFQ_LOCK(ifq) mutex_enter(&(ifq)->ifq_lock)
#define IFQ_UNLOCK(ifq) mutex_exit(&(ifq)->ifq_lock)

#define IF_QFULL(ifq) \
  ((ifq)->ifq_len >= (int)smp_peek_var(&(ifq)->ifq_maxlen))
#define IF_DROP(ifq) ((ifq)->ifq_drops++)
#define IF_ENQUEUE(ifq, m)                 \
  do {                                     \
    struct mbuf* const m_enq_ = (m);       \
    struct mbuf* const t_enq_ = (ifq)->ifq_tail; \
    m_enq_->m_nextpkt = NULL;              \
    if (t_enq_ == NULL)                    \
      (ifq)->ifq_head = m_enq_;            \
    else                                   \
      t_enq_->m_nextpkt = m_enq_;          \
    (ifq)->ifq_tail = m_enq_;              \
    (ifq)->ifq_len++;                      \
  } while (0)
#define IF_DEQUEUE(ifq, m)                         \
  do {                                             \
    struct mbuf* const h_deq_ = (ifq)->ifq_head;   \
    (m) = h_deq_;                                  \
    if (h_deq_ != NULL) {                          \
      struct mbuf* const n_deq_ = h_deq_->m_nextpkt; \
      (ifq)->ifq_head = n_deq_;                    \
      if (n_deq_ == NULL) (ifq)->ifq_tail = NULL;  \
      h_deq_->m_nextpkt = NULL;                    \
      (ifq)->ifq_len--;                            \
    }                                              \
  } while (0)
#define IF_IS_EMPTY(ifq) ((ifq)->ifq_len == 0)

/* ---- netisr: the IP input queue ---- */

#define NETISR_IP 2
#define NETISR_BUG_NO_IFQ_LOCK 0x1u

extern struct ifqueue ipintrq;

__BEGIN_DECLS
/* Set-up. An empty queue of at most `maxlen` packets, its lock named
 * `name` (a string literal). */
void ifq_init_named(struct ifqueue* ifq, int maxlen, const char* name);
/* Set-up. Initialises ipintrq (at most `maxlen` packets) and establishes
 * ipintr at SOFTINT_NET, not MPSAFE, handing each packet to `input`,
 * which owns it (m_freem). `bugs`: NETISR_BUG_*. */
void netisr_init(void (*input)(struct mbuf*), int maxlen, unsigned bugs);
/* Requests the softnet run of protocol `num` on this CPU
 * (softint_schedule). */
void schednetisr(int num);
__END_DECLS

#define ifq_init(ifq, maxlen) ifq_init_named((ifq), (maxlen), #ifq)

#endif /* SMPFUZZ_KERN_NET_IF_H_ */
