#error "smpfuzz: C11 threads are not available in target code; use kthread_create(9) (<sys/kthread.h>)"
