/* <sys/proc.h>: the sleep/wakeup part of it, tsleep(9), mtsleep(9) and
 * wakeup(9) (kern/kern_synch.c). Nothing else of NetBSD's proc.h (there
 * are no processes, only kernel threads: <sys/kthread.h>).
 *
 * What it models:
 *  - tsleep(wchan, ...) puts the calling thread to sleep on the channel
 *    `wchan` (any address, usually the object waited for) until a
 *    wakeup(wchan). It sleeps unconditionally: a wakeup that came before
 *    it is lost, by design. Checking a condition, dropping the lock that
 *    protects it and then calling tsleep is the classic lost wakeup.
 *  - mtsleep(wchan, pri, wmesg, timo, mtx) releases the interlock `mtx`
 *    atomically with going to sleep: a wakeup after the release is not
 *    lost. It re-takes `mtx` before returning, unless `pri` has
 *    PNORELOCK. Callers re-check their condition in a loop: mtsleep may
 *    return without a wakeup meant for it.
 *  - wakeup(wchan) wakes every thread asleep on `wchan`.
 *
 * How: the machine's wait channels are keyed by address, as NetBSD's
 * sleep queues are keyed by wchan (hashed to a bucket of sleeptab, each
 * with its lock). The atomicity of mtsleep comes from one sleep-table
 * generation count, bumped by every wakeup: mtsleep reads it before it
 * releases the interlock and parks only if no wakeup bumped it since
 * (smp_park_while, atomic with the check: the bucket lock). One count for
 * every channel is NetBSD's table with a single bucket: a wakeup on
 * another channel in that window makes mtsleep return at once, a
 * spurious wakeup its contract allows. Park and unpark are full barriers.
 *
 * Deviations: no priorities, no signals (PCATCH is accepted and never
 * interrupts) and no timeouts (`timo` is accepted and ignored: a timed
 * sleep sleeps until woken, so a lost wakeup that a timeout would paper
 * over is still reported). The return value is always 0.
 *
 * REQUIRES: thread context for tsleep and mtsleep; `mtx` held for mtsleep.
 *
 * Scheduling points: tsleep: the sleep. mtsleep: the read of the count,
 * mutex_exit's, the sleep, mutex_enter's. wakeup: the increment and the
 * wakeup. */
#ifndef SMPFUZZ_KERN_SYS_PROC_H_
#define SMPFUZZ_KERN_SYS_PROC_H_

#include <sys/mutex.h>
#include <sys/types.h>

/* The wait channel type of NetBSD's <sys/types.h>. */
typedef const volatile void* wchan_t;

/* Flags or'ed into tsleep's and mtsleep's priority (NetBSD <sys/param.h>). */
#ifndef PCATCH
#define PCATCH 0x100    /* accepted; there are no signals */
#endif
#ifndef PNORELOCK
#define PNORELOCK 0x200 /* mtsleep: do not re-take the interlock */
#endif
#ifndef PRIBIO
#define PRIBIO 16
#define PZERO 22
#define PWAIT 32
#define PSOCK 24
#define PUSER 50
#endif

__BEGIN_DECLS
/* Blocking. REQUIRES: thread context. Returns 0. */
int tsleep_at(wchan_t wchan, pri_t pri, const char* wmesg, int timo, const char* file,
              int line);
/* Blocking. REQUIRES: thread context; `mtx` held. Returns 0. */
int mtsleep_at(wchan_t wchan, pri_t pri, const char* wmesg, int timo, kmutex_t* mtx,
               const char* file, int line);
void wakeup_at(wchan_t wchan, const char* file, int line);
__END_DECLS

/* The calls carry their caller's file:line to the sleep, the wakeup and
 * the interlock's mutex calls (as mutex(9)'s do). */
#define tsleep(wchan, pri, wmesg, timo) \
  tsleep_at((wchan), (pri), (wmesg), (timo), __FILE__, __LINE__)
#define mtsleep(wchan, pri, wmesg, timo, mtx) \
  mtsleep_at((wchan), (pri), (wmesg), (timo), (mtx), __FILE__, __LINE__)
#define wakeup(wchan) wakeup_at((wchan), __FILE__, __LINE__)

#endif /* SMPFUZZ_KERN_SYS_PROC_H_ */
