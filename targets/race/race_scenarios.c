/* The race target: what the data race detector must report, each with a
 * twin it must stay silent on, in plain C. All run with the detector on.
 *
 *   thread_handler_unmasked / thread_handler_masked   one CPU, no spl
 *   cross_cpu_unlocked / cross_cpu_locked             two CPUs, no lock
 *   flag_no_barrier / flag_release_acquire            publishing through a flag */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/systm.h>
#include <sys/types.h>

#include "targets/demo/demo_lock.h"

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* ---- a thread and its CPU's interrupt handler both bump `count` ---- */

#define RACE_LEVEL 5

static int count;

static void bump(void) { count = count + 1; }

static void handler(void* arg) {
  (void)arg;
  bump();
}

static void thread_handler_thread(void* masked) {
  const int old = smp_ipr_get();
  if (VAL(masked)) smp_ipr_set(RACE_LEVEL);
  bump();
  if (VAL(masked)) smp_ipr_set(old);
}

static void thread_handler_setup(int masked) {
  const int line = smp_intr_establish("dev", RACE_LEVEL, handler, NULL);
  smp_intr_source(line, 1, 0x1);
  smp_thread_create("t", 0, thread_handler_thread, ARG(masked));
}
static void unmasked_setup(void) { thread_handler_setup(0); }
static void masked_setup(void) { thread_handler_setup(1); }

SMP_SCENARIO_C(thread_handler_unmasked, .target = "race",
               .variant = "thread_handler_unmasked",
               .description = "a thread and its CPU's handler share a counter; "
                              "the thread does not mask the handler",
               .expected = SMP_DATA_RACE, .cpus = 1, .max_steps = 4000,
               .detect_races = 1, .setup = unmasked_setup)
SMP_SCENARIO_C(thread_handler_masked, .target = "race",
               .variant = "thread_handler_masked",
               .description = "the thread raises the mask to the handler's "
                              "level around its access",
               .expected = SMP_CLEAN, .cpus = 1, .max_steps = 4000,
               .detect_races = 1, .setup = masked_setup)

/* ---- two CPUs bump a counter, with or without a lock ---- */

static struct demo_spinlock lock;

static void cross_cpu_thread(void* locked) {
  if (VAL(locked)) demo_lock(&lock);
  count = count + 1;
  if (VAL(locked)) demo_unlock(&lock);
}

static void cross_cpu_setup(int locked) {
  demo_lock_init(&lock, "lock");
  smp_thread_create("t0", 0, cross_cpu_thread, ARG(locked));
  smp_thread_create("t1", 1, cross_cpu_thread, ARG(locked));
}
static void unlocked_setup(void) { cross_cpu_setup(0); }
static void locked_setup(void) { cross_cpu_setup(1); }

SMP_SCENARIO_C(cross_cpu_unlocked, .target = "race", .variant = "cross_cpu_unlocked",
               .description = "two CPUs bump a counter without a lock",
               .expected = SMP_DATA_RACE, .cpus = 2, .max_steps = 4000,
               .detect_races = 1, .setup = unlocked_setup)
SMP_SCENARIO_C(cross_cpu_locked, .target = "race", .variant = "cross_cpu_locked",
               .description = "two CPUs bump a counter under a spin lock",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .detect_races = 1, .setup = locked_setup)

/* ---- a producer fills `data` and raises an atomic `flag`; the consumer
 * waits for the flag, then reads the data. Without the membar_release /
 * membar_acquire pair nothing orders the data accesses. */

static int data;
static volatile int flag;

static void flag_producer(void* barriers) {
  data = 7;
  if (VAL(barriers)) membar_release();
  atomic_store_relaxed(&flag, 1);
}

static void flag_consumer(void* barriers) {
  while (atomic_load_relaxed(&flag) == 0) cpu_spinwait();
  if (VAL(barriers)) membar_acquire();
  KASSERTMSG(data == 7, "data published before the flag");
}

static void flag_setup(int barriers) {
  smp_mark_atomic(&flag, sizeof flag);
  smp_thread_create("producer", 0, flag_producer, ARG(barriers));
  smp_thread_create("consumer", 1, flag_consumer, ARG(barriers));
}
static void no_barrier_setup(void) { flag_setup(0); }
static void release_acquire_setup(void) { flag_setup(1); }

SMP_SCENARIO_C(flag_no_barrier, .target = "race", .variant = "flag_no_barrier",
               .description = "data published through an atomic flag with no "
                              "barriers (a race even under SC)",
               .expected = SMP_DATA_RACE, .cpus = 2, .max_steps = 4000,
               .detect_races = 1, .setup = no_barrier_setup)
SMP_SCENARIO_C(flag_release_acquire, .target = "race",
               .variant = "flag_release_acquire",
               .description = "membar_release before the flag, membar_acquire "
                              "after it",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .detect_races = 1, .setup = release_acquire_setup)
