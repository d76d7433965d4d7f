/* <sys/cpu.h> for target C on smpfuzz: the CPUs.
 *
 * struct cpu_info is the hardware's per-CPU block with the kernel's
 * struct cpu_data embedded (see <sys/cpu_data.h>). It is shared memory:
 * its fields are seen by the machine like any other, named "cpuN.field".
 * It is zeroed before each execution. None of these is a scheduling point
 * except cpu_spinwait(). */
#ifndef SMPFUZZ_HW_SYS_CPU_H_
#define SMPFUZZ_HW_SYS_CPU_H_

#include <smp/hw.h>
#include <sys/cpu_data.h>
#include <sys/types.h>

#define SMP_CPU_INFO_SIZE 1024

struct cpu_info {
  struct cpu_data ci_data;
};
__CTASSERT(sizeof(struct cpu_info) <= SMP_CPU_INFO_SIZE);

__BEGIN_DECLS
struct cpu_info* smp_cpu_info(int index);
__END_DECLS

#define curcpu() smp_cpu_info(smp_cpu())
#define cpu_lookup(i) smp_cpu_info((int)(i))
#define cpu_index(ci) smp_cpu_index(ci)
#define cpu_number() ((cpuid_t)smp_cpu())
#define ncpu (smp_ncpu())
#define CPU_IS_PRIMARY(ci) (cpu_index(ci) == 0)
/* The spin-wait hint: see smp_spinwait(). */
#define cpu_spinwait() smp_spinwait()

__BEGIN_DECLS
unsigned int smp_cpu_index(const struct cpu_info* ci);
__END_DECLS

#endif /* SMPFUZZ_HW_SYS_CPU_H_ */
