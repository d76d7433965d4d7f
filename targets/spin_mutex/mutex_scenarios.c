/* mutex(9) scenarios: a driver's spin mutex shared by threads on both CPUs
 * and the device's interrupt handler, each correct shape with the bug
 * variants of SEMANTICS.md ("Spin mutexes"). All on the hardware-mask spl
 * (the default spl configuration).
 *
 *   spin_counter / acquire_before_raise        raise, then spin (or not)
 *   spin_counter_pso                           the same, judged under PSO
 *   nested / restore_on_inner_release          two nested spin mutexes
 *   owned_helper / recursion                   a _locked helper vs "locking
 *                                              against myself"
 *   lock_order / lock_order_inversion          two CPUs, two mutexes
 *   hand_rolled_release_fixed /                a driver's own lock word,
 *   hand_rolled_release                        with/without membar_release
 *   adaptive_counter / adaptive_in_intr        mutex_enter on IPL_NONE
 *
 * About the "preamble" loops: under the random scheduler an interrupt
 * source fires early (its raise is one of few choices at every step), so a
 * thread first does unrelated work and its critical section usually comes
 * after the interrupt. The lock-shaped bugs are then predicted by lockdep
 * on executions that ran clean, and actually deadlock on the rarer
 * schedules where the interrupt or the other CPU lands in the window
 * (docs/targets.md gives both numbers). */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/lock.h>
#include <sys/mutex.h>
#include <sys/systm.h>

#include "targets/spin_mutex/spin_mutex.h"

/* ------------------------------------------------------------------------
 * sc_lock (IPL_VM) protects a counter that both CPUs' threads and the
 * device's handler (IPL_VM, delivered to either CPU) increment. Each thread
 * first prepares its work (a few private updates). */
#define SPIN_ROUNDS 2
#define SPIN_PREAMBLE 4

static kmutex_t sc_lock;
static int sc_count, sc_intrs, prep;

static void spin_dev_intr(void* arg) {
  (void)arg;
  mutex_spin_enter(&sc_lock);
  sc_count++;
  sc_intrs++;
  mutex_spin_exit(&sc_lock);
}

static void spin_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < SPIN_PREAMBLE; ++i) prep++;
  for (int i = 0; i < SPIN_ROUNDS; ++i) {
    mutex_spin_enter(&sc_lock);
    sc_count++;
    mutex_spin_exit(&sc_lock);
  }
}

static void spin_counter_setup_bugs(unsigned bugs) {
  mutex_init_bugs(&sc_lock, MUTEX_DEFAULT, IPL_VM, "sc_lock", bugs);
  const int dev = spl_intr_establish("dev", SPL_LEVEL_VM, 0, spin_dev_intr, NULL);
  smp_intr_source(dev, 2, 0x3);
  smp_thread_create("t0", 0, spin_thread, NULL);
  smp_thread_create("t1", 1, spin_thread, NULL);
}
static void spin_counter_setup(void) { spin_counter_setup_bugs(0); }
static void acquire_before_raise_setup(void) {
  spin_counter_setup_bugs(MUTEX_BUG_ACQUIRE_BEFORE_RAISE);
}

static void spin_counter_check(void) {
  KASSERTMSG(sc_count == 2 * SPIN_ROUNDS + sc_intrs, "no increment of sc_count is lost");
  KASSERTMSG(spin_mutex_all_released(), "every CPU released its spin mutexes");
}

SMP_SCENARIO_C(spin_counter, .target = "spin_mutex", .variant = "spin_counter",
               .description = "sc_lock at IPL_VM shared by both CPUs and the device handler",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 6000,
               .setup = spin_counter_setup, .check = spin_counter_check)
SMP_SCENARIO_C(spin_counter_pso, .target = "spin_mutex", .variant = "spin_counter_pso",
               .description = "spin_counter under PSO: the mutex's barriers order the "
                              "critical sections",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 6000, .memory_model = SMP_PSO,
               .setup = spin_counter_setup, .check = spin_counter_check)
SMP_SCENARIO_C(acquire_before_raise, .target = "spin_mutex",
               .variant = "acquire_before_raise",
               .description = "mutex_spin_enter takes the lock, then raises to IPL_VM: the "
                              "device interrupt can land in between and spin on its own CPU",
               .expected = SMP_IPL_UNSAFE, .cpus = 2, .max_steps = 6000,
               .setup = acquire_before_raise_setup, .check = spin_counter_check)

/* ------------------------------------------------------------------------
 * Two nested spin mutexes: sc_lock (shared with the device handler) and
 * stat_lock. t0 releases them innermost first and then still works under
 * sc_lock; t1 releases them outermost first (allowed: the IPL stays raised
 * until the last is released). t0 first does other work. */
#define NESTED_PREAMBLE 16

static kmutex_t stat_lock;
static int sc_data, stats;

static void nested_dev_intr(void* arg) {
  (void)arg;
  mutex_spin_enter(&sc_lock);
  sc_data++;
  sc_intrs++;
  mutex_spin_exit(&sc_lock);
}

static void nested_t0(void* arg) {
  (void)arg;
  for (int i = 0; i < NESTED_PREAMBLE; ++i) prep++;
  mutex_spin_enter(&sc_lock);
  mutex_spin_enter(&stat_lock);
  stats++;
  mutex_spin_exit(&stat_lock);
  sc_data++; /* still under sc_lock */
  mutex_spin_exit(&sc_lock);
}

static void nested_t1(void* arg) {
  (void)arg;
  mutex_spin_enter(&sc_lock);
  mutex_spin_enter(&stat_lock);
  sc_data++;
  mutex_spin_exit(&sc_lock);
  stats++; /* still under stat_lock */
  mutex_spin_exit(&stat_lock);
}

static void nested_setup_bugs(unsigned bugs) {
  mutex_init_bugs(&sc_lock, MUTEX_DEFAULT, IPL_VM, "sc_lock", bugs);
  mutex_init_bugs(&stat_lock, MUTEX_DEFAULT, IPL_VM, "stat_lock", bugs);
  const int dev = spl_intr_establish("dev", SPL_LEVEL_VM, 0, nested_dev_intr, NULL);
  smp_intr_source(dev, 1, 0x3);
  smp_thread_create("t0", 0, nested_t0, NULL);
  smp_thread_create("t1", 1, nested_t1, NULL);
}
static void nested_setup(void) { nested_setup_bugs(0); }
static void restore_on_inner_release_setup(void) {
  nested_setup_bugs(MUTEX_BUG_RESTORE_ON_INNER_RELEASE);
}

static void nested_check(void) {
  KASSERTMSG(sc_data == 2 + sc_intrs, "no increment of sc_data is lost");
  KASSERTMSG(stats == 2, "no increment of stats is lost");
  KASSERTMSG(spin_mutex_all_released(), "every CPU released its spin mutexes");
}

SMP_SCENARIO_C(nested, .target = "spin_mutex", .variant = "nested",
               .description = "two nested spin mutexes, released in either order",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 6000, .setup = nested_setup,
               .check = nested_check)
SMP_SCENARIO_C(restore_on_inner_release, .target = "spin_mutex",
               .variant = "restore_on_inner_release",
               .description = "releasing the inner spin mutex restores the saved IPL: "
                              "sc_lock is then held at IPL_NONE",
               .expected = SMP_IPL_UNSAFE, .cpus = 2, .max_steps = 6000,
               .setup = restore_on_inner_release_setup, .check = nested_check)

/* ------------------------------------------------------------------------
 * A driver routine called with sc_lock held. The correct one is the
 * _locked variant that asserts the lock is held; the bug calls the public
 * entry point, which takes sc_lock again. */

static void sc_update(void) { /* the public entry point */
  mutex_spin_enter(&sc_lock);
  sc_count++;
  mutex_spin_exit(&sc_lock);
}

static void sc_update_locked(void) {
  KASSERTMSG(mutex_owned(&sc_lock), "KASSERT(mutex_owned(&sc_lock))");
  sc_count++;
}

static void helper_thread(void* arg) {
  mutex_spin_enter(&sc_lock);
  if (ARG_INT(arg)) {
    sc_update();
  } else {
    sc_update_locked();
  }
  mutex_spin_exit(&sc_lock);
}

static void helper_setup(int recurse) {
  mutex_init(&sc_lock, MUTEX_DEFAULT, IPL_VM);
  smp_thread_create("t0", 0, helper_thread, ARG(recurse));
  smp_thread_create("t1", 1, helper_thread, ARG(recurse));
}
static void owned_helper_setup(void) { helper_setup(0); }
static void recursion_setup(void) { helper_setup(1); }
static void helper_check(void) { KASSERTMSG(sc_count == 2, "both updates happened"); }

SMP_SCENARIO_C(owned_helper, .target = "spin_mutex", .variant = "owned_helper",
               .description = "sc_update_locked() under sc_lock, KASSERT(mutex_owned)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = owned_helper_setup, .check = helper_check)
SMP_SCENARIO_C(recursion, .target = "spin_mutex", .variant = "recursion",
               .description = "sc_update() called with sc_lock held takes it again: "
                              "locking against myself",
               .expected = SMP_LOCK_MISUSE, .cpus = 2, .max_steps = 4000,
               .setup = recursion_setup, .check = helper_check)

/* ------------------------------------------------------------------------
 * Two CPUs take two spin mutexes; the bug takes them in opposite orders.
 * t1 first does some unrelated work, so the two critical sections rarely
 * overlap: lockdep predicts the deadlock long before a schedule hits it. */
#define ORDER_PREAMBLE 12

static kmutex_t sc_intr_lock;
static int rx, tx, t1_local;

static void both(kmutex_t* first, kmutex_t* second, int* data) {
  mutex_spin_enter(first);
  mutex_spin_enter(second);
  (*data)++;
  mutex_spin_exit(second);
  mutex_spin_exit(first);
}

static void order_t0(void* arg) {
  (void)arg;
  both(&sc_lock, &sc_intr_lock, &rx);
}

static void order_t1(void* arg) {
  for (int i = 0; i < ORDER_PREAMBLE; ++i) t1_local++;
  if (ARG_INT(arg)) {
    both(&sc_intr_lock, &sc_lock, &tx);
  } else {
    both(&sc_lock, &sc_intr_lock, &tx);
  }
}

static void order_setup(int inverted) {
  mutex_init(&sc_lock, MUTEX_DEFAULT, IPL_VM);
  mutex_init(&sc_intr_lock, MUTEX_DEFAULT, IPL_VM);
  smp_thread_create("t0", 0, order_t0, NULL);
  smp_thread_create("t1", 1, order_t1, ARG(inverted));
}
static void lock_order_setup(void) { order_setup(0); }
static void lock_order_inversion_setup(void) { order_setup(1); }
static void order_check(void) { KASSERTMSG(rx == 1 && tx == 1, "both sections ran"); }

SMP_SCENARIO_C(lock_order, .target = "spin_mutex", .variant = "lock_order",
               .description = "both CPUs take sc_lock, then sc_intr_lock",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = lock_order_setup, .check = order_check)
SMP_SCENARIO_C(lock_order_inversion, .target = "spin_mutex",
               .variant = "lock_order_inversion",
               .description = "CPU0 takes sc_lock then sc_intr_lock, CPU1 the reverse",
               .expected = SMP_LOCK_ORDER, .cpus = 2, .max_steps = 4000,
               .setup = lock_order_inversion_setup, .check = order_check)

/* ------------------------------------------------------------------------
 * A driver that rolled its own spin lock out of atomics (at IPL_VM by
 * hand): CAS to take it, membar_acquire after; the release must put
 * membar_release before the store that frees the word, or under PSO the
 * freeing store can become visible before the critical section's stores. */
static volatile u_int sc_busy;

static void hand_rolled_thread(void* arg) {
  int count = SPINLOCK_BACKOFF_MIN;
  const int s = splvm();
  while (atomic_cas_uint(&sc_busy, 0, 1) != 0) SPINLOCK_BACKOFF(count);
  smp_lock_acquired(&sc_busy);
  membar_acquire();
  sc_count++;
  smp_lock_released(&sc_busy);
  if (ARG_INT(arg)) membar_release();
  sc_busy = 0;
  splx(s);
}

static void hand_rolled_setup(int release_barrier) {
  smp_lock_declare_var(&sc_busy, "sc_busy");
  smp_thread_create("t0", 0, hand_rolled_thread, ARG(release_barrier));
  smp_thread_create("t1", 1, hand_rolled_thread, ARG(release_barrier));
}
static void hand_rolled_fixed_setup(void) { hand_rolled_setup(1); }
static void hand_rolled_bug_setup(void) { hand_rolled_setup(0); }
static void hand_rolled_check(void) {
  KASSERTMSG(sc_count == 2, "no increment of sc_count is lost");
}

SMP_SCENARIO_C(hand_rolled_release_fixed, .target = "spin_mutex",
               .variant = "hand_rolled_release_fixed",
               .description = "hand-rolled lock word: membar_release before the freeing "
                              "store (PSO)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000, .memory_model = SMP_PSO,
               .setup = hand_rolled_fixed_setup, .check = hand_rolled_check)
SMP_SCENARIO_C(hand_rolled_release, .target = "spin_mutex", .variant = "hand_rolled_release",
               .description = "hand-rolled lock word freed without membar_release: the "
                              "next holder reads a stale count (PSO)",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_PSO, .setup = hand_rolled_bug_setup,
               .check = hand_rolled_check)

/* ------------------------------------------------------------------------
 * mutex_enter on an IPL_NONE mutex makes it adaptive: threads on both CPUs
 * and a migratable one sleep on it when it is busy. The device handler
 * keeps its own statistics under a spin mutex; the bug has it take the
 * adaptive mutex instead, which a hard interrupt must never do. */
static kmutex_t vnode_lock, intr_lock;
static int v_count, intrs;

static void adaptive_dev_intr(void* arg) {
  kmutex_t* lock = ARG_INT(arg) ? &vnode_lock : &intr_lock;
  mutex_enter(lock);
  intrs++;
  mutex_exit(lock);
}

static void adaptive_thread(void* arg) {
  (void)arg;
  for (int r = 0; r < 2; ++r) {
    mutex_enter(&vnode_lock);
    const int v = v_count;
    smp_yield();
    v_count = v + 1;
    mutex_exit(&vnode_lock);
  }
}

static void adaptive_setup(int intr_takes_adaptive) {
  mutex_init(&vnode_lock, MUTEX_DEFAULT, IPL_NONE);
  mutex_init(&intr_lock, MUTEX_DEFAULT, IPL_VM);
  const int dev = spl_intr_establish("dev", SPL_LEVEL_VM, 0, adaptive_dev_intr,
                                     ARG(intr_takes_adaptive));
  smp_intr_source(dev, 1, 0x3);
  smp_thread_create("t0", 0, adaptive_thread, NULL);
  smp_thread_create("t1", 1, adaptive_thread, NULL);
  smp_thread_create("t2", SMP_ANY_CPU, adaptive_thread, NULL);
}
static void adaptive_counter_setup(void) { adaptive_setup(0); }
static void adaptive_in_intr_setup(void) { adaptive_setup(1); }
static void adaptive_check(void) {
  KASSERTMSG(v_count == 6, "no increment of v_count is lost");
}

SMP_SCENARIO_C(adaptive_counter, .target = "spin_mutex", .variant = "adaptive_counter",
               .description = "an adaptive mutex (IPL_NONE) contended by three threads "
                              "that sleep on it",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 8000,
               .setup = adaptive_counter_setup, .check = adaptive_check)
SMP_SCENARIO_C(adaptive_in_intr, .target = "spin_mutex", .variant = "adaptive_in_intr",
               .description = "the device's hard interrupt handler takes the adaptive mutex",
               .expected = SMP_LOCK_MISUSE, .cpus = 2, .max_steps = 8000,
               .setup = adaptive_in_intr_setup, .check = adaptive_check)
