/* <sys/cpu_data.h>: the machine-independent per-CPU state of the kernel
 * (//kern), embedded in each CPU's struct cpu_info (<sys/cpu.h>). It
 * replaces hw's empty default for every target built on the kernel.
 *
 * These are shared memory like any other: the thread and the interrupt
 * handlers of a CPU all update them, so every access is a scheduling point
 * at which an interrupt can come; other CPUs read some of them. They are
 * zeroed before each execution and named "cpuN.ci_data.cpu_x" in traces.
 * Each primitive owns its fields; the ci_* spellings are NetBSD's. */
#ifndef SMPFUZZ_KERN_SYS_CPU_DATA_H_
#define SMPFUZZ_KERN_SYS_CPU_DATA_H_

#include <sys/types.h>

struct cpu_data {
  /* spl, lazy implementation (kern/spl_lazy.c, <machine/intr.h>): the
   * machine levels this CPU blocks in software (bit L: level L; lockdep
   * reads it through smp_ipl_view), and the interrupt lines taken while
   * blocked, waiting for splx to replay them (bit n: line n; CAS only).
   * Untouched under the hardware-mask spl. */
  uint32_t cpu_ilevel_mask;
  uint64_t cpu_ipending;
  /* mutex(9) (kern/kern_mutex.c): spin mutexes held, and the spl cookie
   * to restore when the last is released. NetBSD counts down from 0;
   * this counts up. */
  int cpu_mtx_count;
  int cpu_mtx_oldspl;
  /* kernel_lock (kern/kern_lock.c): this CPU's recursion depth. */
  int cpu_biglock_count;
  /* softint(9) (kern/kern_softint.c): the handlers pending here, one bit
   * per handler (its index in kern_softint.c's table); the eight bits
   * from 8 * L are the handlers of level L (SOFTINT_BIO .. SOFTINT_NET,
   * NetBSD's numbering), so a level's pending set is one mask. Set and
   * cleared with CAS: a hard interrupt on this CPU and other CPUs
   * (softint_schedule_cpu) set bits too. */
  uint32_t cpu_softints;
};

#define ci_ilevel_mask ci_data.cpu_ilevel_mask
#define ci_ipending ci_data.cpu_ipending
#define ci_mtx_count ci_data.cpu_mtx_count
#define ci_mtx_oldspl ci_data.cpu_mtx_oldspl
#define ci_biglock_count ci_data.cpu_biglock_count
#define ci_softints ci_data.cpu_softints

#endif /* SMPFUZZ_KERN_SYS_CPU_DATA_H_ */
