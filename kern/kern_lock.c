/* The giant lock, KERNEL_LOCK(9) (<sys/systm.h>). */
#include <sys/systm.h>

#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/lock.h>

volatile uintptr_t kernel_lock;
/* Set-up only: whether this execution declared kernel_lock yet. */
static int kernel_lock_declared;

void kernel_lock_init(void) {
  if (kernel_lock_declared) return;
  kernel_lock_declared = 1;
  smp_lock_declare_class(&kernel_lock, sizeof kernel_lock, "kernel_lock",
                         SMP_LOCK_SPIN, /*recursive=*/1);
}

void _kernel_lock_at(int nlocks, const char* file, int line) {
  struct cpu_info* ci = curcpu();
  const uintptr_t me = (uintptr_t)cpu_index(ci) + 1;
  int s = splvm();
  const int held = ci->ci_biglock_count;
  if (held > 0) {
    ci->ci_biglock_count = held + nlocks;
    splx(s);
    return;
  }
  smp_lock_want_at(&kernel_lock, file, line);
  for (;;) {
    const uintptr_t owner = atomic_cas_ulong(&kernel_lock, 0, me);
    if (owner == 0) break;
    splx(s); /* spin with interrupts serviceable */
    while (kernel_lock == owner) cpu_spinwait();
    s = splvm();
  }
  smp_lock_acquired_at(&kernel_lock, file, line);
  membar_acquire();
  ci->ci_biglock_count = nlocks;
  splx(s);
}

void _kernel_unlock_at(int nlocks, int* countp, const char* file, int line) {
  struct cpu_info* ci = curcpu();
  const int s = splvm();
  const int held = ci->ci_biglock_count;
  if (countp != NULL) *countp = held;
  if (held == 0) {
    smp_lock_released_at(&kernel_lock, file, line); /* not held: lockdep's misuse report */
    splx(s);
    return;
  }
  const int left = nlocks == 0 ? 0 : held - nlocks;
  ci->ci_biglock_count = left;
  if (left == 0) {
    membar_release();
    kernel_lock = 0;
    smp_lock_released_at(&kernel_lock, file, line); /* held until the freeing store */
  }
  splx(s);
}

int kernel_lock_held(void) { return curcpu()->ci_biglock_count > 0; }

/* ---- Handlers under the giant lock ---- */

struct intr_biglock {
  int (*ib_fn)(void*);
  void* ib_arg;
  int ib_mpsafe;
};
/* Written in set-up only, read with smp_peek: the C++ model's handler
 * closures cost no scheduling point either. */
static struct intr_biglock intr_biglock_table[INTR_BIGLOCK_MAX];
static int intr_biglock_count;

void* intr_biglock_cookie(int (*fn)(void*), void* arg, int mpsafe) {
  KASSERTMSG(intr_biglock_count < INTR_BIGLOCK_MAX, "too many handlers");
  struct intr_biglock* ib = &intr_biglock_table[intr_biglock_count++];
  ib->ib_fn = fn;
  ib->ib_arg = arg;
  ib->ib_mpsafe = mpsafe;
  if (!mpsafe) kernel_lock_init();
  return ib;
}

void intr_biglock_wrapper(void* cookie) {
  struct intr_biglock* ib = cookie;
  int (*fn)(void*) = (int (*)(void*))(uintptr_t)smp_peek_var(&ib->ib_fn);
  void* arg = (void*)(uintptr_t)smp_peek_var(&ib->ib_arg);
  const int mpsafe = (int)smp_peek_var(&ib->ib_mpsafe);
  if (!mpsafe) KERNEL_LOCK(1, NULL);
  (void)(*fn)(arg);
  if (!mpsafe) KERNEL_UNLOCK_ONE(NULL);
}

int intr_establish_xname(int level, int run, int flags, int (*fn)(void*), void* arg,
                         const char* xname) {
  void* cookie = intr_biglock_cookie(fn, arg, (flags & IST_MPSAFE) != 0);
  return spl_intr_establish(xname, level, run, intr_biglock_wrapper, cookie);
}
