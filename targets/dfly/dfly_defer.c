/* Dillon's per-device interrupt deferral: a driver's stop routine
 * disables its device's interrupt handler (lwkt_serialize_handler_disable)
 * and tears down what the handler uses (the ring), while the device
 * interrupts on either CPU. The two races his argument names:
 *
 *   defer_wait        the flag is set with a locked bus cycle and stop
 *                     then holds the serializer, which waits for a
 *                     handler already running on the other CPU, before
 *                     the teardown: clean
 *   defer_plain_flag  the flag set without a locked bus cycle (the
 *                     serializer's SLZ_BUG_PLAIN_DISABLE): a handler
 *                     starting on the other CPU takes the serializer
 *                     between the load and the store, the store wipes its
 *                     hold, and stop's enter does not wait: assertion
 *   defer_no_wait     the flag is set correctly but stop does not wait for
 *                     a handler already running on the other CPU: it
 *                     frees the ring under it: assertion */
#include <smp/hw.h>
#include <sys/interrupt.h>
#include <sys/kmem.h>
#include <sys/serialize.h>
#include <sys/systm.h>

#include "targets/dfly/dfly.h"

#define DEFER_RING 2

struct defer_softc {
  struct lwkt_serialize sc_slz;
  int sc_running;
  int* sc_ring; /* kmem, DEFER_RING ints */
};
static struct defer_softc defer0;

static void defer_intr(void* arg, void* frame) {
  (void)frame;
  struct defer_softc* sc = arg;
  KASSERTMSG(sc->sc_running, "the handler ran after stop");
  int* ring = sc->sc_ring;
  ring[0] = ring[0] + 1;
  ring[1] = ring[0];
}

static void defer_stop(void* arg) {
  const int wait = arg != NULL;
  struct defer_softc* sc = &defer0;
  lwkt_serialize_handler_disable(&sc->sc_slz);
  if (wait) lwkt_serialize_enter(&sc->sc_slz);
  sc->sc_running = 0;
  int* ring = sc->sc_ring;
  sc->sc_ring = NULL;
  kmem_free(ring, DEFER_RING * sizeof(int));
  if (wait) lwkt_serialize_exit(&sc->sc_slz);
}

static void defer_setup(u_int bugs, int wait) {
  struct defer_softc* sc = &defer0;
  lwkt_init();
  lwkt_serialize_init_bugs(&sc->sc_slz, "defer0.sc_slz", bugs);
  sc->sc_running = 1;
  sc->sc_ring = kmem_zalloc(DEFER_RING * sizeof(int), KM_SLEEP);
  const int line = register_int(6, defer_intr, sc, "defer0", &sc->sc_slz, INTR_MPSAFE);
  smp_intr_source(line, 2, 0x3);
  smp_thread_create("stop", 0, defer_stop, DFLY_ARG(wait));
}
static void defer_wait_setup(void) { defer_setup(0, 1); }
static void defer_plain_flag_setup(void) { defer_setup(SLZ_BUG_PLAIN_DISABLE, 1); }
static void defer_no_wait_setup(void) { defer_setup(0, 0); }

DFLY_SCENARIO(defer_wait, SMP_CLEAN, 4000, NULL,
              "stop disables the handler with a locked cycle and "
              "waits for a running one before freeing the ring")
DFLY_SCENARIO(defer_plain_flag, SMP_ASSERTION, 4000, NULL,
              "the disable flag set without a locked bus cycle "
              "while the handler starts on the other CPU")
DFLY_SCENARIO(defer_no_wait, SMP_ASSERTION, 4000, NULL,
              "stop frees the ring without waiting for a handler "
              "already running on the other CPU")
