/* mutex(9): spin and adaptive mutexes (<sys/mutex.h>), on spl
 * (<machine/intr.h>) and atomic_ops(3). */
#include <sys/mutex.h>

#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/lock.h>
#include <sys/systm.h>

/* A held spin mutex's word; adaptive owners are even (the context id
 * shifted left), so mutex_owned tells them apart with one read. */
#define MUTEX_SPIN_HELD ((uintptr_t)1)
/* mtx_cfg is written by mutex_init only: read without a scheduling point,
 * as the C++ model read its constant members. */
#define MUTEX_CFG(mtx) ((uint32_t)smp_peek_var(&(mtx)->mtx_cfg))
#define MUTEX_OWNER_SELF() ((uintptr_t)smp_context_id() << 1)

static int mutex_default_is_adaptive(int ipl) {
  switch (ipl) {
    case IPL_NONE:
    case IPL_SOFTCLOCK:
    case IPL_SOFTBIO:
    case IPL_SOFTNET:
    case IPL_SOFTSERIAL:
      return 1;
    default:
      return 0;
  }
}

void mutex_init_bugs(kmutex_t* mtx, kmutex_type_t type, int ipl, const char* name,
                     unsigned bugs) {
  int spin;
  switch (type) {
    case MUTEX_SPIN:
      KASSERTMSG(ipl != IPL_NONE, "mutex_init: a spin mutex needs an ipl");
      spin = 1;
      break;
    case MUTEX_ADAPTIVE:
      KASSERTMSG(ipl == IPL_NONE, "mutex_init: an adaptive mutex has no ipl");
      spin = 0;
      break;
    case MUTEX_DEFAULT:
    case MUTEX_DRIVER:
    case MUTEX_NODEBUG:
      spin = !mutex_default_is_adaptive(ipl);
      break;
    default:
      panic("mutex_init: impossible type %d", (int)type);
  }
  KASSERT((ipl & ~(int)MUTEX_IPL_MASK) == 0);
  if (name[0] == '&') name++;
  mtx->mtx_owner = 0;
  mtx->mtx_cfg = (uint32_t)ipl | (spin ? MUTEX_F_SPIN : 0) | bugs;
  mtx->mtx_waiters = 0;
  smp_lock_declare_class(&mtx->mtx_owner, sizeof mtx->mtx_owner, name,
                         spin ? SMP_LOCK_SPIN : SMP_LOCK_ADAPTIVE, 0);
  if (!spin) smp_chan_declare(mtx, name);
}

void mutex_init_named(kmutex_t* mtx, kmutex_type_t type, int ipl, const char* name) {
  mutex_init_bugs(mtx, type, ipl, name, 0);
}

void mutex_destroy(kmutex_t* mtx) {
  KASSERTMSG(mtx->mtx_owner == 0, "mutex_destroy: still held");
}

int mutex_is_spin(const kmutex_t* mtx) { return (MUTEX_CFG(mtx) & MUTEX_F_SPIN) != 0; }

/* Takes the word from `old` to `new` with acquire ordering (the locked
 * cmpxchg of NetBSD's x86 mutex: one scheduling point, no separate
 * membar_acquire). Releases are the matching release store or swap. */
static inline int mutex_cas_acquire(kmutex_t* mtx, uintptr_t old, uintptr_t new) {
  return __atomic_compare_exchange_n(&mtx->mtx_owner, &old, new, 0, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

/* ---- Spin mutexes ---- */

/* Raises to the mutex's ipl and counts one more spin mutex held here; the
 * first saves the IPL to return to. */
static void mutex_spl_raise(int ipl) {
  const int s = splraise(ipl);
  struct cpu_info* ci = curcpu();
  const int held = ci->ci_mtx_count;
  ci->ci_mtx_count = held + 1;
  if (held == 0) ci->ci_mtx_oldspl = s;
}

/* Uncounts one, and restores the saved IPL if it was the CPU's last (or,
 * with the bug, always). */
static void mutex_spl_lower(uint32_t cfg) {
  struct cpu_info* ci = curcpu();
  const int s = ci->ci_mtx_oldspl;
  const int held = ci->ci_mtx_count - 1;
  ci->ci_mtx_count = held;
  if (held == 0 || (cfg & MUTEX_BUG_RESTORE_ON_INNER_RELEASE) != 0) splx(s);
}

static void mutex_spin_acquire(kmutex_t* mtx, const char* file, int line) {
  int count = SPINLOCK_BACKOFF_MIN;
  smp_lock_want_at(&mtx->mtx_owner, file, line);
  while (!mutex_cas_acquire(mtx, 0, MUTEX_SPIN_HELD)) {
    SPINLOCK_BACKOFF(count); /* parks until the word changes */
  }
  smp_lock_acquired_at(&mtx->mtx_owner, file, line);
}

static void mutex_spin_enter_cfg(kmutex_t* mtx, uint32_t cfg, const char* file,
                                 int line) {
  const int ipl = (int)(cfg & MUTEX_IPL_MASK);
  if ((cfg & MUTEX_BUG_ACQUIRE_BEFORE_RAISE) != 0) {
    mutex_spin_acquire(mtx, file, line);
    mutex_spl_raise(ipl);
  } else {
    mutex_spl_raise(ipl);
    mutex_spin_acquire(mtx, file, line);
  }
}

static void mutex_spin_exit_cfg(kmutex_t* mtx, uint32_t cfg, const char* file,
                                int line) {
  __atomic_store_n(&mtx->mtx_owner, 0, __ATOMIC_RELEASE);
  smp_lock_released_at(&mtx->mtx_owner, file, line); /* held until the freeing store */
  mutex_spl_lower(cfg);
}

void mutex_spin_enter_at(kmutex_t* mtx, const char* file, int line) {
  const uint32_t cfg = MUTEX_CFG(mtx);
  KASSERTMSG((cfg & MUTEX_F_SPIN) != 0, "mutex_spin_enter: adaptive mutex");
  mutex_spin_enter_cfg(mtx, cfg, file, line);
}

void mutex_spin_exit_at(kmutex_t* mtx, const char* file, int line) {
  const uint32_t cfg = MUTEX_CFG(mtx);
  KASSERTMSG((cfg & MUTEX_F_SPIN) != 0, "mutex_spin_exit: adaptive mutex");
  mutex_spin_exit_cfg(mtx, cfg, file, line);
}

/* ---- Adaptive mutexes ---- */

static void mutex_adaptive_enter(kmutex_t* mtx, const char* file, int line) {
  const uintptr_t me = MUTEX_OWNER_SELF();
  smp_lock_want_at(&mtx->mtx_owner, file, line);
  for (;;) {
    if (mutex_cas_acquire(mtx, 0, me)) break;
    uintptr_t seen = mtx->mtx_owner;
    if (seen == 0) continue;
    if ((seen & MUTEX_BIT_WAITERS) == 0) {
      if (atomic_cas_ulong(&mtx->mtx_owner, seen, seen | MUTEX_BIT_WAITERS) != seen) {
        continue;
      }
      seen |= MUTEX_BIT_WAITERS;
    }
    /* The turnstile: sleep unless the word changed meanwhile. */
    smp_park_while_at(mtx, &mtx->mtx_owner, sizeof mtx->mtx_owner, seen, file, line);
  }
  smp_lock_acquired_at(&mtx->mtx_owner, file, line);
}

static void mutex_adaptive_exit(kmutex_t* mtx, const char* file, int line) {
  const uintptr_t old = __atomic_exchange_n(&mtx->mtx_owner, 0, __ATOMIC_RELEASE);
  smp_lock_released_at(&mtx->mtx_owner, file, line); /* held until the freeing swap */
  if ((old & MUTEX_BIT_WAITERS) != 0) smp_unpark_at(mtx, file, line);
}

/* ---- MUTEX_BUG_EXIT_NO_BARRIER: the counting protocol, broken ----
 * Shaped as the C++ model's first adaptive mutex was (an acquiring CAS, a
 * releasing store: one scheduling point each), so that the sleep target's
 * mutex_exit_no_barrier keeps its schedules and depth. */

static void mutex_counting_enter(kmutex_t* mtx, const char* file, int line) {
  const uintptr_t me = MUTEX_OWNER_SELF();
  smp_lock_want_at(&mtx->mtx_owner, file, line);
  for (;;) {
    uintptr_t expected = 0;
    if (__atomic_compare_exchange_n(&mtx->mtx_owner, &expected, me, 0, __ATOMIC_ACQUIRE,
                                    __ATOMIC_RELAXED)) {
      break;
    }
    atomic_inc_uint(&mtx->mtx_waiters);
    /* Sleeps only if it is still held: a release in between is seen. */
    const uintptr_t holder = mtx->mtx_owner;
    if (holder != 0) {
      smp_park_while_at(mtx, &mtx->mtx_owner, sizeof mtx->mtx_owner, holder, file,
                        line);
    }
    atomic_dec_uint(&mtx->mtx_waiters);
  }
  smp_lock_acquired_at(&mtx->mtx_owner, file, line);
}

static void mutex_counting_exit(kmutex_t* mtx, const char* file, int line) {
  __atomic_store_n(&mtx->mtx_owner, 0, __ATOMIC_RELEASE);
  smp_lock_released_at(&mtx->mtx_owner, file, line); /* held until the store */
  /* The bug: membar_sync belongs here, so that the release is visible
   * before the count is read (a waiter counts itself, then re-reads the
   * owner: with the barrier one side always sees the other). */
  if (mtx->mtx_waiters != 0) smp_unpark_one_at(mtx, file, line);
}

/* ---- The kernel API ---- */

void mutex_enter_at(kmutex_t* mtx, const char* file, int line) {
  const uint32_t cfg = MUTEX_CFG(mtx);
  if ((cfg & MUTEX_F_SPIN) != 0) {
    mutex_spin_enter_cfg(mtx, cfg, file, line);
  } else if ((cfg & MUTEX_BUG_EXIT_NO_BARRIER) != 0) {
    mutex_counting_enter(mtx, file, line);
  } else {
    mutex_adaptive_enter(mtx, file, line);
  }
}

void mutex_exit_at(kmutex_t* mtx, const char* file, int line) {
  const uint32_t cfg = MUTEX_CFG(mtx);
  if ((cfg & MUTEX_F_SPIN) != 0) {
    mutex_spin_exit_cfg(mtx, cfg, file, line);
  } else if ((cfg & MUTEX_BUG_EXIT_NO_BARRIER) != 0) {
    mutex_counting_exit(mtx, file, line);
  } else {
    mutex_adaptive_exit(mtx, file, line);
  }
}

int mutex_tryenter_at(kmutex_t* mtx, const char* file, int line) {
  const uint32_t cfg = MUTEX_CFG(mtx);
  if ((cfg & MUTEX_F_SPIN) == 0) {
    const uintptr_t me = MUTEX_OWNER_SELF();
    if (!mutex_cas_acquire(mtx, 0, me)) return 0;
  } else {
    mutex_spl_raise((int)(cfg & MUTEX_IPL_MASK));
    if (!mutex_cas_acquire(mtx, 0, MUTEX_SPIN_HELD)) {
      mutex_spl_lower(cfg);
      return 0;
    }
  }
  smp_lock_tryacquired_at(&mtx->mtx_owner, file, line);
  return 1;
}

int mutex_owned(const kmutex_t* mtx) {
  const uintptr_t owner = mtx->mtx_owner;
  if (owner == MUTEX_SPIN_HELD) return 1; /* a spin mutex, held by anyone */
  return (owner & ~MUTEX_BIT_WAITERS) == MUTEX_OWNER_SELF();
}
