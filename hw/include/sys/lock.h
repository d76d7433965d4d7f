/* <sys/lock.h> for target C on smpfuzz: the spin-loop backoff.
 *
 * SPINLOCK_BACKOFF(count) is where a spinning CPU waits. On the simulated
 * machine it parks the spinner until the location it last read changes
 * (cpu_spinwait, smp_spinwait()): a spin costs one step whatever the
 * backoff count, and a CPU spinning forever is a recognisable deadlock. */
#ifndef SMPFUZZ_HW_SYS_LOCK_H_
#define SMPFUZZ_HW_SYS_LOCK_H_

#include <sys/cpu.h>

#define SPINLOCK_BACKOFF_MIN 4
#define SPINLOCK_BACKOFF_MAX 128
#define SPINLOCK_BACKOFF(count) \
  do {                          \
    (void)(count);              \
    cpu_spinwait();             \
  } while (0)
#define SPINLOCK_SPIN_HOOK /* nothing: no cross-call IPIs to poll here */

#endif /* SMPFUZZ_HW_SYS_LOCK_H_ */
