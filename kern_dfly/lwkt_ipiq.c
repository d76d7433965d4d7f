/* IPI messages (<sys/thread.h>). */
#include <sys/thread.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/interrupt.h>
#include <sys/systm.h>
#include <sys/thread2.h>

struct lwkt_ipiq {
  int ip_rindex; /* advanced by the receiver */
  int ip_windex; /* advanced by the sender */
  struct {
    ipifunc1_t func;
    void* arg;
  } ip_info[IPIQ_SIZE];
};

/* [sender][receiver] */
static struct lwkt_ipiq ipiq_ring[DFLY_MAXCPU][DFLY_MAXCPU];
static int ipiq_line; /* set-up, read with smp_peek */

static void ipiq_intr(void* arg, void* frame) {
  (void)arg;
  (void)frame;
  lwkt_process_ipiq();
}

void lwkt_ipiq_init(void) {
  ipiq_line = register_int(DFLY_IPI_LEVEL, ipiq_intr, NULL, "ipiq", NULL, INTR_MPSAFE);
}

void lwkt_send_ipiq(globaldata_t target, ipifunc1_t func, void* arg) {
  const int me = smp_cpu();
  const int dst = (int)(target - gd_percpu);
  crit_enter();
  if (dst == me) {
    (*func)(arg);
    crit_exit();
    return;
  }
  struct lwkt_ipiq* ip = &ipiq_ring[me][dst];
  const int w = ip->ip_windex;
  while (w - __atomic_load_n(&ip->ip_rindex, __ATOMIC_ACQUIRE) >= IPIQ_SIZE) {
    lwkt_process_ipiq(); /* what others send us while we wait */
    cpu_spinwait();
  }
  ip->ip_info[w % IPIQ_SIZE].func = func;
  ip->ip_info[w % IPIQ_SIZE].arg = arg;
  __atomic_store_n(&ip->ip_windex, w + 1, __ATOMIC_RELEASE);
  /* The IPI is not ordered after stores still in this CPU's store buffer:
   * without the barrier the target could take it, see the old write
   * index, and a second IPI coalescing with the first would be lost. */
  membar_sync();
  smp_send_ipi(dst, (int)smp_peek_var(&ipiq_line));
  crit_exit();
}

void lwkt_process_ipiq(void) {
  const int me = smp_cpu();
  /* Pairs with the sender's membar_sync before the IPI: the write
   * indexes read below are at least as new as the IPI that brought us. */
  membar_consumer();
  for (int src = 0; src < smp_ncpu(); src++) {
    if (src == me) continue;
    struct lwkt_ipiq* ip = &ipiq_ring[src][me];
    const int w = __atomic_load_n(&ip->ip_windex, __ATOMIC_ACQUIRE);
    for (int r = ip->ip_rindex; r != w; r++) {
      const ipifunc1_t func = ip->ip_info[r % IPIQ_SIZE].func;
      void* const arg = ip->ip_info[r % IPIQ_SIZE].arg;
      __atomic_store_n(&ip->ip_rindex, r + 1, __ATOMIC_RELEASE);
      (*func)(arg);
    }
  }
}
