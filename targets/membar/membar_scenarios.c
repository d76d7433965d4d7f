/* The membar target: the canonical barrier misuses of SEMANTICS.md
 * ("Memory barriers"), each with its fixed twin, in plain C, judged under
 * the weakest model that exposes it.
 *
 *   mp_no_producer / mp_fixed            publish data, then a flag (PSO)
 *   seqlock_no_consumer / seqlock_fixed  a seqlock reader (relaxed)
 *   spinlock_no_release / spinlock_fixed a hand-rolled lock release (PSO) */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* ---- message passing: the producer fills `data` and raises `flag`; the
 * consumer waits for the flag and must then see the data. */

static int data;
static volatile int flag;

static void mp_producer(void* barrier) {
  data = 42;
  if (VAL(barrier)) membar_producer();
  flag = 1;
}

static void mp_consumer(void* arg) {
  (void)arg;
  while (flag == 0) cpu_spinwait();
  membar_consumer();
  KASSERTMSG(data == 42, "data visible once the flag is");
}

static void mp_setup(int barrier) {
  smp_thread_create("producer", 0, mp_producer, ARG(barrier));
  smp_thread_create("consumer", 1, mp_consumer, NULL);
}
static void mp_no_producer_setup(void) { mp_setup(0); }
static void mp_fixed_setup(void) { mp_setup(1); }

SMP_SCENARIO_C(mp_no_producer, .target = "membar", .variant = "mp_no_producer",
               .description = "data then flag without membar_producer",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 2, .max_steps = 2000,
               .memory_model = SMP_PSO, .setup = mp_no_producer_setup)
SMP_SCENARIO_C(mp_fixed, .target = "membar", .variant = "mp_fixed",
               .description = "membar_producer before the flag, membar_consumer "
                              "after it",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .memory_model = SMP_PSO, .setup = mp_fixed_setup)

/* ---- a seqlock: the writer makes the sequence odd, writes both halves,
 * makes it even; a reader that saw the same even sequence before and
 * after must have read a consistent pair. */

#define SEQLOCK_WRITES 2

static volatile u_int seq;
static int lo, hi;

static void seqlock_writer(void* arg) {
  (void)arg;
  for (int v = 1; v <= SEQLOCK_WRITES; v++) {
    seq = 2 * v - 1;
    membar_producer();
    lo = v;
    hi = v;
    membar_producer();
    seq = 2 * v;
  }
}

static void seqlock_reader(void* barriers) {
  for (int tries = 0; tries < 3; tries++) {
    const u_int s1 = seq;
    if (VAL(barriers)) membar_consumer();
    const int l = lo;
    const int h = hi;
    if (VAL(barriers)) membar_consumer();
    const u_int s2 = seq;
    if (s1 == s2 && s1 % 2 == 0) {
      KASSERTMSG(l == h, "a stable even sequence means a consistent read");
    }
  }
}

static void seqlock_setup(int barriers) {
  smp_thread_create("writer", 0, seqlock_writer, NULL);
  smp_thread_create("reader", 1, seqlock_reader, ARG(barriers));
}
static void seqlock_no_consumer_setup(void) { seqlock_setup(0); }
static void seqlock_fixed_setup(void) { seqlock_setup(1); }

SMP_SCENARIO_C(seqlock_no_consumer, .target = "membar",
               .variant = "seqlock_no_consumer",
               .description = "seqlock reader without membar_consumer",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_RELAXED, .setup = seqlock_no_consumer_setup)
SMP_SCENARIO_C(seqlock_fixed, .target = "membar", .variant = "seqlock_fixed",
               .description = "seqlock reader with membar_consumer around the data",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_RELAXED, .setup = seqlock_fixed_setup)

/* ---- a spin lock made by hand from atomics: the release is a plain
 * store of 0, which needs membar_release before it so the critical
 * section's stores are visible first. */

#define HANDLOCK_ROUNDS 2

static volatile u_int lock;
static int counter;

static void handlock_thread(void* release_barrier) {
  for (int i = 0; i < HANDLOCK_ROUNDS; i++) {
    while (atomic_cas_uint(&lock, 0, 1) != 0) cpu_spinwait();
    membar_acquire();
    counter = counter + 1;
    if (VAL(release_barrier)) membar_release();
    lock = 0;
  }
}

static void handlock_setup(int release_barrier) {
  smp_thread_create("t0", 0, handlock_thread, ARG(release_barrier));
  smp_thread_create("t1", 1, handlock_thread, ARG(release_barrier));
}
static void spinlock_no_release_setup(void) { handlock_setup(0); }
static void spinlock_fixed_setup(void) { handlock_setup(1); }
static void handlock_check(void) {
  KASSERTMSG(counter == 2 * HANDLOCK_ROUNDS, "no increment is lost");
}

SMP_SCENARIO_C(spinlock_no_release, .target = "membar",
               .variant = "spinlock_no_release",
               .description = "hand-rolled spin lock released without "
                              "membar_release",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_PSO, .setup = spinlock_no_release_setup,
               .check = handlock_check)
SMP_SCENARIO_C(spinlock_fixed, .target = "membar", .variant = "spinlock_fixed",
               .description = "hand-rolled spin lock with membar_acquire/"
                              "membar_release",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_PSO, .setup = spinlock_fixed_setup,
               .check = handlock_check)
