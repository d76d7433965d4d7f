/* nic: one small network driver of fxp's shape (a transmit ring the
 * driver fills and the interrupt reclaims, a free-slot count both
 * change, public entry points over _locked ones) written once and built
 * under three SMP disciplines, chosen at attach:
 *
 *   NIC_SPL_GIANT   NetBSD before MP: splnet() on the local CPU and the
 *                   giant lock (KERNEL_LOCK) across CPUs; the interrupt
 *                   is established without IST_MPSAFE, so it runs under
 *                   kernel_lock (//kern);
 *   NIC_MUTEX       NetBSD 5: a spin mutex at IPL_NET taken by every path
 *                   and by the MPSAFE interrupt handler (//kern);
 *   NIC_SERIALIZER  DragonFly: the device's serializer taken by every
 *                   path; the handler registered with it, so it runs
 *                   holding it (//kern_dfly).
 *
 * Each discipline's characteristic mistakes are bug switches (NIC_BUG_*),
 * one per scenario (nic_scenarios.c, docs/targets-more.md's table).
 *
 * Contracts: nic_attach in set-up; nic_start from a thread; the softc's
 * flags are constants after attach (smp_readonly), so reading them costs
 * no scheduling point. */
#ifndef SMPFUZZ_TARGETS_NIC_IF_NICVAR_H_
#define SMPFUZZ_TARGETS_NIC_IF_NICVAR_H_

#include <sys/mutex.h>
#include <sys/serialize.h>
#include <sys/types.h>

#define NIC_SLOTS 4

enum nic_discipline { NIC_SPL_GIANT = 0, NIC_MUTEX = 1, NIC_SERIALIZER = 2 };

/* Bug switches. */
#define NIC_BUG_NO_SPL 0x01u    /* spl+giant: the start path without splnet */
#define NIC_BUG_NO_GIANT 0x02u  /* spl+giant: the start path without the giant lock */
#define NIC_BUG_NO_LOCK 0x04u   /* mutex, serializer: the start path unlocked */
#define NIC_BUG_ADAPTIVE 0x08u  /* mutex: sc_mtx made at IPL_NONE (adaptive) */
#define NIC_BUG_CRIT_ONLY 0x10u /* serializer: a critical section instead of it */

struct nic_softc {
  int sc_discipline; /* constant after attach */
  u_int sc_bugs;     /* constant after attach */
  kmutex_t sc_mtx;   /* NIC_MUTEX */
  struct lwkt_serialize sc_slz; /* NIC_SERIALIZER */
  int sc_prod;       /* next slot the driver fills */
  int sc_cons;       /* next slot the interrupt reclaims */
  int sc_txfree;     /* free slots */
  int sc_ring[NIC_SLOTS];
  u_long sc_opackets; /* frames the interrupt reclaimed */
};

__BEGIN_DECLS
/* Set-up: the softc for `discipline` with `bugs`; establishes the
 * interrupt and returns its line (for smp_intr_source). */
int nic_attach(struct nic_softc* sc, enum nic_discipline discipline, u_int bugs);
/* Queues frame `frame` (non-zero) for transmission; returns 0 when the
 * ring is full. Takes the discipline's lock. */
int nic_start(struct nic_softc* sc, int frame);
__END_DECLS

#endif /* SMPFUZZ_TARGETS_NIC_IF_NICVAR_H_ */
