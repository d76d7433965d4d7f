/* The fxp target's scenarios: CPU0 and CPU1 run the driver, CPU2 the
 * chip's command unit, CPU3 (receive scenarios) its receive unit. All run
 * with the data race detector on, except the two judged as memory-model
 * bugs.
 *
 *   send / no_membar_producer / start_without_lock   two senders, a waiter
 *   ack_all                                           the STATACK acknowledge
 *   ioctl_reset / init_with_lock_held                 public vs _locked
 *   stop_during_traffic / stop_without_lock           fxp_stop vs fxp_intr
 *   receive / rx_no_membar_consumer /                 frames arrive while
 *     rx_handback_early / softnet_without_lock        two CPUs send
 *   giant_intr / giant_inside_lock                    non-MPSAFE fxp_intr
 *   watchdog                                          the callout resets the
 *                                                     chip; init and stop race it
 *
 * A thread's configuration travels in its argument; the driver's state
 * is the global softc fxp0. */
#include <net/if.h>
#include <smp/hw.h>
#include <sys/mbuf.h>
#include <sys/systm.h>

#include "targets/fxp/fxp_nic.h"
#include "targets/fxp/if_fxpvar.h"

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

#define FXP_CPUS 3 /* CPU0, CPU1: driver; CPU2: the command unit */
#define FXP_PACKETS 4
#define FXP_FRAMES 4

static struct fxp_softc fxp0;

/* What the protocol (ipintr's input routine) delivered, in order. */
static uint32_t delivered[FXP_FRAMES];
static int ndelivered;
/* watchdog: packets fxp_start accepted. */
static int accepted;

static void attach(u_int flags, u_int bugs, unsigned ticks, int packets, int frames) {
  struct fxp_attach_args faa;
  faa.faa_flags = flags;
  faa.faa_bugs = bugs;
  faa.faa_ticks = ticks;
  faa.faa_nic.driver_cpus = 2;
  faa.faa_nic.cu_cpu = 2;
  faa.faa_nic.packets = packets;
  faa.faa_nic.frames = frames;
  faa.faa_nic.ru_cpu = 3;
  fxp_attach(&fxp0, &faa);
  /* What attach set once and the driver only reads: constants for the
   * machine, so reading them is no scheduling point (smp_readonly). */
  smp_readonly_var(&fxp0.sc_st);
  smp_readonly_var(&fxp0.sc_sh);
  smp_readonly_var(&fxp0.sc_cdata);
  smp_readonly_var(&fxp0.sc_flags);
  smp_readonly_var(&fxp0.sc_bugs);
}

/* Packets of sender s are 10*s+1, 10*s+2. The device transmitted each at
 * most once (exactly once if `exactly_once`), in order per sender, and
 * never a stale or torn block. */
static void check_wire(int exactly_once) {
  int seen[3][3] = {{0}};
  int last[3] = {0, 0, 0};
  for (int n = 0; n < fxp_nic_sent(); ++n) {
    const int id = fxp_nic_wire(n);
    const int s = id / 10, i = id % 10;
    KASSERTMSG(s >= 1 && s <= 2 && i >= 1 && i <= 2,
               "the device transmitted a stale or torn block");
    if (s < 1 || s > 2 || i < 1 || i > 2) return;
    ++seen[s][i];
    KASSERTMSG(i > last[s], "packets of one sender go out in order");
    last[s] = i;
  }
  for (int s = 1; s <= 2; ++s) {
    for (int i = 1; i <= 2; ++i) {
      if (exactly_once) {
        KASSERTMSG(seen[s][i] == 1, "every packet transmitted exactly once");
      } else {
        KASSERTMSG(seen[s][i] <= 1, "no packet transmitted twice");
      }
    }
  }
}

/* ---- send: sender s sends 10*(s+1)+1, +2; CPU0's then waits for all
 * four. Every packet goes out exactly once, in order per sender, and the
 * waiter wakes. ---- */

static void sender(void* arg) {
  const int s = VAL(arg);
  for (int i = 1; i <= 2; ++i) {
    while (!fxp_start(&fxp0, (uint32_t)(10 * (s + 1) + i))) smp_yield();
  }
  if (s == 0) fxp_wait_completed(&fxp0, FXP_PACKETS);
}

static void send_setup_bugs(u_int bugs) {
  attach(FXP_F_MPSAFE, bugs, 0, FXP_PACKETS, 0);
  smp_thread_create("sender0", 0, sender, ARG(0));
  smp_thread_create("sender1", 1, sender, ARG(1));
}
static void send_setup(void) { send_setup_bugs(0); }
static void no_producer_setup(void) { send_setup_bugs(FXP_BUG_NO_PRODUCER); }
static void ack_all_setup(void) { send_setup_bugs(FXP_BUG_ACK_ALL); }
static void start_no_lock_setup(void) { send_setup_bugs(FXP_BUG_START_WITHOUT_LOCK); }
static void send_check(void) { check_wire(1); }

SMP_SCENARIO_C(send, .target = "fxp", .variant = "send",
               .description = "two CPUs send while the NIC transmits and interrupts; "
                              "a thread waits for completion",
               .expected = SMP_CLEAN, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = send_setup,
               .check = send_check)
SMP_SCENARIO_C(no_membar_producer, .target = "fxp", .variant = "no_membar_producer",
               .description = "the block is handed to the device without "
                              "membar_producer (judged as a memory-model bug: race "
                              "detection off)",
               .expected = SMP_MEMBAR_MISUSE, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_PSO, .detect_races = 0, .setup = no_producer_setup,
               .check = send_check)
SMP_SCENARIO_C(ack_all, .target = "fxp", .variant = "ack_all",
               .description = "fxp_intr acknowledges every STATACK bit, not the ones "
                              "it read: a TX event is lost",
               .expected = SMP_LOST_WAKEUP, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = ack_all_setup,
               .check = send_check)
SMP_SCENARIO_C(start_without_lock, .target = "fxp", .variant = "start_without_lock",
               .description = "fxp_start_locked called without the lock",
               .expected = SMP_DATA_RACE, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = start_no_lock_setup,
               .check = send_check)

/* ---- ioctl: reset through the ioctl path while traffic flows ---- */

static void ioctl_sender(void* arg) {
  (void)arg;
  while (!fxp_start(&fxp0, 11)) smp_yield();
}
static void ioctl_admin(void* arg) {
  (void)arg;
  fxp_ioctl(&fxp0.sc_if, SIOCSIFFLAGS, NULL);
}
static void ioctl_setup_bugs(u_int bugs) {
  attach(FXP_F_MPSAFE, bugs, 0, 1, 0);
  smp_thread_create("sender", 0, ioctl_sender, NULL);
  smp_thread_create("admin", 1, ioctl_admin, NULL);
}
static void ioctl_setup(void) { ioctl_setup_bugs(0); }
static void init_lock_held_setup(void) { ioctl_setup_bugs(FXP_BUG_INIT_WITH_LOCK_HELD); }

SMP_SCENARIO_C(ioctl_reset, .target = "fxp", .variant = "ioctl_reset",
               .description = "the ioctl path calls fxp_init_locked",
               .expected = SMP_CLEAN, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = ioctl_setup)
SMP_SCENARIO_C(init_with_lock_held, .target = "fxp", .variant = "init_with_lock_held",
               .description = "the ioctl path calls the public fxp_init with the "
                              "lock held (mutex(9): locking against myself)",
               .expected = SMP_LOCK_MISUSE, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1,
               .setup = init_lock_held_setup)

/* ---- stop: fxp_stop on CPU1 while CPU0 sends and the device interrupts ---- */

static void stop_sender(void* arg) {
  (void)arg;
  for (int i = 1; i <= 2; ++i) fxp_start(&fxp0, (uint32_t)(10 + i));
}
static void stop_admin(void* arg) {
  (void)arg;
  smp_yield();
  smp_yield();
  fxp_stop(&fxp0);
}
static void stop_setup_bugs(u_int bugs) {
  attach(FXP_F_MPSAFE, bugs, 0, 2, 0);
  smp_thread_create("sender", 0, stop_sender, NULL);
  smp_thread_create("admin", 1, stop_admin, NULL);
}
static void stop_setup(void) { stop_setup_bugs(0); }
static void stop_no_lock_setup(void) { stop_setup_bugs(FXP_BUG_STOP_WITHOUT_LOCK); }

SMP_SCENARIO_C(stop_during_traffic, .target = "fxp", .variant = "stop_during_traffic",
               .description = "fxp_stop takes the lock the handler holds",
               .expected = SMP_CLEAN, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = stop_setup)
SMP_SCENARIO_C(stop_without_lock, .target = "fxp", .variant = "stop_without_lock",
               .description = "fxp_stop tears the ring down while fxp_intr may run "
                              "on the other CPU",
               .expected = SMP_DATA_RACE, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = stop_no_lock_setup)

/* ---- receive while sending: CPU0 and CPU1 each send two packets (CPU0
 * then waits for completion) while the receive unit on CPU3 delivers four
 * frames; fxp_intr queues them on ipintrq and schedules softnet, which
 * delivers them. Every frame is delivered exactly once, in order; transmit
 * keeps its invariants. ---- */

/* ipintr's input routine: the protocol. */
static void fxp_ip_input(struct mbuf* m) {
  const int n = ndelivered;
  KASSERTMSG(n < FXP_FRAMES, "softnet delivers more frames than the device received");
  if (n < FXP_FRAMES) {
    uint32_t frame;
    m_copydata(m, 0, sizeof frame, &frame);
    delivered[n] = frame;
    ndelivered = n + 1;
  }
  m_freem(m);
}

static void receive_setup_bugs(u_int bugs, unsigned netisr_bugs) {
  attach(FXP_F_MPSAFE, bugs, 0, FXP_PACKETS, FXP_FRAMES);
  netisr_init(fxp_ip_input, 4, netisr_bugs);
  smp_thread_create("sender0", 0, sender, ARG(0));
  smp_thread_create("sender1", 1, sender, ARG(1));
}
static void receive_setup(void) { receive_setup_bugs(0, 0); }
static void rx_no_consumer_setup(void) { receive_setup_bugs(FXP_BUG_RX_NO_CONSUMER, 0); }
static void rx_handback_early_setup(void) {
  receive_setup_bugs(FXP_BUG_RX_HANDBACK_EARLY, 0);
}
static void softnet_no_lock_setup(void) {
  receive_setup_bugs(0, NETISR_BUG_NO_IFQ_LOCK);
}
static void receive_check(void) {
  check_wire(1);
  KASSERTMSG(ipintrq.ifq_drops == 0, "the input queue never overflows");
  KASSERTMSG(ndelivered == FXP_FRAMES, "every received frame is delivered");
  for (int n = 0; n < ndelivered && n < FXP_FRAMES; ++n) {
    KASSERTMSG(delivered[n] == (uint32_t)FXP_NIC_FRAME_ID(n),
               "frames are delivered once each, in order, with their data");
  }
}

SMP_SCENARIO_C(receive, .target = "fxp", .variant = "receive",
               .description = "frames arrive while two CPUs send: fxp_intr queues "
                              "them, softnet delivers them",
               .expected = SMP_CLEAN, .cpus = 4, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = receive_setup,
               .check = receive_check)
SMP_SCENARIO_C(rx_no_membar_consumer, .target = "fxp", .variant = "rx_no_membar_consumer",
               .description = "fxp_intr reads a received frame without "
                              "membar_consumer after its status: a stale frame "
                              "(judged as a memory-model bug: race detection off)",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 4, .max_steps = 20000,
               .memory_model = SMP_RELAXED, .detect_races = 0,
               .setup = rx_no_consumer_setup, .check = receive_check)
SMP_SCENARIO_C(rx_handback_early, .target = "fxp", .variant = "rx_handback_early",
               .description = "fxp_intr returns the descriptor to the device before "
                              "reading the frame",
               .expected = SMP_DATA_RACE, .cpus = 4, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1,
               .setup = rx_handback_early_setup, .check = receive_check)
SMP_SCENARIO_C(softnet_without_lock, .target = "fxp", .variant = "softnet_without_lock",
               .description = "softnet drains the input queue without its lock while "
                              "fxp_intr fills it",
               .expected = SMP_DATA_RACE, .cpus = 4, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1,
               .setup = softnet_no_lock_setup, .check = receive_check)

/* ---- giant: fxp_intr established without MPSAFE (it runs under
 * kernel_lock) while CPU0 reprograms the multicast filter through the
 * non-MPSAFE ioctl path and CPU1 sends. ---- */

static void giant_admin(void* arg) {
  (void)arg;
  fxp_ioctl(&fxp0.sc_if, SIOCADDMULTI, NULL);
}
static void giant_sender(void* arg) {
  (void)arg;
  for (int i = 1; i <= 2; ++i) {
    while (!fxp_start(&fxp0, (uint32_t)(10 + i))) smp_yield();
  }
}
static void giant_setup_bugs(u_int bugs) {
  attach(0, bugs, 0, 2, 0);
  smp_thread_create("admin", 0, giant_admin, NULL);
  smp_thread_create("sender", 1, giant_sender, NULL);
}
static void giant_setup(void) { giant_setup_bugs(0); }
static void giant_inside_lock_setup(void) { giant_setup_bugs(FXP_BUG_GIANT_INSIDE_LOCK); }

SMP_SCENARIO_C(giant_intr, .target = "fxp", .variant = "giant_intr",
               .description = "non-MPSAFE fxp_intr under kernel_lock; the ioctl takes "
                              "kernel_lock before the device lock",
               .expected = SMP_CLEAN, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = giant_setup)
SMP_SCENARIO_C(giant_inside_lock, .target = "fxp", .variant = "giant_inside_lock",
               .description = "the ioctl takes kernel_lock inside the device lock; "
                              "non-MPSAFE fxp_intr holds kernel_lock and spins on "
                              "the device lock",
               .expected = SMP_DEADLOCK, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1,
               .setup = giant_inside_lock_setup)

/* ---- watchdog: the tick callout (two hardclock ticks on CPU0/CPU1)
 * while CPU0 sends and CPU1 resets the chip through fxp_init and then
 * stops it. Whatever the resets: no packet goes out twice or out of
 * order, and each accepted packet was either transmitted or dropped by
 * fxp_stop, not both, not neither. ---- */

static void watchdog_sender(void* arg) {
  (void)arg;
  for (int i = 1; i <= 2; ++i) {
    if (fxp_start(&fxp0, (uint32_t)(10 + i))) accepted = accepted + 1;
  }
}
static void watchdog_admin(void* arg) {
  (void)arg;
  smp_yield();
  fxp_init(&fxp0);
  fxp_stop(&fxp0);
}
static void watchdog_setup(void) {
  attach(FXP_F_MPSAFE | FXP_F_WATCHDOG, 0, 2, 2, 0);
  smp_thread_create("sender", 0, watchdog_sender, NULL);
  smp_thread_create("admin", 1, watchdog_admin, NULL);
}
static void watchdog_check(void) {
  check_wire(0);
  KASSERTMSG(fxp_nic_sent() + fxp0.sc_txdropped == accepted,
             "every accepted packet is transmitted or dropped, once");
}

SMP_SCENARIO_C(watchdog, .target = "fxp", .variant = "watchdog",
               .description = "the watchdog callout resets the chip while packets are "
                              "in flight; fxp_init and fxp_stop race it",
               .expected = SMP_CLEAN, .cpus = FXP_CPUS, .max_steps = 20000,
               .memory_model = SMP_SC, .detect_races = 1, .setup = watchdog_setup,
               .check = watchdog_check)
