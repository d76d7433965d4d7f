/* <sys/mplock2.h>: the MP lock, DragonFly's Big Giant Lock
 * (kern_dfly/kern_mplock.c): get_mplock, rel_mplock, MP_LOCK_HELD.
 *
 * What it models: one recursive lock for the whole kernel. The word
 * mp_lock holds the owning CPU's index plus 1 (0: free); gd_mpcount is
 * the owning CPU's depth, so any context of that CPU (its thread, or a
 * handler over it) re-enters it without waiting. get_mplock updates the
 * count and takes the word inside a critical section, so a handler on
 * the same CPU never sees a half-taken lock; while it waits it leaves the
 * critical section, so interrupts are still serviced. Acquire and release
 * ordering on the word (an acquiring CAS, a releasing store). Handlers
 * registered without INTR_MPSAFE run under it (<sys/interrupt.h>).
 *
 * Lockdep: declared "mp_lock", a recursive spin class (as kernel_lock);
 * only a CPU's first acquisition and last release are annotated, with the
 * caller's file:line. Releasing it when the CPU does not hold it is lock
 * misuse.
 *
 * Deviations: DragonFly counts per thread and drops the lock when its
 * thread blocks; here the count is the CPU's (<sys/globaldata.h>) and a
 * thread must not park holding it. A waiter spins (DragonFly's
 * contended path switches to another thread).
 *
 * Scheduling points: get_mplock 6: 1 (crit_enter) + 1 (the count) + 1
 * (the CAS, and 1 per spin) + 1 (the count's store) + 2 (crit_exit); a
 * re-entry 5. rel_mplock: 1 + 1 + 1 + 1 (the freeing store, last release
 * only) + 2. */
#ifndef SMPFUZZ_KERN_DFLY_SYS_MPLOCK2_H_
#define SMPFUZZ_KERN_DFLY_SYS_MPLOCK2_H_

#include <sys/types.h>

__BEGIN_DECLS
/* The MP lock's word: the owning CPU's index + 1, 0 when free. */
extern volatile u_int mp_lock;
/* Set-up. Declares mp_lock to the machine and lockdep (lwkt_init does). */
void mplock_init(void);
void get_mplock_at(const char* file, int line);
void rel_mplock_at(const char* file, int line);
/* Whether this CPU holds the MP lock (one load). */
int mplock_held(void);
__END_DECLS

#define get_mplock() get_mplock_at(__FILE__, __LINE__)
#define rel_mplock() rel_mplock_at(__FILE__, __LINE__)
#define MP_LOCK_HELD() mplock_held()

#endif /* SMPFUZZ_KERN_DFLY_SYS_MPLOCK2_H_ */
