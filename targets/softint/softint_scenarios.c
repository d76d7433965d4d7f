/* The softint target: softint(9) of the kernel (//kern): establish,
 * schedule, dispatch, coalescing, the two soft-level policies, kernel_lock
 * for non-MPSAFE handlers, and dispatch from splx under both spls.
 *
 *   netisr / netisr_ordered       a NIC interrupt queues packets, a softnet
 *                                 handler drains them (both policies)
 *   one_item_per_run              the handler takes one packet per run
 *   clear_after_run               the pending bit is cleared after the run
 *   remote_handoff / remote_no_membar   work handed to another CPU's softint
 *   giant_taken / giant_not_taken       non-MPSAFE handlers and kernel_lock
 *   splx_dispatch_hard / _lazy    a thread at splsoftnet while packets
 *                                 arrive: its splx dispatches softnet
 *   splx_no_replay_softint        the lazy splx that forgets to replay
 *
 * The kernel's bug switches are set in set-up (softint_configure,
 * spl_configure); a handler's or thread's own switch travels in its
 * argument (a global read would be a scheduling point). */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/intr.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* ---- netisr: a NIC interrupt on CPU0 enqueues a packet (six arrive) and
 * schedules the softnet handler; the handler dequeues with the NIC
 * blocked (splnet) and delivers. Every packet must be delivered exactly
 * once. ---- */

#define NETISR_PACKETS 6

static struct {
  int ifq_len;
} ipintrq;
static int delivered, received;

static void ipintr(void* one_per_run) {
  for (;;) {
    const int s = splnet(); /* the queue is shared with the NIC interrupt */
    const int n = ipintrq.ifq_len;
    if (n > 0) ipintrq.ifq_len = n - 1;
    splx(s);
    if (n == 0) break;
    delivered = delivered + 1;
    if (VAL(one_per_run)) break;
  }
}

/* The NIC interrupt; its argument is the softnet cookie. */
static int fxp_intr(void* ipintr_cookie) {
  /* One packet per interrupt (assertions of the line that coalesce while
   * it is pending bring no packet of their own). */
  received = received + 1;
  ipintrq.ifq_len = ipintrq.ifq_len + 1;
  softint_schedule(ipintr_cookie);
  return 1;
}

static void netisr_user(void* arg) {
  (void)arg;
  for (int i = 0; i < 8; ++i) smp_yield();
}

static void netisr_setup(enum softint_policy policy, int clear_after_run,
                         int one_per_run) {
  const struct softint_config sc = {.policy = policy,
                                    .clear_after_run = clear_after_run};
  softint_configure(&sc);
  void* cookie = softint_establish(SOFTINT_NET | SOFTINT_MPSAFE, ipintr,
                                   ARG(one_per_run));
  const int nic = intr_establish_xname(SPL_LEVEL_NET, 0, IST_MPSAFE, fxp_intr, cookie,
                                       "fxp0");
  smp_intr_source(nic, NETISR_PACKETS, 0x1);
  smp_thread_create("user", 0, netisr_user, NULL);
}
static void netisr_disjoint_setup(void) { netisr_setup(SOFTINT_POLICY_DISJOINT, 0, 0); }
static void netisr_ordered_setup(void) { netisr_setup(SOFTINT_POLICY_ORDERED, 0, 0); }
static void one_per_run_setup(void) { netisr_setup(SOFTINT_POLICY_DISJOINT, 0, 1); }
static void clear_after_run_setup(void) { netisr_setup(SOFTINT_POLICY_DISJOINT, 1, 0); }
static void netisr_check(void) {
  KASSERTMSG(delivered == received, "every packet delivered once");
}

SMP_SCENARIO_C(netisr, .target = "softint", .variant = "netisr",
               .description = "NIC interrupt queues packets, softnet drains them all",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = netisr_disjoint_setup, .check = netisr_check)
SMP_SCENARIO_C(netisr_ordered, .target = "softint", .variant = "netisr_ordered",
               .description = "the same under the at-most-one-CPU-per-soft-level policy",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = netisr_ordered_setup, .check = netisr_check)
SMP_SCENARIO_C(one_item_per_run, .target = "softint", .variant = "one_item_per_run",
               .description = "the handler takes one packet per run: coalesced "
                              "schedules leave packets behind",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = one_per_run_setup, .check = netisr_check)
SMP_SCENARIO_C(clear_after_run, .target = "softint", .variant = "clear_after_run",
               .description = "the pending bit is cleared after the handler ran: a "
                              "schedule during the run is lost",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = clear_after_run_setup, .check = netisr_check)

/* ---- remote: CPU0 hands a work item to CPU1's softint. The item must be
 * visible before the pending bit is (membar_producer in
 * softint_schedule_cpu). ---- */

static int work;

static void biodone_softint(void* arg) {
  (void)arg;
  membar_consumer();
  KASSERTMSG(work == 42, "the handed-over work is visible");
}

static void remote_requester(void* biodone_cookie) {
  work = 42;
  softint_schedule_cpu(biodone_cookie, cpu_lookup(1));
}

static void remote_idle(void* arg) {
  (void)arg;
  smp_yield();
}

static void remote_setup(int barrier) {
  const struct softint_config sc = {.no_producer_barrier = !barrier};
  softint_configure(&sc);
  void* cookie = softint_establish(SOFTINT_BIO | SOFTINT_MPSAFE, biodone_softint, NULL);
  smp_thread_create("requester", 0, remote_requester, cookie);
  smp_thread_create("idle", 1, remote_idle, NULL);
}
static void remote_handoff_setup(void) { remote_setup(1); }
static void remote_no_membar_setup(void) { remote_setup(0); }

SMP_SCENARIO_C(remote_handoff, .target = "softint", .variant = "remote_handoff",
               .description = "work handed to another CPU's softint after membar_producer",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_PSO, .setup = remote_handoff_setup)
SMP_SCENARIO_C(remote_no_membar, .target = "softint", .variant = "remote_no_membar",
               .description = "the pending bit can become visible before the work",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_PSO, .setup = remote_no_membar_setup)

/* ---- giant: two CPUs run a non-MPSAFE softclock handler that updates
 * legacy state kernel_lock is supposed to protect. ---- */

static int legacy_ticks;
static int runs_cpu0, runs_cpu1; /* each CPU's own count */

static void legacy_tick(void* arg) {
  (void)arg;
  if (cpu_number() == 0) {
    runs_cpu0 = runs_cpu0 + 1;
  } else {
    runs_cpu1 = runs_cpu1 + 1;
  }
  legacy_ticks = legacy_ticks + 1; /* shared: the giant lock's to protect */
}

static void giant_thread(void* cookie) {
  for (int i = 0; i < 2; ++i) {
    softint_schedule(cookie);
    smp_yield();
  }
}

static void giant_setup(int taken) {
  const struct softint_config sc = {.giant_not_taken = !taken};
  softint_configure(&sc);
  void* cookie = softint_establish(SOFTINT_CLOCK, legacy_tick, NULL);
  smp_thread_create("t0", 0, giant_thread, cookie);
  smp_thread_create("t1", 1, giant_thread, cookie);
}
static void giant_taken_setup(void) { giant_setup(1); }
static void giant_not_taken_setup(void) { giant_setup(0); }
static void giant_check(void) {
  /* Coalescing may merge schedules, but every run that happened counts. */
  KASSERTMSG(legacy_ticks == runs_cpu0 + runs_cpu1, "no tick lost between CPUs");
}

SMP_SCENARIO_C(giant_taken, .target = "softint", .variant = "giant_taken",
               .description = "non-MPSAFE softclock handlers run under kernel_lock",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = giant_taken_setup, .check = giant_check)
SMP_SCENARIO_C(giant_not_taken, .target = "softint", .variant = "giant_not_taken",
               .description = "non-MPSAFE handlers run without kernel_lock on two CPUs",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = giant_not_taken_setup, .check = giant_check)

/* ---- splx dispatch: a thread on CPU0 blocks softnet (splsoftnet) around
 * its work while NIC interrupts (at IPL_NET, established through the
 * spl) queue packets and schedule the softnet handler; the handler may
 * not run while the thread's IPL blocks it, and the thread's splx must
 * run it before returning. The queue is protected by splnet: the handler
 * and the interrupt run on the same CPU. ---- */

#define SPLX_PACKETS 3

static int softnet_blocked; /* the thread's IPL blocks softnet */

static void splx_ipintr(void* arg) {
  (void)arg;
  KASSERTMSG(softnet_blocked == 0, "softnet ran while its CPU's IPL blocked it");
  ipintr(ARG(0));
}

static void splx_user(void* arg) {
  (void)arg;
  for (int i = 0; i < 2; ++i) {
    const int s = splsoftnet();
    softnet_blocked = 1;
    smp_yield();
    smp_yield();
    softnet_blocked = 0;
    splx(s);
  }
}

static void splx_setup(enum spl_impl impl, int no_replay) {
  const struct spl_config spl = {.impl = impl, .splx_no_replay = no_replay};
  spl_configure(&spl);
  void* cookie = softint_establish(SOFTINT_NET | SOFTINT_MPSAFE, splx_ipintr, NULL);
  const int nic = intr_establish_xname(SPL_LEVEL_NET, 0, IST_MPSAFE, fxp_intr, cookie,
                                       "fxp0");
  smp_intr_source(nic, SPLX_PACKETS, 0x1);
  smp_thread_create("user", 0, splx_user, NULL);
}
static void splx_dispatch_hard_setup(void) { splx_setup(SPL_HARD, 0); }
static void splx_dispatch_lazy_setup(void) { splx_setup(SPL_LAZY, 0); }
static void splx_no_replay_setup(void) { splx_setup(SPL_LAZY, 1); }
static void splx_check(void) {
  KASSERTMSG(delivered == received, "every packet delivered once: splx dispatched softnet");
}

SMP_SCENARIO_C(splx_dispatch_hard, .target = "softint", .variant = "splx_dispatch_hard",
               .description = "splx on the hardware mask lets pending softnet in",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = splx_dispatch_hard_setup, .check = splx_check)
SMP_SCENARIO_C(splx_dispatch_lazy, .target = "softint", .variant = "splx_dispatch_lazy",
               .description = "the lazy splx replays softnet deferred while cpl "
                              "blocked it",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = splx_dispatch_lazy_setup, .check = splx_check)
SMP_SCENARIO_C(splx_no_replay_softint, .target = "softint",
               .variant = "splx_no_replay_softint",
               .description = "the lazy splx lowers cpl without replaying: a "
                              "deferred softnet is lost",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 4000,
               .setup = splx_no_replay_setup, .check = splx_check)
