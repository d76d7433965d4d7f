/* fxp(4): the Intel i8255x driver after its SMP conversion (if_fxpvar.h),
 * over the kernel (//kern) and the device model (fxp_nic.h). */
#include "targets/fxp/if_fxpvar.h"

#include <machine/intr.h>
#include <net/if.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/bus.h>
#include <sys/callout.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/mbuf.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/systm.h>

#include "targets/fxp/fxp_nic.h"

#define FXP_FLAG(sc, f) (((sc)->sc_flags & (f)) != 0)
#define FXP_BUG(sc, b) (((sc)->sc_bugs & (b)) != 0)
#define FXP_CD(sc) ((sc)->sc_cdata)
#define FXP_CDTX(sc, i) (&FXP_CD(sc)->cd_txcbs[(i) % FXP_NTXCB])
#define FXP_CDRX(sc, i) (&FXP_CD(sc)->cd_rfas[(i) % FXP_NRFA])
#define CSR_READ_1(sc, reg) bus_space_read_1((sc)->sc_st, (sc)->sc_sh, (reg))
#define CSR_WRITE_1(sc, reg, v) bus_space_write_1((sc)->sc_st, (sc)->sc_sh, (reg), (v))

#define FXP_LOCK(sc) mutex_enter(&(sc)->sc_mtx)
#define FXP_UNLOCK(sc) mutex_exit(&(sc)->sc_mtx)

static void fxp_tick(void* arg);
static void fxp_watchdog_locked(struct fxp_softc* sc);

/* fxp_scb_wait: until the CU leaves `state` (the chip reports it in the
 * control data). */
static void fxp_cu_wait(struct fxp_softc* sc, uint32_t state) {
  volatile uint32_t* cus = &FXP_CD(sc)->cd_cus;
  while (*cus == state) cpu_spinwait();
}

void fxp_init(struct fxp_softc* sc) {
  FXP_LOCK(sc);
  fxp_init_locked(sc);
  FXP_UNLOCK(sc);
}

void fxp_init_locked(struct fxp_softc* sc) {
  struct ifnet* ifp = &sc->sc_if;
  volatile uint32_t* cus = &FXP_CD(sc)->cd_cus;
  /* Suspend the CU at the end of its current block and wait until the
   * chip says so. */
  if (*cus == FXP_CUS_ACTIVE) {
    CSR_WRITE_1(sc, FXP_CSR_SCB_COMMAND, FXP_SCB_COMMAND_CU_SUSPEND);
    fxp_cu_wait(sc, FXP_CUS_ACTIVE);
    membar_acquire();
  }
  sc->sc_config = sc->sc_config + 1; /* reprogram the configuration */
  if (*cus == FXP_CUS_SUSPENDED) {
    /* Resume where it stopped: blocks still handed over go out after all. */
    CSR_WRITE_1(sc, FXP_CSR_SCB_COMMAND, FXP_SCB_COMMAND_CU_RESUME);
    fxp_cu_wait(sc, FXP_CUS_SUSPENDED);
  }
  ifp->if_timer = 0;
  ifp->if_flags = ifp->if_flags | IFF_RUNNING;
}

int fxp_start(struct fxp_softc* sc, uint32_t id) {
  if (FXP_BUG(sc, FXP_BUG_START_WITHOUT_LOCK)) return fxp_start_locked(sc, id);
  FXP_LOCK(sc);
  const int queued = fxp_start_locked(sc, id);
  FXP_UNLOCK(sc);
  return queued;
}

int fxp_start_locked(struct fxp_softc* sc, uint32_t id) {
  struct ifnet* ifp = &sc->sc_if;
  if ((ifp->if_flags & IFF_RUNNING) == 0) return 0;
  const int slot = sc->sc_txprod;
  struct fxp_cb_tx* cb = FXP_CDTX(sc, slot);
  if (cb->cb_status != FXP_CB_FREE) return 0; /* ring full */
  cb->tx_data = id;
  /* bus_dmamap_sync(PREWRITE): the block before its handover. */
  if (!FXP_BUG(sc, FXP_BUG_NO_PRODUCER)) membar_producer();
  cb->cb_status = FXP_CB_DEVICE;
  sc->sc_txprod = slot + 1;
  if (FXP_FLAG(sc, FXP_F_WATCHDOG)) ifp->if_timer = FXP_WATCHDOG_TICKS;
  /* The CU resume must not overtake the handover: a CU woken by it that
   * finds the block still free sleeps until the next command. */
  CSR_WRITE_1(sc, FXP_CSR_SCB_COMMAND, FXP_SCB_COMMAND_CU_RESUME);
  return 1;
}

/* REQUIRES: sc_mtx. Reclaims the blocks the CU is done with. */
static void fxp_txintr_locked(struct fxp_softc* sc) {
  struct ifnet* ifp = &sc->sc_if;
  for (;;) {
    const int r = sc->sc_txreclaim;
    struct fxp_cb_tx* cb = FXP_CDTX(sc, r);
    if (cb->cb_status != FXP_CB_DONE) break;
    KASSERTMSG(cb->tx_data != FXP_TX_TORNDOWN,
               "fxp_intr reclaims a block fxp_stop tore down under it");
    cb->cb_status = FXP_CB_FREE;
    sc->sc_txreclaim = r + 1;
    sc->sc_txcompleted = sc->sc_txcompleted + 1;
  }
  /* Everything handed over came back: the watchdog has nothing to time. */
  if (FXP_FLAG(sc, FXP_F_WATCHDOG) && sc->sc_txreclaim == sc->sc_txprod) {
    ifp->if_timer = 0;
  }
  wakeup(&sc->sc_txcompleted);
}

/* Frames fxp_rxintr_locked takes per interrupt at most; a frame left
 * COMPLETE has its own STATACK_FR and interrupt still to come. */
#define FXP_RXBATCH 8

/* REQUIRES: sc_mtx. Takes every complete frame in ring order, then passes
 * the batch up to ipintrq under one hold of its lock. */
static void fxp_rxintr_locked(struct fxp_softc* sc) {
  struct mbuf* batch[FXP_RXBATCH];
  int n = 0;
  while (n < FXP_RXBATCH) {
    const int r = sc->sc_rxcons;
    struct fxp_rfa* rfa = FXP_CDRX(sc, r);
    if (rfa->rfa_status != FXP_RFA_COMPLETE) break;
    if (FXP_BUG(sc, FXP_BUG_RX_HANDBACK_EARLY)) {
      /* The bug: the descriptor goes back before the frame is copied. */
      membar_release();
      rfa->rfa_status = FXP_RFA_EMPTY;
    }
    /* bus_dmamap_sync(POSTREAD) on the descriptor: the frame is read
     * after its status, not from before the device wrote it. */
    if (!FXP_BUG(sc, FXP_BUG_RX_NO_CONSUMER)) membar_consumer();
    const uint32_t frame = rfa->rfa_data;
    if (!FXP_BUG(sc, FXP_BUG_RX_HANDBACK_EARLY)) {
      /* Done with the buffer (PREREAD): the device may have it back. */
      membar_release();
      rfa->rfa_status = FXP_RFA_EMPTY;
    }
    sc->sc_rxcons = r + 1;
    struct mbuf* m = m_gethdr(M_DONTWAIT, MT_DATA);
    m_copyback(m, 0, sizeof frame, &frame);
    batch[n++] = m;
  }
  if (n == 0) return;
  int queued = 0;
  IFQ_LOCK(&ipintrq);
  for (int i = 0; i < n; ++i) {
    if (IF_QFULL(&ipintrq)) {
      IF_DROP(&ipintrq);
      continue; /* freed below, outside the lock */
    }
    IF_ENQUEUE(&ipintrq, batch[i]);
    batch[i] = NULL;
    ++queued;
  }
  IFQ_UNLOCK(&ipintrq);
  for (int i = 0; i < n; ++i) m_freem(batch[i]);
  if (queued > 0) schednetisr(NETISR_IP);
}

int fxp_intr(void* arg) {
  struct fxp_softc* sc = arg;
  struct ifnet* ifp = &sc->sc_if;
  FXP_LOCK(sc);
  const uint8_t statack = CSR_READ_1(sc, FXP_CSR_SCB_STATACK);
  if (FXP_BUG(sc, FXP_BUG_ACK_ALL)) {
    /* Clears events that arrived after the read, too. */
    CSR_WRITE_1(sc, FXP_CSR_SCB_STATACK, FXP_SCB_STATACK_MASK);
  } else if (statack != 0) {
    CSR_WRITE_1(sc, FXP_CSR_SCB_STATACK, statack); /* write-one-to-clear */
  }
  /* bus_dmamap_sync(POSTREAD): descriptors are read after STATACK said so. */
  membar_consumer();
  if ((statack & FXP_SCB_STATACK_CXTNO) != 0 && (ifp->if_flags & IFF_RUNNING) != 0) {
    fxp_txintr_locked(sc);
  }
  if ((statack & FXP_SCB_STATACK_FR) != 0) fxp_rxintr_locked(sc);
  FXP_UNLOCK(sc);
  return statack != 0;
}

static void fxp_watchdog_locked(struct fxp_softc* sc) {
  struct ifnet* ifp = &sc->sc_if;
  printf("%s: device timeout", "fxp0");
  ifp->if_oerrors = ifp->if_oerrors + 1;
  fxp_init_locked(sc);
}

void fxp_watchdog(struct ifnet* ifp) {
  struct fxp_softc* sc = ifp->if_softc;
  FXP_LOCK(sc);
  fxp_watchdog_locked(sc);
  FXP_UNLOCK(sc);
}

/* The tick callout: counts the transmit watchdog down, once a tick. */
static void fxp_tick(void* arg) {
  struct fxp_softc* sc = arg;
  struct ifnet* ifp = &sc->sc_if;
  FXP_LOCK(sc);
  const int t = ifp->if_timer;
  if ((ifp->if_flags & IFF_RUNNING) != 0 && t > 0) {
    ifp->if_timer = t - 1;
    if (t == 1) fxp_watchdog_locked(sc);
  }
  FXP_UNLOCK(sc);
  callout_reset(&sc->sc_tick_ch, 1, fxp_tick, sc);
}

void fxp_stop(struct fxp_softc* sc) {
  struct ifnet* ifp = &sc->sc_if;
  const int locked = !FXP_BUG(sc, FXP_BUG_STOP_WITHOUT_LOCK);
  if (locked) FXP_LOCK(sc);
  ifp->if_flags = ifp->if_flags & ~IFF_RUNNING;
  ifp->if_timer = 0;
  /* Abort the CU for good and wait until the chip says so. */
  CSR_WRITE_1(sc, FXP_CSR_SCB_COMMAND, FXP_SCB_COMMAND_CU_ABORT);
  fxp_cu_wait(sc, FXP_CUS_ACTIVE);
  membar_acquire();
  /* Tear the ring down: the chip is done with it, and fxp_intr is not in
   * the middle of reclaiming it, which sc_mtx (the handler takes it)
   * guarantees. Blocks the chip never took are dropped. */
  for (int i = 0; i < FXP_NTXCB; ++i) {
    struct fxp_cb_tx* cb = FXP_CDTX(sc, i);
    if (cb->cb_status == FXP_CB_DEVICE) sc->sc_txdropped = sc->sc_txdropped + 1;
    cb->tx_data = FXP_TX_TORNDOWN;
  }
  if (locked) FXP_UNLOCK(sc);
}

/* Reprograms the multicast filter. REQUIRES: sc_mtx. */
static void fxp_mc_setup(struct fxp_softc* sc) { sc->sc_config = sc->sc_config + 1; }

int fxp_ioctl(struct ifnet* ifp, u_long cmd, void* data) {
  struct fxp_softc* sc = ifp->if_softc;
  (void)data;
  switch (cmd) {
    case SIOCSIFFLAGS:
      FXP_LOCK(sc);
      if (FXP_BUG(sc, FXP_BUG_INIT_WITH_LOCK_HELD)) {
        fxp_init(sc); /* the public entry point, with the lock held */
      } else {
        fxp_init_locked(sc);
      }
      FXP_UNLOCK(sc);
      return 0;
    case SIOCADDMULTI:
      if (FXP_BUG(sc, FXP_BUG_GIANT_INSIDE_LOCK)) {
        /* The bug: into the non-MPSAFE layer with sc_mtx held, while a
         * non-MPSAFE fxp_intr on another CPU holds kernel_lock and spins
         * on sc_mtx. */
        FXP_LOCK(sc);
        KERNEL_LOCK(1, NULL);
        fxp_mc_setup(sc);
        KERNEL_UNLOCK_ONE(NULL);
        FXP_UNLOCK(sc);
        return 0;
      }
      KERNEL_LOCK(1, NULL); /* the order the interrupt wrapper takes them in */
      FXP_LOCK(sc);
      fxp_mc_setup(sc);
      FXP_UNLOCK(sc);
      KERNEL_UNLOCK_ONE(NULL);
      return 0;
    default:
      return 1;
  }
}

void fxp_wait_completed(struct fxp_softc* sc, int n) {
  FXP_LOCK(sc);
  while (sc->sc_txcompleted < n) {
    mtsleep(&sc->sc_txcompleted, PWAIT, "fxptx", 0, &sc->sc_mtx);
  }
  FXP_UNLOCK(sc);
}

void fxp_attach(struct fxp_softc* sc, const struct fxp_attach_args* faa) {
  struct ifnet* ifp = &sc->sc_if;
  ifp->if_xname[0] = 'f';
  ifp->if_xname[1] = 'x';
  ifp->if_xname[2] = 'p';
  ifp->if_xname[3] = '0';
  ifp->if_softc = sc;
  ifp->if_ioctl = fxp_ioctl;
  ifp->if_watchdog = fxp_watchdog;
  ifp->if_flags = IFF_UP | IFF_RUNNING;
  smp_mark_atomic(&ifp->if_flags, sizeof ifp->if_flags); /* IFF_RUNNING: a flag */
  sc->sc_flags = faa->faa_flags;
  sc->sc_bugs = faa->faa_bugs;
  mutex_init(&sc->sc_mtx, MUTEX_DEFAULT, IPL_NET);
  kernel_lock_init(); /* the ioctl path above the driver takes it */

  struct fxp_control_data* cd = kmem_zalloc(sizeof(*cd), KM_SLEEP);
  sc->sc_cdata = cd;
  /* The status words are how driver and chip hand descriptors over:
   * synchronisation, ordered by the barriers around them. The data words
   * are plain: touching one the other side owns is a race. */
  for (int i = 0; i < FXP_NTXCB; ++i) {
    smp_mark_atomic(&cd->cd_txcbs[i].cb_status, sizeof cd->cd_txcbs[i].cb_status);
  }
  for (int i = 0; i < FXP_NRFA; ++i) {
    smp_mark_atomic(&cd->cd_rfas[i].rfa_status, sizeof cd->cd_rfas[i].rfa_status);
  }

  const int line = intr_establish_xname(SPL_LEVEL_NET, 0,
                                        (faa->faa_flags & FXP_F_MPSAFE) ? IST_MPSAFE : 0,
                                        fxp_intr, sc, "fxp0");
  smp_chan_declare(&sc->sc_txcompleted, "fxp0.tx_done");
  sc->sc_st = 0;
  sc->sc_sh = fxp_nic_attach("fxp0", cd, line, &faa->faa_nic);
  if ((faa->faa_flags & FXP_F_WATCHDOG) != 0) {
    callout_init(&sc->sc_tick_ch, CALLOUT_MPSAFE);
    hardclock_source(faa->faa_ticks, (1u << faa->faa_nic.driver_cpus) - 1);
    callout_reset_setup(&sc->sc_tick_ch, 1, fxp_tick, sc);
  }
}
