/* CPU localization: data owned by one CPU is touched only there, and
 * other CPUs send the work to it by IPI message instead of taking a lock.
 *
 * A driver localized on CPU 0: its transmit count is changed by its
 * start routine and by its interrupt, which is routed to CPU 0 only; no
 * lock, only CPU 0's critical sections (handlers and IPI messages each
 * run in one there).
 *   start_ipiq     the upper layer on CPU 1 forwards the start call to
 *                  CPU 0 with lwkt_send_ipiq: clean
 *   start_direct   it calls the driver's start directly on CPU 1, beside
 *                  the interrupt on CPU 0: a lost update, assertion
 *
 * Per-CPU protocol threads (<net/netisr2.h>): packets received on either
 * CPU are handed to the protocol thread of the CPU their flow hashes to;
 * the protocol's per-flow state has no lock.
 * Both CPUs receive frames of both flows (a two-queue NIC).
 *   netisr_local   the receive handler queues each packet with
 *                  netisr_queue (forwarded by IPI message when the flow
 *                  is another CPU's): clean
 *   netisr_direct  it runs the protocol input itself on the CPU that took
 *                  the interrupt: two CPUs update one flow, assertion */
#include <net/netisr2.h>
#include <smp/hw.h>
#include <sys/interrupt.h>
#include <sys/mbuf.h>
#include <sys/systm.h>
#include <sys/thread.h>

#include "targets/dfly/dfly.h"


/* ---- A driver localized on CPU 0 ---- */

#define START_CALLS 2
#define START_INTRS 3

struct loc_softc {
  int sc_txcnt;   /* frames handed to the chip, not yet completed */
  int sc_started; /* written by start only */
  int sc_reaped;  /* written by the interrupt only */
};
static struct loc_softc loc0;

static void loc_start(void* arg) {
  struct loc_softc* sc = arg;
  sc->sc_txcnt = sc->sc_txcnt + 1;
  sc->sc_started = sc->sc_started + 1;
}

static void loc_intr(void* arg, void* frame) {
  (void)frame;
  struct loc_softc* sc = arg;
  const int n = sc->sc_txcnt;
  if (n > 0) {
    sc->sc_txcnt = n - 1;
    sc->sc_reaped = sc->sc_reaped + 1;
  }
}

static void upper(void* arg) {
  const int direct = arg != NULL;
  for (int i = 0; i < START_CALLS; i++) {
    if (direct)
      loc_start(&loc0);
    else
      lwkt_send_ipiq(globaldata_find(0), loc_start, &loc0);
  }
}

static void start_setup(int direct) {
  lwkt_init();
  const int line = register_int(6, loc_intr, &loc0, "loc0", NULL, INTR_MPSAFE);
  smp_intr_source(line, START_INTRS, 0x1);
  smp_thread_create("upper", 1, upper, DFLY_ARG(direct));
}
static void start_ipiq_setup(void) { start_setup(0); }
static void start_direct_setup(void) { start_setup(1); }

static void start_check(void) {
  const struct loc_softc* sc = &loc0;
  KASSERTMSG(sc->sc_started == START_CALLS, "%d starts", sc->sc_started);
  KASSERTMSG(sc->sc_txcnt == sc->sc_started - sc->sc_reaped,
             "txcnt %d, started %d, reaped %d: an update was lost", sc->sc_txcnt,
             sc->sc_started, sc->sc_reaped);
}

DFLY_SCENARIO(start_ipiq, SMP_CLEAN, 4000, start_check,
              "the upper layer on CPU 1 forwards the driver's start "
              "to its interrupt's CPU by IPI message")
DFLY_SCENARIO(start_direct, SMP_ASSERTION, 4000, start_check,
              "the upper layer calls the driver's start directly "
              "from CPU 1")

/* ---- Per-CPU protocol threads ---- */

/* A two-queue NIC (receive-side scaling): each CPU has its own receive
 * ring and line; every ring holds one frame of each flow. A handler
 * drains its whole ring (lines coalesce). */
#define RX_FLOWS 2
#define RX_PACKETS (2 * RX_FLOWS)

static int rx_next[2];             /* per ring: the next frame's flow */
static int flow_packets[RX_FLOWS]; /* the protocol's per-flow state, no lock */

static void proto_input(struct mbuf* m) {
  int flow;
  m_copydata(m, 0, sizeof flow, &flow);
  flow_packets[flow] = flow_packets[flow] + 1;
  m_freem(m);
}

static void rx_intr(void* arg, void* frame) {
  (void)frame;
  const int direct = arg != NULL;
  int* next = &rx_next[smp_cpu()];
  for (int flow = *next; flow < RX_FLOWS; flow = *next) {
    *next = flow + 1;
    struct mbuf* m = m_gethdr(M_DONTWAIT, MT_DATA);
    m_copyback(m, 0, sizeof flow, &flow);
    if (direct)
      proto_input(m);
    else
      netisr_queue(netisr_hashcpu((u_int)flow), m);
  }
}

static void netisr_setup(int direct) {
  static const int local_counts[2] = {RX_PACKETS / 2, RX_PACKETS / 2};
  static const int direct_counts[2] = {0, 0};
  netisr_cpu_init(proto_input, direct ? direct_counts : local_counts);
  smp_intr_source(register_int(6, rx_intr, DFLY_ARG(direct), "rx0", NULL, INTR_MPSAFE), 1, 0x1);
  smp_intr_source(register_int(6, rx_intr, DFLY_ARG(direct), "rx1", NULL, INTR_MPSAFE), 1, 0x2);
}
static void netisr_local_setup(void) { netisr_setup(0); }
static void netisr_direct_setup(void) { netisr_setup(1); }

static void netisr_check(void) {
  for (int f = 0; f < RX_FLOWS; f++) {
    KASSERTMSG(flow_packets[f] == RX_PACKETS / RX_FLOWS,
               "flow %d saw %d packets, not %d", f, flow_packets[f],
               RX_PACKETS / RX_FLOWS);
  }
}

DFLY_SCENARIO(netisr_local, SMP_CLEAN, 6000, netisr_check,
              "received packets go to the protocol thread of their "
              "flow's CPU (netisr_queue)")
DFLY_SCENARIO(netisr_direct, SMP_ASSERTION, 6000, netisr_check,
              "the receive interrupt runs the protocol input itself, "
              "on whichever CPU took it")
