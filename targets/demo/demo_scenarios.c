/* The demo target: the classic shapes the core must judge, each with a
 * correct twin, in plain C over the hardware interface (no spl, no
 * mutex(9)). The default target of tools/demo.
 *
 *   abba_deadlock / abba_ordered           lock order between two CPUs
 *   intr_self_deadlock / intr_masked       a handler wanting its CPU's lock
 *   lost_wakeup / wakeup_interlocked       sleep racing with wakeup
 *   racy_counter / spinlock_counter        a counter with and without a lock
 *
 * With lockdep attached (the default), abba_deadlock and intr_self_deadlock
 * are first reported as predictions (lock_order, ipl_unsafe) on executions
 * that did not deadlock; an execution that does deadlock still ends as a
 * deadlock. demo_test.cc checks both.
 *
 * A thread's configuration travels in its argument, not in a global: a
 * global read by a running thread is a shared access (a scheduling point). */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/systm.h>
#include <sys/types.h>

#include "targets/demo/demo_lock.h"

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* ---- abba: two CPUs each take both locks; `ordered` makes them agree ---- */

static struct demo_spinlock lock_a, lock_b;
static int abba_shared;

static void abba_critical(struct demo_spinlock* first, struct demo_spinlock* second,
                          int bit) {
  demo_lock(first);
  demo_lock(second);
  abba_shared |= bit;
  demo_unlock(second);
  demo_unlock(first);
}

static void abba_t0(void* arg) {
  (void)arg;
  abba_critical(&lock_a, &lock_b, 1);
}

static void abba_t1(void* ordered) {
  if (VAL(ordered)) {
    abba_critical(&lock_a, &lock_b, 2);
  } else {
    abba_critical(&lock_b, &lock_a, 2);
  }
}

static void abba_setup(int ordered) {
  demo_lock_init(&lock_a, "A");
  demo_lock_init(&lock_b, "B");
  smp_thread_create("t0", 0, abba_t0, NULL);
  smp_thread_create("t1", 1, abba_t1, ARG(ordered));
}
static void abba_deadlock_setup(void) { abba_setup(0); }
static void abba_ordered_setup(void) { abba_setup(1); }
static void abba_check(void) {
  KASSERTMSG(abba_shared == 3, "both critical sections ran");
}

SMP_SCENARIO_C(abba_deadlock, .target = "demo", .variant = "abba_deadlock",
               .description = "CPU0 takes A then B, CPU1 takes B then A",
               .expected = SMP_LOCK_ORDER, .cpus = 2, .max_steps = 2000,
               .setup = abba_deadlock_setup, .check = abba_check)
SMP_SCENARIO_C(abba_ordered, .target = "demo", .variant = "abba_ordered",
               .description = "both CPUs take A then B", .expected = SMP_CLEAN,
               .cpus = 2, .max_steps = 2000, .setup = abba_ordered_setup,
               .check = abba_check)

/* ---- intr: a thread and an interrupt handler share a lock on each CPU.
 * Unless the thread masks the handler's level while it holds the lock,
 * the handler can interrupt the holder and spin forever on its own CPU. */

#define INTR_LEVEL 5

static struct demo_spinlock sc_lock;
static int intr_count;

static void intr_bump(void) {
  demo_lock(&sc_lock);
  intr_count++;
  demo_unlock(&sc_lock);
}

static void intr_handler(void* arg) {
  (void)arg;
  intr_bump();
}

static void intr_thread(void* masked) {
  for (int i = 0; i < 2; i++) {
    int old = 0;
    if (VAL(masked)) {
      old = smp_ipr_get();
      smp_ipr_set(INTR_LEVEL);
    }
    intr_bump();
    if (VAL(masked)) smp_ipr_set(old);
  }
}

static void intr_setup(int masked) {
  demo_lock_init(&sc_lock, "sc_lock");
  const int line = smp_intr_establish("dev", INTR_LEVEL, intr_handler, NULL);
  smp_intr_source(line, 2, 0x3);
  smp_thread_create("t0", 0, intr_thread, ARG(masked));
  smp_thread_create("t1", 1, intr_thread, ARG(masked));
}
static void intr_self_deadlock_setup(void) { intr_setup(0); }
static void intr_masked_setup(void) { intr_setup(1); }

SMP_SCENARIO_C(intr_self_deadlock, .target = "demo", .variant = "intr_self_deadlock",
               .description = "a thread holds a lock its CPU's interrupt handler "
                              "also takes, without masking the handler",
               .expected = SMP_IPL_UNSAFE, .cpus = 2, .max_steps = 4000,
               .setup = intr_self_deadlock_setup)
SMP_SCENARIO_C(intr_masked, .target = "demo", .variant = "intr_masked",
               .description = "the thread raises the CPU mask to the handler's "
                              "level around the lock",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = intr_masked_setup)

/* ---- wakeup: a consumer sleeps until a producer sets `ready`. The buggy
 * consumer checks and then parks, so a wakeup landing in between is lost;
 * the correct one parks only if `ready` is still clear, atomically. */

static volatile int ready;

static void wakeup_producer(void* arg) {
  (void)arg;
  smp_yield();
  atomic_store_relaxed(&ready, 1);
  smp_unpark(&ready);
}

static void wakeup_consumer(void* interlocked) {
  if (VAL(interlocked)) {
    while (atomic_load_relaxed(&ready) == 0) smp_park_while(&ready, &ready, 0);
  } else if (atomic_load_relaxed(&ready) == 0) {
    smp_park(&ready);
  }
}

static void wakeup_setup(int interlocked) {
  smp_mark_atomic(&ready, sizeof ready); /* a flag: atomic_load/store only */
  smp_chan_declare(&ready, "ready_chan");
  smp_thread_create("producer", 0, wakeup_producer, NULL);
  smp_thread_create("consumer", 1, wakeup_consumer, ARG(interlocked));
}
static void lost_wakeup_setup(void) { wakeup_setup(0); }
static void wakeup_interlocked_setup(void) { wakeup_setup(1); }

SMP_SCENARIO_C(lost_wakeup, .target = "demo", .variant = "lost_wakeup",
               .description = "the consumer checks the flag, then parks: a "
                              "wakeup in between is lost",
               .expected = SMP_LOST_WAKEUP, .cpus = 2, .max_steps = 2000,
               .setup = lost_wakeup_setup)
SMP_SCENARIO_C(wakeup_interlocked, .target = "demo", .variant = "wakeup_interlocked",
               .description = "the consumer parks only if the flag is still "
                              "clear, atomically",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .setup = wakeup_interlocked_setup)

/* ---- counter: N CPUs each do COUNTER_ROUNDS increments of a shared
 * counter, with or without the spin lock; the final check wants every
 * increment. The locked one is the workload the benchmarks measure. */

#define COUNTER_CPUS 4
#define COUNTER_ROUNDS 10

static struct demo_spinlock counter_lock;
static int counter;

static void counter_thread(void* locked) {
  for (int i = 0; i < COUNTER_ROUNDS; i++) {
    if (VAL(locked)) demo_lock(&counter_lock);
    counter = counter + 1;
    if (VAL(locked)) demo_unlock(&counter_lock);
  }
}

static void counter_setup(int locked) {
  static const char* const names[] = {"t0", "t1", "t2",  "t3",  "t4",  "t5",
                                      "t6", "t7", "t8",  "t9",  "t10", "t11",
                                      "t12", "t13", "t14", "t15"};
  demo_lock_init(&counter_lock, "lock");
  for (int cpu = 0; cpu < smp_ncpu() && cpu < 16; cpu++) {
    smp_thread_create(names[cpu], cpu, counter_thread, ARG(locked));
  }
}
static void racy_counter_setup(void) { counter_setup(0); }
static void spinlock_counter_setup(void) { counter_setup(1); }
static void counter_check(void) {
  KASSERTMSG(counter == smp_ncpu() * COUNTER_ROUNDS, "no increment is lost");
}

SMP_SCENARIO_C(racy_counter, .target = "demo", .variant = "racy_counter",
               .description = "4 CPUs increment a counter without a lock",
               .expected = SMP_ASSERTION, .cpus = COUNTER_CPUS, .max_steps = 20000,
               .setup = racy_counter_setup, .check = counter_check)
SMP_SCENARIO_C(spinlock_counter, .target = "demo", .variant = "spinlock_counter",
               .description = "4 CPUs x 10 critical sections of a CAS spin lock "
                              "(the benchmark)",
               .expected = SMP_CLEAN, .cpus = COUNTER_CPUS, .max_steps = 20000,
               .setup = spinlock_counter_setup, .check = counter_check)
