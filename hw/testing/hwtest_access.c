/* hwtest: plain accesses reach the machine's cells. Values of every width
 * and sign, a global's initial value in every execution, memset and memcpy
 * over shared structs, and a flexible array member of kmem'd memory.
 * runtime_test.cc says which contract each one proves. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

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

/* ---- peek_own_store: smp_peek of a location with no cell reads memory;
 * once the context's store made it a cell, smp_peek sees that store even
 * while it sits in the CPU's store buffer (TSO), memory still 0. */

static int g_peeked;

static void peek_thread(void* arg) {
  (void)arg;
  KASSERTMSG(smp_peek_var(&g_peeked) == 0, "no cell yet: memory");
  KASSERTMSG(smp_peek_var(&g_peeked) == 0, "no cell yet, again");
  g_peeked = 5;
  KASSERTMSG(smp_peek_var(&g_peeked) == 5, "the CPU's own store, buffered or not");
}

static void peek_setup(void) { smp_thread_create("t0", 0, peek_thread, NULL); }

SMP_SCENARIO_C(peek_own_store, .target = "hwtest", .variant = "peek_own_store",
               .description = "smp_peek before and after a location becomes a cell",
               .expected = SMP_CLEAN, .cpus = 1, .max_steps = 200,
               .memory_model = SMP_TSO, .setup = peek_setup)
