/* hwtest: atomic_ops(3) under contention on two and four CPUs, and a byte
 * an atomic increment wraps to 0. runtime_test.cc says which contract each
 * one proves. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

static const char* const kThreadNames[] = {"t0", "t1", "t2", "t3"};

/* ---- atomics: atomic_ops(3) under contention. Every thread (one per CPU)
 * does ATOMIC_ROUNDS of each operation; the final check wants every
 * update, so a lost one fails it. */

#define ATOMIC_ROUNDS 3
#define ATOMIC_MAX_CPUS 4

struct atomics {
  unsigned int a_inc;
  uint32_t a_add;
  unsigned int a_cas;
  unsigned long a_swap;
  uint32_t a_or;
  uint32_t a_and;
  uint8_t a_u8;
  uint16_t a_u16;
};

static struct atomics g_at = {.a_and = 0xFFFFFFFFu, .a_u8 = 250, .a_u16 = 65530};
/* Every value atomic_add_32_nv returned / atomic_swap_ulong displaced. */
static uint32_t g_at_nv[ATOMIC_MAX_CPUS * ATOMIC_ROUNDS];
static unsigned long g_at_swapped[ATOMIC_MAX_CPUS * ATOMIC_ROUNDS];
static unsigned int g_at_cas_failed;

static void atomics_thread(void* arg) {
  const int me = VAL(arg);
  for (int i = 0; i < ATOMIC_ROUNDS; i++) {
    const int slot = me * ATOMIC_ROUNDS + i;
    atomic_inc_uint(&g_at.a_inc);
    g_at_nv[slot] = atomic_add_32_nv(&g_at.a_add, 3);
    for (;;) {
      const unsigned int old = atomic_load_relaxed(&g_at.a_cas);
      const unsigned int seen = atomic_cas_uint(&g_at.a_cas, old, old + 1);
      if (seen == old) break;
      atomic_inc_uint(&g_at_cas_failed);
    }
    g_at_swapped[slot] = atomic_swap_ulong(&g_at.a_swap, (unsigned long)slot + 1);
    atomic_or_32(&g_at.a_or, 1u << slot);
    atomic_and_32(&g_at.a_and, ~(1u << slot));
    __atomic_fetch_add(&g_at.a_u8, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&g_at.a_u16, 1, __ATOMIC_RELAXED);
  }
}

static void atomics_setup(void) {
  for (int cpu = 0; cpu < smp_ncpu() && cpu < ATOMIC_MAX_CPUS; cpu++) {
    smp_thread_create(kThreadNames[cpu], cpu, atomics_thread, ARG(cpu));
  }
}

static void atomics_check(void) {
  const unsigned int n = (unsigned int)smp_ncpu() * ATOMIC_ROUNDS;
  KASSERTMSG(g_at.a_inc == n, "a_inc is %u, not %u", g_at.a_inc, n);
  KASSERTMSG(g_at.a_add == 3 * n, "a_add is %u, not %u", g_at.a_add, 3 * n);
  KASSERTMSG(g_at.a_cas == n, "a_cas is %u, not %u", g_at.a_cas, n);
  const uint32_t mask = (uint32_t)((1ull << n) - 1);
  KASSERTMSG(g_at.a_or == mask, "a_or is %#x, not %#x", g_at.a_or, mask);
  KASSERTMSG(g_at.a_and == ~mask, "a_and is %#x, not %#x", g_at.a_and, ~mask);
  KASSERTMSG(g_at.a_u8 == (uint8_t)(250 + n), "a_u8 is %u", g_at.a_u8);
  KASSERTMSG(g_at.a_u16 == (uint16_t)(65530 + n), "a_u16 is %u", g_at.a_u16);
  /* Each add returned a distinct new value, 3..3n. */
  uint32_t seen_nv = 0;
  /* The swaps displaced 0 and every value put in but the last one. */
  uint32_t seen_swap = 0;
  for (unsigned int s = 0; s < n; s++) {
    const uint32_t nv = g_at_nv[s];
    KASSERTMSG(nv % 3 == 0 && nv >= 3 && nv <= 3 * n, "nv %u", nv);
    seen_nv |= 1u << (nv / 3 - 1);
    const unsigned long old = g_at_swapped[s];
    KASSERTMSG(old <= n, "swap displaced %lu", old);
    KASSERTMSG((seen_swap & (1u << old)) == 0, "swap displaced %lu twice", old);
    seen_swap |= 1u << old;
  }
  KASSERTMSG(seen_nv == mask, "add_nv values %#x", seen_nv);
  KASSERTMSG((seen_swap | (1u << g_at.a_swap)) == ((1u << (n + 1)) - 1),
             "swap displaced %#x and holds %lu", seen_swap, g_at.a_swap);
}

SMP_SCENARIO_C(atomics_2cpu, .target = "hwtest", .variant = "atomics_2cpu",
               .description = "atomic_ops(3) on 2 CPUs", .expected = SMP_CLEAN,
               .cpus = 2, .max_steps = 5000, .detect_races = 1,
               .setup = atomics_setup, .check = atomics_check)
SMP_SCENARIO_C(atomics_4cpu, .target = "hwtest", .variant = "atomics_4cpu",
               .description = "atomic_ops(3) on 4 CPUs", .expected = SMP_CLEAN,
               .cpus = 4, .max_steps = 10000, .detect_races = 1,
               .setup = atomics_setup, .check = atomics_check)

/* A byte at 255 that an atomic increment wraps to 0: the value is 0, and a
 * spinner waiting for the byte to leave 255 wakes and sees 0. */

static uint8_t g_byte = 255;
static uint8_t g_byte_old;

static void byte_bumper(void* arg) {
  (void)arg;
  smp_yield();
  g_byte_old = __atomic_fetch_add(&g_byte, 1, __ATOMIC_RELAXED);
}
static void byte_spinner(void* arg) {
  (void)arg;
  while (__atomic_load_n(&g_byte, __ATOMIC_RELAXED) == 255) cpu_spinwait();
  const uint8_t now = __atomic_load_n(&g_byte, __ATOMIC_RELAXED);
  KASSERTMSG(now == 0, "the wrapped byte reads %u", now);
}
static void byte_setup(void) {
  smp_thread_create("bumper", 0, byte_bumper, NULL);
  smp_thread_create("spinner", 1, byte_spinner, NULL);
}
static void byte_check(void) {
  KASSERTMSG(g_byte == 0, "g_byte is %u", g_byte);
  KASSERTMSG(g_byte_old == 255, "fetch_add returned %u", g_byte_old);
}

SMP_SCENARIO_C(byte_wraps, .target = "hwtest", .variant = "byte_wraps",
               .description = "a uint8_t at 255 incremented atomically wakes "
                              "its spinner",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .setup = byte_setup, .check = byte_check)
