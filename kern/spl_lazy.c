/* The lazy spl (SPL_LAZY in <machine/intr.h>, which has the contract and
 * the scheduling points): the IPL in curcpu()->ci_ilevel_mask, interrupts
 * taken whatever it is, deferred in ci_ipending when it blocks them and
 * replayed by splx.
 *
 * ci_ilevel_mask is shared by the thread and the handlers of a CPU, and
 * every access is a scheduling point at which an interrupt can come.
 * splraise is a plain read-modify-write of it: a handler interrupting it
 * restores the level before returning, so the write stays right.
 * ci_ipending is updated with CAS (the kernel's atomic or), and splx works
 * on it with interrupts disabled (cli ... sti), checking and lowering as
 * one step.
 *
 * The handler table and the configuration are written in set-up and read
 * with smp_peek (no scheduling point). */
#include <machine/intr.h>
#include <smp/hw.h>
#include <stddef.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/param.h>
#include <sys/systm.h>

#include "kern/spl_private.h"

/* ---- The handler table (set-up only; read with smp_peek) ---- */

#define SPL_MAXLINES 64

struct spl_intrhand {
  int ih_line;
  int ih_level;
  int ih_run; /* blocked while the handler runs (includes ih_level) */
  void (*ih_fn)(void*);
  void* ih_arg;
};

static struct spl_intrhand spl_intrhand[SPL_MAXLINES];
static int spl_nintrhand;
static int spl_intrhand_of_line[SPL_MAXLINES]; /* line -> index + 1 */

#define IH(h, field) \
  smp_peek(&spl_intrhand[(h)].field, sizeof spl_intrhand[(h)].field)
#define IH_LEVEL(h) ((int)IH(h, ih_level))
#define IH_RUN(h) ((int)IH(h, ih_run))
#define IH_LINE(h) ((int)IH(h, ih_line))

/* ---- The one_cpu_per_level tokens: owner CPU + 1, 0 when free ---- */

#define SPL_TOKEN_LOW SPL_LEVEL_BIO
#define SPL_TOKEN_LEVELS (SPL_UPTO(SPL_LEVEL_HIGH) & ~SPL_UPTO(SPL_TOKEN_LOW - 1))

static volatile u_int spl_token[SPL_LEVEL_HIGH + 1];

static const char* const spl_token_names[SPL_LEVEL_HIGH + 1] = {
    [SPL_LEVEL_BIO] = "ipl.bio",     [SPL_LEVEL_NET] = "ipl.net",
    [SPL_LEVEL_TTY] = "ipl.tty",     [SPL_LEVEL_VM] = "ipl.vm",
    [SPL_LEVEL_CLOCK] = "ipl.clock", [SPL_LEVEL_SCHED] = "ipl.sched",
    [SPL_LEVEL_HIGH] = "ipl.high",
};

/* What TryTokens did. */
enum spl_tokens { SPL_TOKENS_TAKEN, SPL_TOKENS_FORWARDED, SPL_TOKENS_DEFERRED_HERE };

void spl_lazy_init(void) {
  /* Lockdep asks for a CPU's level as that CPU sees it. */
  smp_ipl_view(offsetof(struct cpu_info, ci_ilevel_mask),
               sizeof(((struct cpu_info*)0)->ci_ilevel_mask));
  if (spl_conf.one_cpu_per_level) {
    for (int level = SPL_TOKEN_LOW; level <= SPL_LEVEL_HIGH; level++) {
      smp_lock_declare_class(&spl_token[level], sizeof spl_token[level],
                             spl_token_names[level], SMP_LOCK_SPIN, 0);
    }
  }
}

static void spl_drop_tokens(int levels) {
  for (int bits = levels & SPL_TOKEN_LEVELS; bits != 0; bits &= bits - 1) {
    const int level = __builtin_ctz((unsigned)bits);
    membar_release();
    spl_token[level] = 0;
    smp_lock_released(&spl_token[level]);
  }
}

/* Spins for the token of every level of `levels`, in ascending order
 * (threads raising their IPL). */
static void spl_take_tokens(int cpu, int levels) {
  for (int bits = levels & SPL_TOKEN_LEVELS; bits != 0; bits &= bits - 1) {
    const int level = __builtin_ctz((unsigned)bits);
    smp_lock_want(&spl_token[level]);
    while (atomic_cas_uint(&spl_token[level], 0, (u_int)cpu + 1) != 0) {
      cpu_spinwait(); /* until the owner's value changes */
    }
    smp_lock_acquired(&spl_token[level]);
    /* A token is a lock on what runs at its level: the owner's accesses
     * stay after the take and before the drop under any memory model. */
    membar_acquire();
  }
}

static void spl_pend(struct cpu_info* ci, int line) {
  const uint64_t bit = (uint64_t)1 << line;
  for (;;) {
    const uint64_t p = ci->ci_ipending;
    if (atomic_cas_64(&ci->ci_ipending, p, p | bit) == p) break;
  }
}

/* Takes every token of `levels` or none (handlers cannot spin for them).
 * On failure the interrupt of `line` is deferred here, when this CPU owns
 * the level (its handler being replayed asks for a level its own splx has
 * not dropped yet), or forwarded to the owner, which blocks that level. */
static enum spl_tokens spl_try_tokens(struct cpu_info* ci, int cpu, int levels,
                                      int line) {
  int taken = 0;
  for (int bits = levels & SPL_TOKEN_LEVELS; bits != 0; bits &= bits - 1) {
    const int level = __builtin_ctz((unsigned)bits);
    const u_int owner = atomic_cas_uint(&spl_token[level], 0, (u_int)cpu + 1);
    if (owner == 0) {
      smp_lock_tryacquired(&spl_token[level]);
      membar_acquire();
      taken |= SPL_BIT(level);
      continue;
    }
    spl_drop_tokens(taken);
    if (owner == (u_int)cpu + 1) {
      spl_pend(ci, line);
      return SPL_TOKENS_DEFERRED_HERE;
    }
    smp_send_ipi((int)owner - 1, line);
    return SPL_TOKENS_FORWARDED;
  }
  return SPL_TOKENS_TAKEN;
}

/* Runs handler `h`, taken off the pending set, at `s` plus its run set,
 * then sets the level to `restore`. False iff it was deferred again on
 * this CPU instead (policy). */
static int spl_run_deferred(struct cpu_info* ci, int cpu, int h, int s,
                            int restore, int enable, int tokens) {
  const int run = IH_RUN(h);
  if (tokens) {
    const enum spl_tokens got = spl_try_tokens(ci, cpu, run & ~s, IH_LINE(h));
    if (got != SPL_TOKENS_TAKEN) return got == SPL_TOKENS_FORWARDED;
  }
  void (*fn)(void*) = (void (*)(void*))(uintptr_t)IH(h, ih_fn);
  void* arg = (void*)(uintptr_t)IH(h, ih_arg);
  ci->ci_ilevel_mask = (uint32_t)(s | run);
  if (enable) smp_intr_enable();
  fn(arg);
  if (enable) smp_intr_disable();
  if (tokens) spl_drop_tokens(run & ~s);
  ci->ci_ilevel_mask = (uint32_t)restore;
  return 1;
}

/* Runs every pending interrupt `s` does not block, highest level first,
 * lowest line among equals, as hardware would. REQUIRES: interrupts
 * disabled on the CPU; `enable`: whether to enable them around handlers. */
static void spl_replay(struct cpu_info* ci, int cpu, int s, int restore,
                       int enable, int tokens) {
  for (;;) {
    const uint64_t p = ci->ci_ipending;
    int best = -1, best_level = 0;
    for (uint64_t bits = p; bits != 0; bits &= bits - 1) {
      const int line = __builtin_ctzll(bits);
      const int h = (int)smp_peek_var(&spl_intrhand_of_line[line]) - 1;
      const int level = IH_LEVEL(h);
      if (s & SPL_BIT(level)) continue;
      if (best < 0 || level > best_level) {
        best = h;
        best_level = level;
      }
    }
    if (best < 0) return;
    const uint64_t bit = (uint64_t)1 << IH_LINE(best);
    if (atomic_cas_64(&ci->ci_ipending, p, p & ~bit) != p) continue;
    /* Re-deferred here (a level token this CPU owns): a later splx gets it. */
    if (!spl_run_deferred(ci, cpu, best, s, restore, enable, tokens)) return;
  }
}

/* The hardware entry of every lazily established line; `arg` is the
 * handler's index. */
static void spl_lazy_intr(void* arg) {
  const int h = (int)(uintptr_t)arg;
  const int level = IH_LEVEL(h);
  struct cpu_info* ci = curcpu();
  const int c = (int)ci->ci_ilevel_mask;
  if (c & SPL_BIT(level)) {
    spl_pend(ci, IH_LINE(h));
    return;
  }
  const int run = IH_RUN(h);
  if (SPL_CONF(one_cpu_per_level) &&
      spl_try_tokens(ci, smp_cpu(), run & ~c, IH_LINE(h)) != SPL_TOKENS_TAKEN) {
    return;
  }
  void (*fn)(void*) = (void (*)(void*))(uintptr_t)IH(h, ih_fn);
  void* fnarg = (void*)(uintptr_t)IH(h, ih_arg);
  ci->ci_ilevel_mask = (uint32_t)(c | run);
  fn(fnarg);
  splx(c); /* Xdoreti: lower back, replaying what became deliverable */
}

int spl_lazy_establish(const char* name, int level, int run, int soft,
                       void (*fn)(void*), void* arg) {
  const int h = spl_nintrhand;
  KASSERTMSG(h < SPL_MAXLINES, "more than %d spl handlers", SPL_MAXLINES);
  void* entry_arg = (void*)(uintptr_t)h;
  const int line = soft ? smp_softintr_establish(name, level, spl_lazy_intr, entry_arg)
                        : smp_intr_establish(name, level, spl_lazy_intr, entry_arg);
  spl_intrhand[h].ih_line = line;
  spl_intrhand[h].ih_level = level;
  spl_intrhand[h].ih_run = run;
  spl_intrhand[h].ih_fn = fn;
  spl_intrhand[h].ih_arg = arg;
  spl_intrhand_of_line[line] = h + 1;
  spl_nintrhand = h + 1;
  return line;
}

int spl_lazy_raise(int levels) {
  struct cpu_info* ci = curcpu();
  const int old = (int)ci->ci_ilevel_mask;
  /* The bug: the requested set replaces the current one. */
  const int want = SPL_CONF(raise_can_lower) ? levels : (old | levels);
  ci->ci_ilevel_mask = (uint32_t)want;
  /* Blocked locally first, then the tokens: a CPU owning a level's token
   * always blocks that level, so its handlers there are deferred, never
   * forwarded to itself. */
  if (SPL_CONF(one_cpu_per_level)) spl_take_tokens(smp_cpu(), want & ~old);
  return old;
}

void spl_lazy_splx(int s) {
  struct cpu_info* ci = curcpu();
  const int cpu = smp_cpu();
  const int enabled = smp_intr_enabled();
  const int tokens = SPL_CONF(one_cpu_per_level);
  if (SPL_CONF(splx_no_replay)) {
    const int old = tokens ? (int)ci->ci_ilevel_mask : 0;
    ci->ci_ilevel_mask = (uint32_t)s;
    if (tokens) spl_drop_tokens(old & ~s);
    return;
  }
  if (enabled) smp_intr_disable();
  if (SPL_CONF(splx_check_then_lower)) {
    const int old = (int)ci->ci_ilevel_mask;
    spl_replay(ci, cpu, s, old, enabled, tokens);
    if (enabled) smp_intr_enable();
    /* The window: an interrupt taken here is deferred against `old`. */
    ci->ci_ilevel_mask = (uint32_t)s;
    if (tokens) spl_drop_tokens(old & ~s);
    return;
  }
  if (tokens) {
    const int old = (int)ci->ci_ilevel_mask;
    ci->ci_ilevel_mask = (uint32_t)s;
    spl_drop_tokens(old & ~s);
  } else {
    ci->ci_ilevel_mask = (uint32_t)s;
  }
  spl_replay(ci, cpu, s, s, enabled, tokens);
  if (enabled) smp_intr_enable();
}

int spl_lazy_current(void) { return (int)smp_peek_var(&curcpu()->ci_ilevel_mask); }
