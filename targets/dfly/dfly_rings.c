/* The serializer as a driver's lock: a transmit path on CPU 1 fills the
 * ring and the interrupt, taken on either CPU and registered with the
 * device's serializer, reclaims it. Both change sc_txfree.
 *
 *   rings_serialized     the transmit path holds the serializer: clean
 *   rings_no_serializer  it touches the ring without it: the interrupt on
 *                        CPU 0 and the transmit path on CPU 1 lose an
 *                        update of sc_txfree: assertion */
#include <smp/hw.h>
#include <sys/interrupt.h>
#include <sys/serialize.h>
#include <sys/systm.h>

#include "targets/dfly/dfly.h"

#define RING_SLOTS 4
#define RING_SENDS 2

struct ring_softc {
  struct lwkt_serialize sc_slz;
  int sc_prod;   /* next slot the driver fills */
  int sc_cons;   /* next slot the interrupt reclaims */
  int sc_txfree; /* free slots */
  int sc_ring[RING_SLOTS];
};
static struct ring_softc ring0;

static void ring_send(struct ring_softc* sc, int frame) {
  if (sc->sc_txfree == 0) return;
  const int prod = sc->sc_prod;
  sc->sc_ring[prod % RING_SLOTS] = frame;
  sc->sc_prod = prod + 1;
  sc->sc_txfree = sc->sc_txfree - 1;
}

static void ring_intr(void* arg, void* frame) {
  (void)frame;
  struct ring_softc* sc = arg;
  for (int cons = sc->sc_cons; cons != sc->sc_prod; cons++) {
    KASSERTMSG(sc->sc_ring[cons % RING_SLOTS] != 0, "slot %d reclaimed twice", cons);
    sc->sc_ring[cons % RING_SLOTS] = 0;
    sc->sc_cons = cons + 1;
    sc->sc_txfree = sc->sc_txfree + 1;
  }
}

static void sender(void* arg) {
  const int serialized = arg != NULL;
  struct ring_softc* sc = &ring0;
  for (int i = 1; i <= RING_SENDS; i++) {
    if (serialized) lwkt_serialize_enter(&sc->sc_slz);
    ring_send(sc, i);
    if (serialized) lwkt_serialize_exit(&sc->sc_slz);
  }
}

static void rings_setup(int serialized) {
  struct ring_softc* sc = &ring0;
  lwkt_init();
  lwkt_serialize_init_bugs(&sc->sc_slz, "ring0.sc_slz", 0);
  sc->sc_txfree = RING_SLOTS;
  const int line = register_int(6, ring_intr, sc, "ring0", &sc->sc_slz, INTR_MPSAFE);
  smp_intr_source(line, 2, 0x3);
  smp_thread_create("sender", 1, sender, DFLY_ARG(serialized));
}
static void rings_serialized_setup(void) { rings_setup(1); }
static void rings_no_serializer_setup(void) { rings_setup(0); }

static void rings_check(void) {
  const struct ring_softc* sc = &ring0;
  KASSERTMSG(sc->sc_txfree == RING_SLOTS - (sc->sc_prod - sc->sc_cons),
             "txfree %d with %d slots in use: an update was lost", sc->sc_txfree,
             sc->sc_prod - sc->sc_cons);
}

DFLY_SCENARIO(rings_serialized, SMP_CLEAN, 4000, rings_check,
              "the transmit path fills the ring holding the device's "
              "serializer")
DFLY_SCENARIO(rings_no_serializer, SMP_ASSERTION, 4000, rings_check,
              "the transmit path fills the ring without the serializer")
