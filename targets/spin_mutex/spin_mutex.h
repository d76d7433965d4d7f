/* What the spin_mutex scenarios share (target-private). */
#ifndef SMPFUZZ_TARGETS_SPIN_MUTEX_SPIN_MUTEX_H_
#define SMPFUZZ_TARGETS_SPIN_MUTEX_SPIN_MUTEX_H_

#include <sys/cpu.h>
#include <sys/types.h>

/* A thread's or handler's switch travels in its argument (a global read
 * would add a scheduling point the modelled code does not have). */
#define ARG(x) ((void*)(uintptr_t)(x))
#define ARG_INT(p) ((int)(uintptr_t)(p))

/* For final checks: no CPU holds a spin mutex or kernel_lock. */
static inline int spin_mutex_all_released(void) {
  for (int k = 0; k < ncpu; ++k) {
    const struct cpu_info* ci = cpu_lookup(k);
    if (ci->ci_mtx_count != 0 || ci->ci_biglock_count != 0) return 0;
  }
  return 1;
}

#endif /* SMPFUZZ_TARGETS_SPIN_MUTEX_SPIN_MUTEX_H_ */
