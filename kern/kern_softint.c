/* softint(9) (<sys/intr.h>): establish, schedule, dispatch, on spl's soft
 * lines and kernel_lock. */
#include <sys/intr.h>

#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/lock.h>
#include <sys/systm.h>

/* ---- State written in set-up, read with smp_peek while running ---- */

/* This execution's configuration (softint_configure); zero by default. */
static struct softint_config softint_conf;
#define SOFTINT_CONF(field) \
  ((int)smp_peek(&softint_conf.field, sizeof softint_conf.field))

/* The handlers, SOFTINT_PER_LEVEL slots per level, slot i of level L at
 * L * SOFTINT_PER_LEVEL + i. A handler's index is also its bit in each
 * CPU's ci_softints, so the bits of level L are one byte and the cookie
 * (a pointer into this table) gives the bit without a load. */
struct softint_handler {
  void (*sh_func)(void*); /* NULL: free slot */
  void* sh_arg;
  u_int sh_flags; /* softint_establish's flags */
};
static struct softint_handler softint_handlers[SOFTINT_COUNT * SOFTINT_PER_LEVEL];
static int softint_used[SOFTINT_COUNT]; /* slots taken per level */
/* The soft line of each level, once established (line + 1; 0 none). */
static int softint_lines[SOFTINT_COUNT];

/* ---- Shared state ---- */

/* SOFTINT_POLICY_ORDERED: one lock per level, held around a dispatch of
 * that level (1 held, 0 free). */
static volatile u_int softint_level_lock[SOFTINT_COUNT];

#define SOFTINT_LEVEL_BITS(level) (0xffu << ((level) * SOFTINT_PER_LEVEL))

/* Each level's soft line, in the order the C++ model declared them. */
static const struct {
  int level; /* SOFTINT_* */
  int spl_level;
  const char* name;
  const char* lock_name;
} softint_levels[SOFTINT_COUNT] = {
    {SOFTINT_CLOCK, SPL_LEVEL_SOFTCLOCK, "softclock", "softclock.lock"},
    {SOFTINT_BIO, SPL_LEVEL_SOFTBIO, "softbio", "softbio.lock"},
    {SOFTINT_NET, SPL_LEVEL_SOFTNET, "softnet", "softnet.lock"},
    {SOFTINT_SERIAL, SPL_LEVEL_SOFTSERIAL, "softserial", "softserial.lock"},
};

static void softint_dispatch(void* arg);

void softint_configure(const struct softint_config* config) {
  softint_conf = *config;
}

/* Set-up: the four soft lines and their level locks, once. */
static void softint_init(void) {
  for (int i = 0; i < SOFTINT_COUNT; ++i) {
    const int level = softint_levels[i].level;
    if (softint_lines[level] != 0) continue;
    softint_lines[level] =
        1 + spl_softintr_establish(softint_levels[i].name, softint_levels[i].spl_level,
                                   softint_dispatch, (void*)(uintptr_t)level);
    smp_lock_declare(&softint_level_lock[level], sizeof softint_level_lock[level],
                     softint_levels[i].lock_name);
  }
}

void* softint_establish(u_int flags, void (*func)(void*), void* arg) {
  const u_int level = flags & SOFTINT_LVLMASK;
  KASSERTMSG(level < SOFTINT_COUNT, "softint_establish: bad level %u", level);
  KASSERT(func != NULL);
  softint_init();
  if (softint_used[level] == SOFTINT_PER_LEVEL) return NULL;
  struct softint_handler* sh =
      &softint_handlers[level * SOFTINT_PER_LEVEL + softint_used[level]++];
  sh->sh_func = func;
  sh->sh_arg = arg;
  sh->sh_flags = flags;
  if ((flags & SOFTINT_MPSAFE) == 0) kernel_lock_init();
  return sh;
}

/* The handler's index: its bit in ci_softints. No load. */
static u_int softint_index(void* cookie) {
  const struct softint_handler* sh = cookie;
  KASSERTMSG(sh >= softint_handlers &&
                 sh < softint_handlers + __arraycount(softint_handlers),
             "softint: not a cookie of softint_establish");
  return (u_int)(sh - softint_handlers);
}

void softint_disestablish(void* cookie) {
  const u_int idx = softint_index(cookie);
  for (int i = 0; i < ncpu; ++i) {
    KASSERTMSG((atomic_load_relaxed(&cpu_lookup(i)->ci_softints) & (1u << idx)) == 0,
               "softint_disestablish: still pending on cpu%d", i);
  }
  softint_handlers[idx].sh_func = NULL;
}

static void softint_set_pending(struct cpu_info* ci, u_int idx) {
  for (;;) {
    const uint32_t old = atomic_load_relaxed(&ci->ci_softints);
    if (atomic_cas_32(&ci->ci_softints, old, old | (1u << idx)) == old) return;
  }
}

/* Returns whether the bit was set. */
static int softint_clear_pending(struct cpu_info* ci, u_int idx) {
  for (;;) {
    const uint32_t old = atomic_load_relaxed(&ci->ci_softints);
    if ((old & (1u << idx)) == 0) return 0;
    if (atomic_cas_32(&ci->ci_softints, old, old & ~(1u << idx)) == old) return 1;
  }
}

static int softint_line_of(u_int idx) {
  const u_int level = idx / SOFTINT_PER_LEVEL;
  return (int)smp_peek_var(&softint_lines[level]) - 1;
}

void softint_schedule_at(void* cookie, const char* file, int line) {
  const u_int idx = softint_index(cookie);
  struct cpu_info* ci = curcpu();
  softint_set_pending(ci, idx);
  smp_send_ipi_at(smp_cpu(), softint_line_of(idx), file, line);
}

void softint_schedule_cpu_at(void* cookie, struct cpu_info* ci, const char* file,
                             int line) {
  const u_int idx = softint_index(cookie);
  /* The work handed over must be visible before the pending bit is. */
  if (!SOFTINT_CONF(no_producer_barrier)) smp_membar_at(0 /* producer */, file, line);
  softint_set_pending(ci, idx);
  smp_send_ipi_at((int)cpu_index(ci), softint_line_of(idx), file, line);
}

/* The soft line's handler: runs every handler of `level` pending on this
 * CPU, lowest index first, until none is. */
static void softint_dispatch(void* arg) {
  const u_int level = (u_int)(uintptr_t)arg;
  const int ordered = SOFTINT_CONF(policy) == SOFTINT_POLICY_ORDERED;
  const int clear_after = SOFTINT_CONF(clear_after_run);
  const int giant_bug = SOFTINT_CONF(giant_not_taken);
  volatile u_int* lock = &softint_level_lock[level];
  struct cpu_info* ci = curcpu();

  if (ordered) {
    for (;;) {
      u_int expected = 0;
      if (__atomic_compare_exchange_n(lock, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                      __ATOMIC_RELAXED)) {
        break;
      }
      cpu_spinwait(); /* until the holder lets go */
    }
    smp_lock_acquired(lock);
  }
  for (;;) {
    const uint32_t mine = atomic_load_relaxed(&ci->ci_softints) & SOFTINT_LEVEL_BITS(level);
    if (mine == 0) break;
    const u_int idx = (u_int)__builtin_ctz(mine);
    if (!clear_after) softint_clear_pending(ci, idx);
    const struct softint_handler* sh = &softint_handlers[idx];
    void (*func)(void*) = (void (*)(void*))(uintptr_t)smp_peek_var(&sh->sh_func);
    void* harg = (void*)(uintptr_t)smp_peek_var(&sh->sh_arg);
    const u_int flags = (u_int)smp_peek_var(&sh->sh_flags);
    if (func != NULL) {
      const int giant = (flags & SOFTINT_MPSAFE) == 0 && !giant_bug;
      if (giant) KERNEL_LOCK(1, NULL);
      (*func)(harg);
      if (giant) KERNEL_UNLOCK_ONE(NULL);
    }
    if (clear_after) softint_clear_pending(ci, idx);
  }
  if (ordered) {
    __atomic_store_n(lock, 0, __ATOMIC_RELEASE);
    smp_lock_released(lock);
  }
}
