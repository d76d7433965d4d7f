/* The nic driver (if_nicvar.h): one body, three locking disciplines. */
#include "targets/nic/if_nicvar.h"

#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/interrupt.h>
#include <sys/mutex.h>
#include <sys/serialize.h>
#include <sys/systm.h>
#include <sys/thread2.h>

/* ---- The discipline's lock: the only part that differs ---- */

static int nic_lock(struct nic_softc* sc) {
  const u_int bugs = sc->sc_bugs;
  int s = 0;
  switch (sc->sc_discipline) {
    case NIC_SPL_GIANT:
      if ((bugs & NIC_BUG_NO_GIANT) == 0) KERNEL_LOCK(1, NULL);
      if ((bugs & NIC_BUG_NO_SPL) == 0) s = splnet();
      break;
    case NIC_MUTEX:
      if ((bugs & NIC_BUG_NO_LOCK) == 0) mutex_enter(&sc->sc_mtx);
      break;
    case NIC_SERIALIZER:
      if ((bugs & NIC_BUG_CRIT_ONLY) != 0)
        crit_enter();
      else if ((bugs & NIC_BUG_NO_LOCK) == 0)
        lwkt_serialize_enter(&sc->sc_slz);
      break;
  }
  return s;
}

static void nic_unlock(struct nic_softc* sc, int s) {
  const u_int bugs = sc->sc_bugs;
  switch (sc->sc_discipline) {
    case NIC_SPL_GIANT:
      if ((bugs & NIC_BUG_NO_SPL) == 0) splx(s);
      if ((bugs & NIC_BUG_NO_GIANT) == 0) KERNEL_UNLOCK_ONE(NULL);
      break;
    case NIC_MUTEX:
      if ((bugs & NIC_BUG_NO_LOCK) == 0) mutex_exit(&sc->sc_mtx);
      break;
    case NIC_SERIALIZER:
      if ((bugs & NIC_BUG_CRIT_ONLY) != 0)
        crit_exit();
      else if ((bugs & NIC_BUG_NO_LOCK) == 0)
        lwkt_serialize_exit(&sc->sc_slz);
      break;
  }
}

/* ---- The driver proper, the same under every discipline ---- */

/* REQUIRES: the discipline's lock. */
static int nic_start_locked(struct nic_softc* sc, int frame) {
  const int free = sc->sc_txfree;
  if (free == 0) return 0;
  const int prod = sc->sc_prod;
  sc->sc_ring[prod % NIC_SLOTS] = frame;
  sc->sc_prod = prod + 1;
  sc->sc_txfree = free - 1;
  return 1;
}

/* REQUIRES: the discipline's lock. The chip has sent every frame handed
 * to it; reclaim their slots. */
static void nic_intr_locked(struct nic_softc* sc) {
  const int prod = sc->sc_prod;
  for (int cons = sc->sc_cons; cons != prod; cons++) {
    KASSERTMSG(sc->sc_ring[cons % NIC_SLOTS] != 0, "slot %d reclaimed twice", cons);
    sc->sc_ring[cons % NIC_SLOTS] = 0;
    sc->sc_cons = cons + 1;
    sc->sc_txfree = sc->sc_txfree + 1;
    sc->sc_opackets = sc->sc_opackets + 1;
  }
}

int nic_start(struct nic_softc* sc, int frame) {
  const int s = nic_lock(sc);
  const int queued = nic_start_locked(sc, frame);
  nic_unlock(sc, s);
  return queued;
}

/* NetBSD, before MP: established without IST_MPSAFE, so kernel_lock is
 * held around it; the line's level blocks it on its own CPU. */
static int nic_intr_giant(void* arg) {
  nic_intr_locked(arg);
  return 1;
}

/* NetBSD 5: MPSAFE, the handler takes the driver's spin mutex. */
static int nic_intr_mutex(void* arg) {
  struct nic_softc* sc = arg;
  mutex_enter(&sc->sc_mtx);
  nic_intr_locked(sc);
  mutex_exit(&sc->sc_mtx);
  return 1;
}

/* DragonFly: registered with the serializer, so it runs holding it. */
static void nic_intr_serialized(void* arg, void* frame) {
  (void)frame;
  nic_intr_locked(arg);
}

int nic_attach(struct nic_softc* sc, enum nic_discipline discipline, u_int bugs) {
  sc->sc_discipline = discipline;
  sc->sc_bugs = bugs;
  sc->sc_txfree = NIC_SLOTS;
  smp_readonly_var(&sc->sc_discipline);
  smp_readonly_var(&sc->sc_bugs);
  switch (discipline) {
    case NIC_SPL_GIANT:
      return intr_establish_xname(SPL_LEVEL_NET, 0, 0, nic_intr_giant, sc, "nic0");
    case NIC_MUTEX:
      mutex_init_named(&sc->sc_mtx, MUTEX_DEFAULT,
                       (bugs & NIC_BUG_ADAPTIVE) != 0 ? IPL_NONE : IPL_NET, "nic0.sc_mtx");
      return intr_establish_xname(SPL_LEVEL_NET, 0, IST_MPSAFE, nic_intr_mutex, sc, "nic0");
    case NIC_SERIALIZER:
      lwkt_serialize_init_bugs(&sc->sc_slz, "nic0.sc_slz", 0);
      return register_int(SPL_LEVEL_NET, nic_intr_serialized, sc, "nic0", &sc->sc_slz,
                          INTR_MPSAFE);
  }
  return -1;
}
