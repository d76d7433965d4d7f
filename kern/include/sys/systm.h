/* <sys/systm.h> of the kernel (//kern): hw's (KASSERT, panic, printf,
 * memcpy) plus the giant lock, KERNEL_LOCK(9) (kern/kern_lock.c).
 *
 * What it models (NetBSD kern_lock.c): kernel_lock is a spin lock whose
 * word names the owning CPU; ci_biglock_count is that CPU's recursion
 * depth, so any context of the owning CPU (its thread, or a handler that
 * interrupted it) re-enters without spinning. Taking it raises to IPL_VM
 * around the CAS and the count update, so an interrupt on this CPU never
 * sees it taken with a zero count; while spinning the IPL is dropped again
 * so interrupts are serviced. Acquire/release ordering as mutex(9).
 *
 * Deviations: it is not released across sleep (NetBSD's mi_switch drops
 * and retakes it): code does not sleep holding it. Only a CPU's first
 * acquisition and last release are annotated (the machine's owner is that
 * context; lockdep sees re-entries through the CPU's context stack, and
 * knows kernel_lock as a recursive spin class). The lwp argument is
 * ignored (there is no curlwp).
 *
 * Set-up: kernel_lock_init() declares the lock; call it from a scenario's
 * setup before anything takes it (intr_establish_xname does, for a
 * non-MPSAFE handler).
 *
 * Scheduling points: every call is several (spl, the per-CPU count, the
 * CAS and the spins, the barrier, the freeing store). */
#ifndef SMPFUZZ_KERN_SYS_SYSTM_H_
#define SMPFUZZ_KERN_SYS_SYSTM_H_

#include_next <sys/systm.h>

#include <sys/types.h>

struct lwp;

__BEGIN_DECLS
/* The giant lock's word: the owning CPU's index + 1, 0 when free. */
extern volatile uintptr_t kernel_lock;

/* Set-up. Declares kernel_lock to the machine and lockdep (once). */
void kernel_lock_init(void);
/* Takes kernel_lock `nlocks` times (or re-enters it on this CPU). */
void _kernel_lock_at(int nlocks, const char* file, int line);
/* Drops `nlocks` holds (0: all of this CPU's); stores the number of holds
 * this CPU had in *countp if countp is not NULL. REQUIRES: this CPU holds
 * it (else lockdep reports lock misuse). */
void _kernel_unlock_at(int nlocks, int* countp, const char* file, int line);
/* Whether this CPU holds kernel_lock (one read). */
int kernel_lock_held(void);
__END_DECLS

/* ---- Handlers under the giant lock ----
 * Interrupt establishment with the MPSAFE flag (NetBSD: arm's
 * intr_establish(irq, ipl, type | IST_MPSAFE, ...), x86's
 * intr_establish_xname(..., known_mpsafe, xname), and the x86
 * intr_biglock_wrapper). A handler established without IST_MPSAFE runs
 * with kernel_lock taken on its behalf around it; an MPSAFE one runs
 * as is. NetBSD declares these in <machine/intr.h>; here they are the
 * kernel_lock's, built on spl's spl_intr_establish. Set-up only. */
#define IST_MPSAFE 0x100

/* A hard interrupt line at machine level `level` (SPL_LEVEL_*) whose
 * handler fn(arg) runs with `run` | SPL_BIT(level) blocked (run 0: the
 * hierarchy, as spl_intr_establish); `flags` IST_MPSAFE or 0. Returns the
 * line (for smp_intr_source, smp_send_ipi). The handler's return value
 * (claimed or not) is ignored. */
int intr_establish_xname(int level, int run, int flags, int (*fn)(void*), void* arg,
                         const char* xname);

/* For other establishment calls (softint(9)'s, without SOFTINT_MPSAFE):
 * pass intr_biglock_wrapper and the cookie intr_biglock_cookie(fn, arg,
 * mpsafe) returns as the line's fn and arg. The wrapper takes kernel_lock
 * around fn(arg) unless `mpsafe`. Reading the cookie is no scheduling
 * point (smp_peek); the wrapper's kernel_lock calls are. At most
 * INTR_BIGLOCK_MAX cookies per execution. */
#define INTR_BIGLOCK_MAX 32
void* intr_biglock_cookie(int (*fn)(void*), void* arg, int mpsafe);
void intr_biglock_wrapper(void* cookie);

/* The calls carry their caller's file:line into the lock annotations. */
#define _kernel_lock(n) _kernel_lock_at((n), __FILE__, __LINE__)
#define _kernel_unlock(n, countp) _kernel_unlock_at((n), (countp), __FILE__, __LINE__)
#define KERNEL_LOCK(count, lwp) _kernel_lock_at((count), __FILE__, __LINE__)
#define KERNEL_UNLOCK_ONE(lwp) _kernel_unlock_at(1, NULL, __FILE__, __LINE__)
#define KERNEL_UNLOCK_ALL(lwp, countp) _kernel_unlock_at(0, (countp), __FILE__, __LINE__)
#define KERNEL_UNLOCK_LAST(lwp) _kernel_unlock_at(1, NULL, __FILE__, __LINE__)
#define KERNEL_LOCKED_P() kernel_lock_held()

#endif /* SMPFUZZ_KERN_SYS_SYSTM_H_ */
