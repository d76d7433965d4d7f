/* The fxp(4) driver's software state and entry points (if_fxp.c), in the
 * shape of NetBSD's i82557var.h after the SMP conversion.
 *
 * Thread-safety contract:
 *  - sc_mtx, a spin mutex at IPL_NET, protects the softc and the rings'
 *    driver side. The public entry points (fxp_init, fxp_start, fxp_stop,
 *    fxp_ioctl, fxp_watchdog, fxp_intr, the tick callout) take it; the
 *    _locked internals REQUIRE it (the FreeBSD-5 naming). Calling a public
 *    one with it held is "locking against myself" (lock_misuse); calling
 *    a _locked one without it races.
 *  - One switch, FXP_F_MPSAFE, decides how fxp_intr is established: MPSAFE,
 *    or without, in which case the interrupt wrapper runs it under
 *    kernel_lock. The driver's code is the same either way; with
 *    kernel_lock around it, the non-MPSAFE ioctl path must take
 *    kernel_lock before sc_mtx, never inside it.
 *  - Lock order: kernel_lock, then sc_mtx, then ipintrq's ifq_lock or
 *    callout_lock.
 *
 * Numbered invariants (checked by the scenarios):
 *  1. every packet fxp_start accepted is transmitted exactly once, in
 *     order per sender, unless fxp_stop took it back (counted in
 *     sc_txdropped);
 *  2. fxp_intr never reclaims a block fxp_stop tore down;
 *  3. every received frame is delivered once, in order, with its data.
 *
 * Deviations from the real driver: fxp_start is handed the packet (an
 * id) instead of taking it from if_snd, and returns whether the ring took
 * it (the caller retries); fxp_intr handles the STATACK bits it read once,
 * not in a loop; a received frame is copied into a new mbuf (the chip's
 * RFD buffers are not mbufs here), at most FXP_RXBATCH per interrupt,
 * and the batch is queued on ipintrq under one hold of its lock; the
 * tick callout keeps running after fxp_stop (it finds the interface
 * down). The bug switches (FXP_BUG_*) are constant after attach.
 *
 * Scheduling points: every access to the softc, the rings, the
 * registers, and the locks'. The fields attach sets once (sc_st, sc_sh,
 * sc_cdata, sc_flags, sc_bugs) are plain loads in the driver; the
 * scenarios declare them constants (smp_readonly), so reading them is no
 * scheduling point, as the C++ model's members were not. */
#ifndef SMPFUZZ_TARGETS_FXP_IF_FXPVAR_H_
#define SMPFUZZ_TARGETS_FXP_IF_FXPVAR_H_

#include <net/if.h>
#include <sys/bus.h>
#include <sys/callout.h>
#include <sys/mutex.h>
#include <sys/types.h>

#include "targets/fxp/fxp_nic.h"

/* sc_flags */
#define FXP_F_MPSAFE 0x1u   /* fxp_intr established MPSAFE */
#define FXP_F_WATCHDOG 0x2u /* the tick callout runs: arm if_timer */

/* sc_bugs: each a variant. */
#define FXP_BUG_NO_PRODUCER 0x001u       /* no membar_producer before the handover */
#define FXP_BUG_ACK_ALL 0x002u           /* the STATACK acknowledge clears every bit */
#define FXP_BUG_INIT_WITH_LOCK_HELD 0x004u /* the ioctl calls the public fxp_init */
#define FXP_BUG_START_WITHOUT_LOCK 0x008u
#define FXP_BUG_STOP_WITHOUT_LOCK 0x010u
#define FXP_BUG_RX_NO_CONSUMER 0x020u    /* frame read without membar_consumer */
#define FXP_BUG_RX_HANDBACK_EARLY 0x040u /* descriptor returned before the read */
#define FXP_BUG_GIANT_INSIDE_LOCK 0x080u /* kernel_lock taken under sc_mtx */

/* The model's ioctls (sys/sockio.h's names). */
#define SIOCSIFFLAGS 0x80206910UL /* here: reset the chip */
#define SIOCADDMULTI 0x80206931UL /* reprogram the multicast filter */

/* if_timer: ticks a transmission may take. */
#define FXP_WATCHDOG_TICKS 1
/* tx_data of a block fxp_stop tore down. */
#define FXP_TX_TORNDOWN 0xffffffffu

struct fxp_softc {
  struct ifnet sc_if;
  kmutex_t sc_mtx;
  /* Constant after attach. */
  bus_space_tag_t sc_st;
  bus_space_handle_t sc_sh;
  struct fxp_control_data* sc_cdata; /* the rings, shared with the chip */
  u_int sc_flags;                    /* FXP_F_* */
  u_int sc_bugs;                     /* FXP_BUG_* */
  /* Protected by sc_mtx. */
  int sc_txprod;      /* next block the driver fills */
  int sc_txreclaim;   /* next block it reclaims */
  int sc_txcompleted; /* blocks reclaimed (a wait channel) */
  int sc_txdropped;   /* blocks fxp_stop took back from the chip */
  int sc_rxcons;      /* next receive descriptor */
  int sc_config;      /* the chip's configuration generation */
  callout_t sc_tick_ch;
};

struct fxp_attach_args {
  u_int faa_flags; /* FXP_F_* */
  u_int faa_bugs;  /* FXP_BUG_* */
  unsigned faa_ticks; /* hardclock ticks on the driver CPUs (0: no clock) */
  struct fxp_nic_config faa_nic;
};

__BEGIN_DECLS
/* Set-up. Allocates the rings, establishes fxp_intr (MPSAFE or not),
 * attaches the chip, and with FXP_F_WATCHDOG the clock and the tick
 * callout. The interface starts running. */
void fxp_attach(struct fxp_softc* sc, const struct fxp_attach_args* faa);

void fxp_init(struct fxp_softc* sc);
/* REQUIRES: sc_mtx. Resets the chip: suspend, reprogram, resume. */
void fxp_init_locked(struct fxp_softc* sc);
/* Queues packet `id`; returns 0 if the ring is full or the interface is
 * down (the caller retries later). */
int fxp_start(struct fxp_softc* sc, uint32_t id);
/* REQUIRES: sc_mtx. */
int fxp_start_locked(struct fxp_softc* sc, uint32_t id);
void fxp_stop(struct fxp_softc* sc);
/* SIOCSIFFLAGS (reset) and SIOCADDMULTI. The upper layer is not MPSAFE:
 * SIOCADDMULTI takes kernel_lock, then sc_mtx. */
int fxp_ioctl(struct ifnet* ifp, u_long cmd, void* data);
/* if_watchdog: "device timeout", count it and reset the chip. */
void fxp_watchdog(struct ifnet* ifp);
/* The interrupt handler. */
int fxp_intr(void* arg);
/* Sleeps until `n` blocks were reclaimed. REQUIRES: thread context. */
void fxp_wait_completed(struct fxp_softc* sc, int n);
__END_DECLS

#endif /* SMPFUZZ_TARGETS_FXP_IF_FXPVAR_H_ */
