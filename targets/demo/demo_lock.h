/* A test-and-set spin lock written in plain C against the hardware
 * interface, for the demo and race scenarios (the real mutex(9) is a
 * kernel primitive of its own). Annotated, so deadlock reports and lockdep
 * name it and its holder. */
#ifndef SMPFUZZ_TARGETS_DEMO_DEMO_LOCK_H_
#define SMPFUZZ_TARGETS_DEMO_DEMO_LOCK_H_

#include <sys/types.h>

struct demo_spinlock {
  volatile u_int dl_word; /* 0: free, 1: held */
};

/* Names the lock for reports; the word starts free. Set-up only. */
void demo_lock_init(struct demo_spinlock* l, const char* name);
/* Scheduling points: the acquiring compare-and-swap (acquire ordering)
 * and every retry; spins with SPINLOCK_BACKOFF while the lock is held. */
void demo_lock(struct demo_spinlock* l);
/* Scheduling point: the releasing store (release ordering). The lock
 * counts as held until that store is done. */
void demo_unlock(struct demo_spinlock* l);

#endif /* SMPFUZZ_TARGETS_DEMO_DEMO_LOCK_H_ */
