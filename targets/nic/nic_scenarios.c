/* The nic target's scenarios: a sender thread on CPU 0 queues NIC_FRAMES
 * frames while the chip interrupts either CPU (NIC_INTRS times), under
 * each discipline, correct and with that discipline's characteristic
 * mistakes (if_nicvar.h). The final check: every slot is either free or
 * in flight, and every reclaimed frame counted once.
 *
 *   spl_giant              splnet + KERNEL_LOCK: clean
 *   spl_giant_no_spl       the giant lock without splnet: the interrupt on
 *                          CPU 0 re-enters the giant lock (it is the
 *                          CPU's) and runs in the middle of the update:
 *                          assertion
 *   spl_giant_no_giant     splnet without the giant lock: CPU 1's
 *                          interrupt runs beside it: assertion
 *   mutex                  a spin mutex at IPL_NET: clean
 *   mutex_no_lock          the start path without it: assertion
 *   mutex_adaptive         the mutex made at IPL_NONE, so adaptive, and
 *                          taken in the hard interrupt: lock_misuse
 *   serializer             the device's serializer: clean
 *   serializer_no_lock     the start path without it: assertion
 *   serializer_crit_only   a critical section instead of it: CPU 1's
 *                          handler runs beside it: assertion */
#include <smp/hw.h>
#include <sys/interrupt.h>
#include <sys/systm.h>

#include "targets/nic/if_nicvar.h"

#define NIC_FRAMES 3
#define NIC_INTRS 3

static struct nic_softc nic0;

static void sender(void* arg) {
  struct nic_softc* sc = arg;
  for (int i = 1; i <= NIC_FRAMES; i++) (void)nic_start(sc, i);
}

static void nic_setup(enum nic_discipline discipline, u_int bugs) {
  if (discipline == NIC_SERIALIZER) lwkt_init();
  const int line = nic_attach(&nic0, discipline, bugs);
  smp_intr_source(line, NIC_INTRS, 0x3);
  smp_thread_create("sender", 0, sender, &nic0);
}

static void nic_check(void) {
  const struct nic_softc* sc = &nic0;
  const int inflight = sc->sc_prod - sc->sc_cons;
  KASSERTMSG(sc->sc_txfree == NIC_SLOTS - inflight,
             "txfree %d with %d frames in flight: an update was lost", sc->sc_txfree,
             inflight);
  KASSERTMSG(sc->sc_opackets == (u_long)sc->sc_cons, "%lu frames counted, %d reclaimed",
             sc->sc_opackets, sc->sc_cons);
}

#define NIC_SCENARIO(name, disc, bugs, kind, text)                               \
  static void name##_setup(void) { nic_setup((disc), (bugs)); }                  \
  SMP_SCENARIO_C(name, .target = "nic", .variant = #name, .description = text, \
                 .expected = (kind), .cpus = 2, .max_steps = 6000,               \
                 .memory_model = SMP_TSO, .setup = name##_setup, .check = nic_check)

NIC_SCENARIO(spl_giant, NIC_SPL_GIANT, 0, SMP_CLEAN,
             "splnet and the giant lock around the ring; the interrupt under kernel_lock")
NIC_SCENARIO(spl_giant_no_spl, NIC_SPL_GIANT, NIC_BUG_NO_SPL, SMP_ASSERTION,
             "the giant lock without splnet: the interrupt on the same CPU re-enters it")
NIC_SCENARIO(spl_giant_no_giant, NIC_SPL_GIANT, NIC_BUG_NO_GIANT, SMP_ASSERTION,
             "splnet without the giant lock: the other CPU's interrupt runs beside it")
NIC_SCENARIO(mutex, NIC_MUTEX, 0, SMP_CLEAN,
             "a spin mutex at IPL_NET around the ring, taken by the MPSAFE handler")
NIC_SCENARIO(mutex_no_lock, NIC_MUTEX, NIC_BUG_NO_LOCK, SMP_ASSERTION,
             "the start path without the mutex")
NIC_SCENARIO(mutex_adaptive, NIC_MUTEX, NIC_BUG_ADAPTIVE, SMP_LOCK_MISUSE,
             "the mutex made at IPL_NONE (adaptive) and taken in the hard interrupt")
NIC_SCENARIO(serializer, NIC_SERIALIZER, 0, SMP_CLEAN,
             "the device's serializer around the ring; the handler registered with it")
NIC_SCENARIO(serializer_no_lock, NIC_SERIALIZER, NIC_BUG_NO_LOCK, SMP_ASSERTION,
             "the start path without the serializer")
NIC_SCENARIO(serializer_crit_only, NIC_SERIALIZER, NIC_BUG_CRIT_ONLY, SMP_ASSERTION,
             "a critical section instead of the serializer: the other CPU's handler "
             "runs beside it")
