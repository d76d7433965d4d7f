/* The interface layer (<net/if.h>): interface queues and the IP input
 * queue's softnet handler. */
#include <net/if.h>

#include <smp/hw.h>
#include <sys/intr.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/systm.h>

struct ifqueue ipintrq;

/* Set-up only, read with smp_peek while running: the softint, the
 * protocol's input routine and the bug switches. */
static void* ipintr_si;
static void (*ipintr_input)(struct mbuf*);
static unsigned ipintr_bugs;

void ifq_init_named(struct ifqueue* ifq, int maxlen, const char* name) {
  ifq->ifq_head = NULL;
  ifq->ifq_tail = NULL;
  ifq->ifq_len = 0;
  ifq->ifq_maxlen = maxlen;
  ifq->ifq_drops = 0;
  mutex_init_named(&ifq->ifq_lock, MUTEX_DEFAULT, IPL_NET, name);
}

/* Packets ipintr takes per hold of the lock. */
#define IPINTR_BATCH 8

/* softnet: takes up to IPINTR_BATCH packets under one hold of the lock,
 * then hands them to the protocol in queue order; again while it finds a
 * full batch. Stopping at a partial batch loses nothing: every enqueue is
 * followed by a schednetisr, which runs ipintr again. */
static void ipintr(void* arg) {
  (void)arg;
  const int locked = (smp_peek_var(&ipintr_bugs) & NETISR_BUG_NO_IFQ_LOCK) == 0;
  void (*input)(struct mbuf*) =
      (void (*)(struct mbuf*))(uintptr_t)smp_peek_var(&ipintr_input);
  int n;
  do {
    struct mbuf* batch[IPINTR_BATCH];
    n = 0;
    if (locked) IFQ_LOCK(&ipintrq);
    while (n < IPINTR_BATCH) {
      struct mbuf* m;
      IF_DEQUEUE(&ipintrq, m);
      if (m == NULL) break;
      batch[n++] = m;
    }
    if (locked) IFQ_UNLOCK(&ipintrq);
    for (int i = 0; i < n; ++i) (*input)(batch[i]);
  } while (n == IPINTR_BATCH);
}

void netisr_init(void (*input)(struct mbuf*), int maxlen, unsigned bugs) {
  ifq_init_named(&ipintrq, maxlen, "ipintrq.ifq_lock");
  ipintr_input = input;
  ipintr_bugs = bugs;
  ipintr_si = softint_establish(SOFTINT_NET, ipintr, NULL);
  KASSERT(ipintr_si != NULL);
}

void schednetisr(int num) {
  KASSERTMSG(num == NETISR_IP, "schednetisr: only NETISR_IP");
  softint_schedule((void*)(uintptr_t)smp_peek_var(&ipintr_si));
}
