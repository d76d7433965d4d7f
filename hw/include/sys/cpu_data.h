/* <sys/cpu_data.h>: the machine-independent part of struct cpu_info.
 *
 * This default has no fields. A kernel layer that keeps per-CPU state
 * (ci_ipl, ci_mtx_count, ...) ships its own <sys/cpu_data.h> defining
 * struct cpu_data, ahead of hw/include on the include path, as NetBSD's
 * MI <sys/cpu_data.h> is embedded in each port's struct cpu_info. */
#ifndef SMPFUZZ_HW_SYS_CPU_DATA_H_
#define SMPFUZZ_HW_SYS_CPU_DATA_H_

struct cpu_data {
  int cpu_unused;
};

#endif /* SMPFUZZ_HW_SYS_CPU_DATA_H_ */
