/* The hwtest target: small C scenarios, each the smallest program that
 * exercises one contract of the C runtime (hw/access.cc, hw/hardware.cc,
 * hw/hw_state.cc). runtime_test.cc runs them and says which contract each
 * one proves. Test-only: not linked into smpfuzz.
 *
 * Where a test must name the file:line of an access, the line is exported
 * as a constant next to it (hwtest_line_*: the line of the function body
 * that follows), so the test does not hard-code line numbers. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

static const char* const kThreadNames[] = {"t0", "t1", "t2", "t3"};

/* ---- widths: every access size and a pointer, in a global and in kmem ----
 * The writer stores values with the top bit set (and negative ones), then
 * publishes with a release store; the reader checks them in its context
 * (the cells' values) and the final check checks them again outside any
 * context (the bytes the cells mirror to memory). */

struct widths {
  int8_t s8;
  uint8_t u8;
  int16_t s16;
  uint16_t u16;
  int32_t s32;
  uint32_t u32;
  int64_t s64;
  uint64_t u64;
  void* ptr;
};

#define W_S8 ((int8_t)-5)
#define W_U8 ((uint8_t)0xF0)
#define W_S16 ((int16_t)-12345)
#define W_U16 ((uint16_t)0xBEEF)
#define W_S32 ((int32_t)-123456789)
#define W_U32 ((uint32_t)0xDEADBEEFu)
#define W_S64 ((int64_t)-1234567890123456789LL)
#define W_U64 ((uint64_t)0xFEDCBA9876543210ULL)

static struct widths g_w;
static struct widths* g_wk; /* kmem_zalloc'ed in set-up */
static int g_w_ready;

static void widths_fill(struct widths* w, void* ptr, int k) {
  w->s8 = (int8_t)(W_S8 - k);
  w->u8 = (uint8_t)(W_U8 + k);
  w->s16 = (int16_t)(W_S16 - k);
  w->u16 = (uint16_t)(W_U16 + k);
  w->s32 = W_S32 - k;
  w->u32 = W_U32 + (uint32_t)k;
  w->s64 = W_S64 - k;
  w->u64 = W_U64 + (uint64_t)k;
  w->ptr = ptr;
}

static void widths_expect(const struct widths* w, void* ptr, int k) {
  KASSERTMSG(w->s8 == (int8_t)(W_S8 - k), "s8 is %d", w->s8);
  KASSERTMSG(w->u8 == (uint8_t)(W_U8 + k), "u8 is %u", w->u8);
  KASSERTMSG(w->s16 == (int16_t)(W_S16 - k), "s16 is %d", w->s16);
  KASSERTMSG(w->u16 == (uint16_t)(W_U16 + k), "u16 is %u", w->u16);
  KASSERTMSG(w->s32 == W_S32 - k, "s32 is %d", w->s32);
  KASSERTMSG(w->u32 == W_U32 + (uint32_t)k, "u32 is %u", w->u32);
  KASSERTMSG(w->s64 == W_S64 - k, "s64 is %lld", (long long)w->s64);
  KASSERTMSG(w->u64 == W_U64 + (uint64_t)k, "u64 is %llu",
             (unsigned long long)w->u64);
  KASSERTMSG(w->ptr == ptr, "ptr is %p", w->ptr);
  /* Sign and zero extension as C sees them. */
  KASSERT(w->s8 < 0 && w->s16 < 0 && w->s32 < 0 && w->s64 < 0);
  KASSERT(w->u8 > 0x7F && w->u16 > 0x7FFF && w->u32 > 0x7FFFFFFFu &&
          w->u64 > 0x7FFFFFFFFFFFFFFFULL);
}

static void widths_writer(void* arg) {
  struct widths* wk = arg;
  widths_fill(&g_w, wk, 0);
  widths_fill(wk, &g_w, 1);
  atomic_store_release(&g_w_ready, 1);
}

static void widths_reader(void* arg) {
  struct widths* wk = arg;
  while (atomic_load_acquire(&g_w_ready) == 0) cpu_spinwait();
  widths_expect(&g_w, wk, 0);
  widths_expect(wk, &g_w, 1);
}

static void widths_setup(void) {
  g_wk = kmem_zalloc(sizeof(*g_wk), KM_SLEEP);
  smp_thread_create("writer", 0, widths_writer, g_wk);
  smp_thread_create("reader", 1, widths_reader, g_wk);
}
static void widths_check(void) {
  widths_expect(&g_w, g_wk, 0);
  widths_expect(g_wk, &g_w, 1);
}

SMP_SCENARIO_C(widths, .target = "hwtest", .variant = "widths",
               .description = "8/16/32/64-bit and pointer fields of a global "
                              "and a kmem struct, written on CPU0, read on CPU1",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .detect_races = 1, .setup = widths_setup, .check = widths_check)

/* ---- globals_restored: a global starts from its initial value in every
 * execution, whatever the previous one left in it. */

static int g_five = 5;

static void five_thread(void* arg) {
  (void)arg;
  g_five = g_five + 1;
  KASSERTMSG(g_five == 6, "g_five started at %d", g_five - 1);
}
static void five_setup(void) {
  KASSERTMSG(g_five == 5, "g_five is %d before set-up", g_five);
  smp_thread_create("t0", 0, five_thread, NULL);
}
static void five_check(void) { KASSERTMSG(g_five == 6, "g_five is %d", g_five); }

SMP_SCENARIO_C(globals_restored, .target = "hwtest", .variant = "globals_restored",
               .description = "a thread increments a global initialised to 5",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = five_setup, .check = five_check)

/* ---- naming: racy stores to a field of a global struct and of a kmem
 * struct through a pointer; the race verdict names the C field and the
 * file:line of each store. */

struct softc {
  int sc_count;
  int sc_flags;
};

static struct softc g_sc;

const int hwtest_line_race_global_t0 = __LINE__ + 1;
static void race_global_t0(void* arg) { (void)arg; g_sc.sc_count = 1; }
const int hwtest_line_race_global_t1 = __LINE__ + 1;
static void race_global_t1(void* arg) { (void)arg; g_sc.sc_count = 2; }

static void race_global_setup(void) {
  smp_thread_create("t0", 0, race_global_t0, NULL);
  smp_thread_create("t1", 1, race_global_t1, NULL);
}

SMP_SCENARIO_C(race_global_field, .target = "hwtest", .variant = "race_global_field",
               .description = "two CPUs store g_sc.sc_count without a lock",
               .expected = SMP_DATA_RACE, .cpus = 2, .max_steps = 200,
               .detect_races = 1, .setup = race_global_setup)

const int hwtest_line_race_kmem_t0 = __LINE__ + 1;
static void race_kmem_t0(void* arg) { struct softc* sc = arg; sc->sc_count = 1; }
const int hwtest_line_race_kmem_t1 = __LINE__ + 1;
static void race_kmem_t1(void* arg) { struct softc* sc = arg; sc->sc_count = 2; }

static void race_kmem_setup(void) {
  struct softc* sc = kmem_zalloc(sizeof(*sc), KM_SLEEP);
  smp_thread_create("t0", 0, race_kmem_t0, sc);
  smp_thread_create("t1", 1, race_kmem_t1, sc);
}

SMP_SCENARIO_C(race_kmem_field, .target = "hwtest", .variant = "race_kmem_field",
               .description = "two CPUs store sc->sc_count of a kmem softc "
                              "without a lock",
               .expected = SMP_DATA_RACE, .cpus = 2, .max_steps = 200,
               .detect_races = 1, .setup = race_kmem_setup)

/* ---- spinwait: cpu_spinwait() parks the spinner on the location it just
 * read. The setter yields SPIN_YIELDS times first: a spinner that polled
 * instead would take about as many steps again. With nobody to set the
 * flag the spinner is a deadlock, not a hang. */

#define SPIN_YIELDS 40

static int g_flag;
static int g_never;

static void spin_setter(void* arg) {
  (void)arg;
  for (int i = 0; i < SPIN_YIELDS; i++) smp_yield();
  g_flag = 1;
}
static void spin_waiter(void* arg) {
  (void)arg;
  while (g_flag == 0) cpu_spinwait();
}
static void spinwait_setup(void) {
  smp_thread_create("setter", 0, spin_setter, NULL);
  smp_thread_create("waiter", 1, spin_waiter, NULL);
}
static void spinwait_check(void) { KASSERT(g_flag == 1); }

SMP_SCENARIO_C(spinwait_parks, .target = "hwtest", .variant = "spinwait_parks",
               .description = "a thread spins with cpu_spinwait until a flag "
                              "another sets late",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 20000,
               .setup = spinwait_setup, .check = spinwait_check)

static void spin_forever(void* arg) {
  (void)arg;
  while (g_never == 0) cpu_spinwait();
}
static void spin_bystander(void* arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) smp_yield();
}
static void spin_forever_setup(void) {
  smp_thread_create("spinner", 0, spin_forever, NULL);
  smp_thread_create("bystander", 1, spin_bystander, NULL);
}

SMP_SCENARIO_C(spinwait_forever, .target = "hwtest", .variant = "spinwait_forever",
               .description = "a thread spins on a flag nobody ever sets",
               .expected = SMP_DEADLOCK, .cpus = 2, .max_steps = 20000,
               .setup = spin_forever_setup)

/* ---- memops: memset and memcpy over shared structs whose int fields were
 * already accessed (so they are 4-byte cells) go through those cells: the
 * reader on the other CPU sees what they wrote. Once as clang lowers
 * builtins and struct assignment (llvm.memset/memcpy), once spelled as
 * kernel code calls them (memset(), memcpy() from <sys/systm.h>). */

struct blk {
  int b_a;
  int b_b;
  int b_c;
  int b_d;
};

static struct blk g_blk = {1, 2, 3, 4};
static struct blk g_blk_src = {10, 20, 30, 40};
static struct blk* g_blk_k; /* kmem */
static int g_blk_ready;

static int blk_sum(const struct blk* b) { return b->b_a + b->b_b + b->b_c + b->b_d; }

static void blk_expect(const struct blk* b, int a, int bb, int c, int d) {
  KASSERTMSG(b->b_a == a, "b_a is %d, not %d", b->b_a, a);
  KASSERTMSG(b->b_b == bb, "b_b is %d, not %d", b->b_b, bb);
  KASSERTMSG(b->b_c == c, "b_c is %d, not %d", b->b_c, c);
  KASSERTMSG(b->b_d == d, "b_d is %d, not %d", b->b_d, d);
}

static void memops_builtin_writer(void* arg) {
  struct blk* k = arg;
  /* Make every field a 4-byte cell first. */
  KASSERT(blk_sum(&g_blk) == 10);
  k->b_a = 7;
  k->b_b = 7;
  k->b_c = 7;
  k->b_d = 7;
  __builtin_memset(&g_blk, 0, sizeof(g_blk));
  blk_expect(&g_blk, 0, 0, 0, 0);
  __builtin_memset(k, 0xff, sizeof(*k));
  blk_expect(k, -1, -1, -1, -1);
  g_blk = g_blk_src;                              /* llvm.memcpy */
  __builtin_memcpy(k, &g_blk, sizeof(*k));
  atomic_store_release(&g_blk_ready, 1);
}

static void memops_libc_writer(void* arg) {
  struct blk* k = arg;
  KASSERT(blk_sum(&g_blk) == 10);
  k->b_a = 7;
  k->b_b = 7;
  k->b_c = 7;
  k->b_d = 7;
  memset(&g_blk, 0, sizeof(g_blk));
  blk_expect(&g_blk, 0, 0, 0, 0);
  memset(k, 0xff, sizeof(*k));
  blk_expect(k, -1, -1, -1, -1);
  memcpy(&g_blk, &g_blk_src, sizeof(g_blk));
  memcpy(k, &g_blk, sizeof(*k));
  atomic_store_release(&g_blk_ready, 1);
}

static void memops_reader(void* arg) {
  struct blk* k = arg;
  while (atomic_load_acquire(&g_blk_ready) == 0) cpu_spinwait();
  blk_expect(&g_blk, 10, 20, 30, 40);
  blk_expect(k, 10, 20, 30, 40);
}

static void memops_setup(void (*writer)(void*)) {
  g_blk_k = kmem_alloc(sizeof(*g_blk_k), KM_SLEEP);
  smp_thread_create("writer", 0, writer, g_blk_k);
  smp_thread_create("reader", 1, memops_reader, g_blk_k);
}
static void memops_builtin_setup(void) { memops_setup(memops_builtin_writer); }
static void memops_libc_setup(void) { memops_setup(memops_libc_writer); }
static void memops_check(void) {
  blk_expect(&g_blk, 10, 20, 30, 40);
  blk_expect(g_blk_k, 10, 20, 30, 40);
}

SMP_SCENARIO_C(memops_builtin, .target = "hwtest", .variant = "memops_builtin",
               .description = "__builtin_memset/memcpy and struct assignment "
                              "over int cells, read on another CPU",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .setup = memops_builtin_setup, .check = memops_check)
SMP_SCENARIO_C(memops_libc, .target = "hwtest", .variant = "memops_libc",
               .description = "memset()/memcpy() calls over int cells, read on "
                              "another CPU",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .setup = memops_libc_setup, .check = memops_check)

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

/* ---- use after free: an access to a kmem block after kmem_free. */

struct node {
  int n_value;
  int n_other;
};

static void uaf_thread(void* arg) {
  struct node* n = arg;
  n->n_value = 1;
  kmem_free(n, sizeof(*n));
  smp_yield();
  n->n_value = 2;
}
static void uaf_setup(void) {
  smp_thread_create("t0", 0, uaf_thread, kmem_zalloc(sizeof(struct node), KM_SLEEP));
}

SMP_SCENARIO_C(use_after_free, .target = "hwtest", .variant = "use_after_free",
               .description = "a thread stores to a node after freeing it",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 200,
               .setup = uaf_setup)

/* ---- refusals: memory the machine cannot follow ends the process. */

/* Defined in hwtest_foreign.cc: C++, not instrumented, not registered. */
extern char smp_test_foreign[64];

const int hwtest_line_foreign = __LINE__ + 1;
static void foreign_thread(void* arg) { (void)arg; smp_test_foreign[3] = 1; }
static void foreign_setup(void) { smp_thread_create("t0", 0, foreign_thread, NULL); }

SMP_SCENARIO_C(foreign_memory, .target = "hwtest", .variant = "foreign_memory",
               .description = "a thread stores to memory that is not shared "
                              "(refused: the process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = foreign_setup)

static union {
  uint32_t m_32;
  uint64_t m_64;
} g_mixed;

const int hwtest_line_mixed = __LINE__ + 1;
static void mixed_thread(void* arg) { (void)arg; g_mixed.m_32 = 1; g_mixed.m_64 = 2; }
static void mixed_setup(void) { smp_thread_create("t0", 0, mixed_thread, NULL); }

SMP_SCENARIO_C(mixed_size, .target = "hwtest", .variant = "mixed_size",
               .description = "4- and 8-byte stores at one address (refused: the "
                              "process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = mixed_setup)

/* ---- readonly: a handle set in set-up and declared constant. Its loads
 * are plain reads (no point, no trace line); the softc's other field
 * stays an ordinary shared location. A store to the constant from a
 * running context is refused. */

static struct {
  int ro_handle; /* set in set-up, then constant */
  int ro_count;
} g_ro;

static void readonly_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    KASSERTMSG(g_ro.ro_handle == 7, "the constant reads back: %d", g_ro.ro_handle);
    atomic_inc_uint((volatile u_int*)&g_ro.ro_count);
  }
}
static void readonly_setup(void) {
  g_ro.ro_handle = 7;
  smp_readonly_var(&g_ro.ro_handle);
  smp_thread_create("t0", 0, readonly_thread, NULL);
  smp_thread_create("t1", 1, readonly_thread, NULL);
}
static void readonly_check(void) { KASSERT(g_ro.ro_count == 6); }

SMP_SCENARIO_C(readonly, .target = "hwtest", .variant = "readonly",
               .description = "two threads read a handle declared constant in set-up",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = readonly_setup, .check = readonly_check)

const int hwtest_line_readonly_store = __LINE__ + 1;
static void readonly_store_thread(void* arg) { (void)arg; g_ro.ro_handle = 8; }
static void readonly_store_setup(void) {
  smp_readonly_var(&g_ro.ro_handle);
  smp_thread_create("t0", 0, readonly_store_thread, NULL);
}

const int hwtest_line_readonly_rmw = __LINE__ + 1;
static void readonly_rmw_thread(void* arg) { (void)arg; atomic_inc_uint((volatile u_int*)&g_ro.ro_handle); }
static void readonly_rmw_setup(void) {
  smp_readonly_var(&g_ro.ro_handle);
  smp_thread_create("t0", 0, readonly_rmw_thread, NULL);
}

SMP_SCENARIO_C(readonly_rmw, .target = "hwtest", .variant = "readonly_rmw",
               .description = "a thread increments a location declared constant "
                              "atomically (refused: the process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = readonly_rmw_setup)

SMP_SCENARIO_C(readonly_store, .target = "hwtest", .variant = "readonly_store",
               .description = "a thread stores to a location declared constant "
                              "(refused: the process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = readonly_store_setup)

/* ---- determinism: kmem, atomics, plain accesses, an interrupt line and
 * trace notes, all on one schedule. */

#define DET_LEVEL 5

struct det {
  unsigned int d_events;
  int d_last;
  uint64_t d_sum;
};

static void det_intr(void* arg) {
  struct det* d = arg;
  atomic_inc_uint(&d->d_events);
  d->d_last = -smp_cpu() - 1;
  printf("intr on cpu%d", smp_cpu());
}

static void det_thread(void* arg) {
  struct det* d = arg;
  for (int i = 0; i < 3; i++) {
    const int s = smp_ipr_get();
    smp_ipr_set(DET_LEVEL);
    d->d_last = smp_cpu() + 1;
    d->d_sum += (uint64_t)i;
    smp_ipr_set(s);
    atomic_add_32_nv(&d->d_events, 1);
  }
}

static void det_setup(void) {
  struct det* d = kmem_zalloc(sizeof(*d), KM_SLEEP);
  const int line = smp_intr_establish("det", DET_LEVEL, det_intr, d);
  smp_intr_source(line, 3, 0x3);
  smp_thread_create("t0", 0, det_thread, d);
  smp_thread_create("t1", 1, det_thread, d);
}

SMP_SCENARIO_C(determinism, .target = "hwtest", .variant = "determinism",
               .description = "kmem, atomics and an interrupt line on two CPUs",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = det_setup)

/* ---- kmem_free leaves other memory alone: after one block is freed, the
 * locations accessed before (a global, another kmem block) are accessed
 * as before. */

static int g_live;

static void free_other_thread(void* arg) {
  struct node** nodes = arg;
  g_live = 1;
  nodes[1]->n_value = 1;
  kmem_free(nodes[0], sizeof(struct node));
  g_live = g_live + 1;
  nodes[1]->n_value = nodes[1]->n_value + 1;
  KASSERT(g_live == 2 && nodes[1]->n_value == 2);
}
static struct node* g_nodes[2];
static void free_other_setup(void) {
  g_nodes[0] = kmem_zalloc(sizeof(struct node), KM_SLEEP);
  g_nodes[1] = kmem_zalloc(sizeof(struct node), KM_SLEEP);
  smp_thread_create("t0", 0, free_other_thread, g_nodes);
}

SMP_SCENARIO_C(free_then_other_access, .target = "hwtest",
               .variant = "free_then_other_access",
               .description = "a thread frees one block, then accesses a global "
                              "and another block it accessed before",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = free_other_setup)

/* ---- device models: a register write's callback stores to a descriptor
 * in kmem (the device's DMA); the driver, which read the descriptor
 * before, reads what the device wrote. */

#include <sys/bus.h>

struct desc {
  uint32_t d_status;
  uint32_t d_pad;
};

static uint32_t dev_read(void* dev, bus_size_t off, int width) {
  (void)off;
  (void)width;
  struct desc* d = dev;
  return d->d_status;
}
static void dev_write(void* dev, bus_size_t off, uint32_t value, int width) {
  (void)off;
  (void)width;
  struct desc* d = dev;
  d->d_status = value;
}
static const struct smp_device_ops kDevOps = {dev_read, dev_write};

static struct desc* g_desc;
static bus_space_handle_t g_dev;

static void dev_driver(void* arg) {
  struct desc* d = arg;
  KASSERT(d->d_status == 0);
  bus_space_write_4(0, g_dev, 0, 5);
  KASSERTMSG(bus_space_read_4(0, g_dev, 0) == 5, "the register reads back");
  KASSERTMSG(d->d_status == 5, "the driver sees the device's store: %u",
             d->d_status);
}
static void dev_setup(void) {
  g_desc = kmem_zalloc(sizeof(*g_desc), KM_SLEEP);
  g_dev = smp_device_attach("dev0", &kDevOps, g_desc);
  smp_thread_create("driver", 0, dev_driver, g_desc);
}

SMP_SCENARIO_C(device_store, .target = "hwtest", .variant = "device_store",
               .description = "a device callback stores to a descriptor the "
                              "driver reads",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = dev_setup)

/* ---- flexible: a flexible array member of a kmem_alloc'ed structure ----
 * One CPU fills the trailing array and publishes its length; the other
 * reads the length, then the elements. The array lies past sizeof the
 * structure, inside the kmem block: shared memory like the rest. */

struct flex {
  u_int f_len;
  int f_items[];
};

#define FLEX_ITEMS 5

static struct flex* g_flex;

static void flex_writer(void* arg) {
  (void)arg;
  for (int i = 0; i < FLEX_ITEMS; i++) g_flex->f_items[i] = 10 * (i + 1);
  atomic_store_release(&g_flex->f_len, FLEX_ITEMS);
}

static void flex_reader(void* arg) {
  (void)arg;
  u_int n;
  while ((n = atomic_load_acquire(&g_flex->f_len)) == 0) cpu_spinwait();
  for (u_int i = 0; i < n; i++) {
    KASSERTMSG(g_flex->f_items[i] == 10 * (int)(i + 1), "flexible array element");
  }
}

static void flex_setup(void) {
  g_flex = kmem_zalloc(sizeof(*g_flex) + FLEX_ITEMS * sizeof(int), KM_SLEEP);
  smp_thread_create("writer", 0, flex_writer, NULL);
  smp_thread_create("reader", 1, flex_reader, NULL);
}

SMP_SCENARIO_C(flexible, .target = "hwtest", .variant = "flexible",
               .description = "a flexible array member of kmem'd memory",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 2000,
               .setup = flex_setup)
