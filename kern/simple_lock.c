/* simple_lock(9) and __cpu_simple_lock (<sys/simplelock.h>). */
#include <sys/simplelock.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/lock.h>

void __cpu_simple_lock_init(__cpu_simple_lock_t* l) { *l = __SIMPLELOCK_UNLOCKED; }

void __cpu_simple_lock_init_named(__cpu_simple_lock_t* l, const char* name) {
  if (name[0] == '&') name++;
  *l = __SIMPLELOCK_UNLOCKED;
  smp_lock_declare_class(l, sizeof *l, name, SMP_LOCK_SPIN, 0);
}

void __cpu_simple_lock_at(__cpu_simple_lock_t* l, const char* file, int line) {
  int count = SPINLOCK_BACKOFF_MIN;
  smp_lock_want_at(l, file, line);
  while (atomic_cas_uint(l, __SIMPLELOCK_UNLOCKED, __SIMPLELOCK_LOCKED) !=
         __SIMPLELOCK_UNLOCKED) {
    SPINLOCK_BACKOFF(count); /* parks until the word changes */
  }
  smp_lock_acquired_at(l, file, line);
  membar_acquire();
}

int __cpu_simple_lock_try_at(__cpu_simple_lock_t* l, const char* file, int line) {
  if (atomic_cas_uint(l, __SIMPLELOCK_UNLOCKED, __SIMPLELOCK_LOCKED) !=
      __SIMPLELOCK_UNLOCKED) {
    return 0;
  }
  smp_lock_tryacquired_at(l, file, line);
  membar_acquire();
  return 1;
}

void __cpu_simple_unlock_at(__cpu_simple_lock_t* l, const char* file, int line) {
  membar_release();
  *l = __SIMPLELOCK_UNLOCKED;
  smp_lock_released_at(l, file, line); /* held until the freeing store */
}

void simple_lock_init_named(struct simplelock* l, const char* name) {
  __cpu_simple_lock_init_named(&l->lock_data, name);
}
