/* Per-CPU protocol threads (<net/netisr2.h>). */
#include <net/netisr2.h>

#include <net/if.h>
#include <smp/hw.h>
#include <sys/interrupt.h>
#include <sys/mbuf.h>
#include <sys/systm.h>
#include <sys/thread.h>
#include <sys/thread2.h>

struct netisr_cpu {
  struct ifqueue nc_queue; /* touched by its CPU only, in critical sections */
  int nc_count;            /* set-up: packets its thread delivers */
};
static struct netisr_cpu netisr_cpu[DFLY_MAXCPU];
static void (*netisr_input)(struct mbuf*); /* set-up, read with smp_peek */

static void netisr_enqueue_local(void* arg) {
  struct mbuf* m = arg;
  struct ifqueue* q = &netisr_cpu[smp_cpu()].nc_queue;
  crit_enter();
  IF_ENQUEUE(q, m);
  crit_exit();
  smp_unpark(q);
}

static void netisr_thread(void* arg) {
  struct netisr_cpu* nc = arg;
  struct ifqueue* q = &nc->nc_queue;
  void (*input)(struct mbuf*) =
      (void (*)(struct mbuf*))(uintptr_t)smp_peek_var(&netisr_input);
  const int count = (int)smp_peek_var(&nc->nc_count);
  for (int n = 0; n < count; n++) {
    struct mbuf* m;
    for (;;) {
      crit_enter();
      IF_DEQUEUE(q, m);
      crit_exit();
      if (m != NULL) break;
      smp_park_while(q, &q->ifq_len, 0);
    }
    (*input)(m);
  }
}

void netisr_cpu_init(void (*input)(struct mbuf*), const int* counts) {
  static const char* const names[DFLY_MAXCPU] = {"netisr0", "netisr1", "netisr2",
                                                 "netisr3"};
  lwkt_init();
  netisr_input = input;
  for (int cpu = 0; cpu < smp_ncpu(); cpu++) {
    struct netisr_cpu* nc = &netisr_cpu[cpu];
    nc->nc_queue.ifq_maxlen = IFQ_MAXLEN;
    nc->nc_count = counts[cpu];
    smp_chan_declare(&nc->nc_queue, names[cpu]);
    smp_thread_create(names[cpu], cpu, netisr_thread, nc);
  }
}

int netisr_hashcpu(u_int hash) { return (int)(hash % (u_int)smp_ncpu()); }

void netisr_queue(int cpu, struct mbuf* m) {
  lwkt_send_ipiq(globaldata_find(cpu), netisr_enqueue_local, m);
}
