/* The demo spin lock (demo_lock.h). The acquiring CAS has acquire ordering
 * and the releasing store release ordering (C11 __atomic builtins), so
 * the lock is correct under every memory model at no extra scheduling
 * point. */
#include "targets/demo/demo_lock.h"

#include <smp/hw.h>
#include <sys/lock.h>

void demo_lock_init(struct demo_spinlock* l, const char* name) {
  l->dl_word = 0;
  smp_lock_declare_var(&l->dl_word, name);
}

void demo_lock(struct demo_spinlock* l) {
  int count = SPINLOCK_BACKOFF_MIN;
  for (;;) {
    u_int expected = 0;
    if (__atomic_compare_exchange_n(&l->dl_word, &expected, 1, 0,
                                    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
      break;
    }
    SPINLOCK_BACKOFF(count); /* parks until the word changes */
  }
  smp_lock_acquired(&l->dl_word);
}

void demo_unlock(struct demo_spinlock* l) {
  __atomic_store_n(&l->dl_word, 0, __ATOMIC_RELEASE);
  smp_lock_released(&l->dl_word);
}
