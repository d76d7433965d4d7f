/* <sys/simplelock.h>: the pre-mutex(9) spin locks (kern/simple_lock.c):
 * NetBSD 1.x-4.x simple_lock(9) and the machine-dependent
 * __cpu_simple_lock underneath it.
 *
 * What it models: a test-and-set word and nothing else. It does not touch
 * the IPL: 2003-era code raised the level by hand around it
 *   s = splbio(); simple_lock(&l); ... simple_unlock(&l); splx(s);
 * and getting that level right was the caller's job (the tech-kern 2003
 * deadlock is what happens when the levels are not a hierarchy).
 * Acquisition is followed by membar_acquire, release preceded by
 * membar_release.
 *
 * Annotated: simple_lock_init declares a spin lock class to lockdep (named
 * after its argument's text without a leading '&'); simple_lock calls
 * smp_lock_want before spinning. The bare __cpu_simple_lock is not
 * annotated (it has no name); __cpu_simple_lock_init_named declares one.
 *
 * Scheduling points: simple_lock is the CAS, every spin re-check and the
 * barrier; simple_unlock the barrier and the store; simple_lock_try the
 * CAS (and the barrier on success). */
#ifndef SMPFUZZ_KERN_SYS_SIMPLELOCK_H_
#define SMPFUZZ_KERN_SYS_SIMPLELOCK_H_

#include <sys/types.h>

typedef volatile unsigned int __cpu_simple_lock_t;
#define __SIMPLELOCK_LOCKED 1u
#define __SIMPLELOCK_UNLOCKED 0u

struct simplelock {
  __cpu_simple_lock_t lock_data;
};

__BEGIN_DECLS
/* Set-up: the word starts unlocked (and is named, with _named). */
void __cpu_simple_lock_init(__cpu_simple_lock_t* l);
void __cpu_simple_lock_init_named(__cpu_simple_lock_t* l, const char* name);
void __cpu_simple_lock_at(__cpu_simple_lock_t* l, const char* file, int line);
/* Nonzero if it took the lock. */
int __cpu_simple_lock_try_at(__cpu_simple_lock_t* l, const char* file, int line);
void __cpu_simple_unlock_at(__cpu_simple_lock_t* l, const char* file, int line);
void simple_lock_init_named(struct simplelock* l, const char* name);
__END_DECLS

/* The calls carry their caller's file:line into the lock annotations. */
#define __cpu_simple_lock(l) __cpu_simple_lock_at((l), __FILE__, __LINE__)
#define __cpu_simple_lock_try(l) __cpu_simple_lock_try_at((l), __FILE__, __LINE__)
#define __cpu_simple_unlock(l) __cpu_simple_unlock_at((l), __FILE__, __LINE__)
#define simple_lock_init(l) simple_lock_init_named((l), #l)
#define simple_lock(l) __cpu_simple_lock_at(&(l)->lock_data, __FILE__, __LINE__)
#define simple_lock_try(l) __cpu_simple_lock_try_at(&(l)->lock_data, __FILE__, __LINE__)
#define simple_unlock(l) __cpu_simple_unlock_at(&(l)->lock_data, __FILE__, __LINE__)

#endif /* SMPFUZZ_KERN_SYS_SIMPLELOCK_H_ */
