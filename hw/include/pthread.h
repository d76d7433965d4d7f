/* Target code runs on simulated CPUs: real threads would escape the
 * machine, so this header refuses to be used. */
#error "smpfuzz: pthreads are not available in target code; use kthread_create(9) (<sys/kthread.h>) or smp_thread_create (<smp/hw.h>)"
