/* <sys/kthread.h> for target C on smpfuzz: kthread_create(9).
 *
 * Kernel threads are declared in a scenario's set-up (before the machine
 * runs). `ci` binds the thread to a CPU; NULL lets it migrate (its CPU is
 * a scheduler choice). The simulated kernel is not preemptive between
 * threads: a thread leaves its CPU by sleeping or returning. kthread_exit
 * is not offered: return from the thread's function instead. */
#ifndef SMPFUZZ_HW_SYS_KTHREAD_H_
#define SMPFUZZ_HW_SYS_KTHREAD_H_

#include <sys/cpu.h>
#include <sys/types.h>

struct lwp;
#define KTHREAD_IDLE 0x01
#define KTHREAD_MPSAFE 0x02
#define KTHREAD_INTR 0x04
#define KTHREAD_MUSTJOIN 0x20
#define PRI_NONE (-1)

__BEGIN_DECLS
int kthread_create(pri_t pri, int flags, struct cpu_info* ci,
                   void (*func)(void*), void* arg, struct lwp** lp,
                   const char* fmt, ...)
    __attribute__((__format__(__printf__, 7, 8)));
__END_DECLS

#endif /* SMPFUZZ_HW_SYS_KTHREAD_H_ */
