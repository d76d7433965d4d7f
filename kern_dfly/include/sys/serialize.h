/* <sys/serialize.h>: serializers (kern_dfly/lwkt_serialize.c), DragonFly's
 * lwkt_serialize(9): the per-device lock of an MP-safe DragonFly driver.
 *
 * What it models: a serializer is one word, `interlock`, changed only by
 * locked bus cycles (CAS; DragonFly's atomic_intr_cond_*):
 *   SLZ_HELD         a context holds it;
 *   SLZ_HDISABLED    the device's interrupt handler is disabled
 *                    (lwkt_serialize_handler_disable): a handler call
 *                    returns without running it;
 *   SLZ_DEFERRED     one bit per CPU (bit k: CPU k) whose handler found
 *                    the serializer held and was deferred to its release.
 * The driver's own paths (start, ioctl, stop) take it with
 * lwkt_serialize_enter/exit; its interrupt handler runs under it because
 * it was registered with it (register_int, <sys/interrupt.h>).
 *
 *  - lwkt_serialize_enter waits (spins) while it is held, then takes it
 *    with an acquiring CAS. REQUIRES: not held by the caller (lockdep:
 *    "locking against myself"), and not called from a handler whose
 *    serializer a context of its own CPU holds.
 *  - lwkt_serialize_try takes it if it is free; returns 1 if taken.
 *  - lwkt_serialize_exit frees it with a releasing CAS that also clears
 *    the deferred bits, then re-asserts the serializer's interrupt line on
 *    each CPU whose handler was deferred (so it runs now, and finds the
 *    handler disabled if it was disabled meanwhile).
 *  - lwkt_serialize_handler_call(s, fn, arg, frame) (the interrupt path):
 *    in one CAS loop, returns if the handler is disabled, defers itself if
 *    the serializer is held (sets its CPU's bit), else takes it; runs
 *    fn(arg, frame) and exits. It never waits, so lockdep sees a
 *    try-acquisition.
 *  - lwkt_serialize_handler_disable sets SLZ_HDISABLED with a locked OR;
 *    lwkt_serialize_handler_enable clears it. Disabling does not wait: a
 *    handler that took the serializer before the flag was set may still
 *    be running on another CPU. A caller that tears down what the handler
 *    uses must wait for it, by holding the serializer (enter) before the
 *    teardown. The two races of Dillon's 2005 argument are exactly these:
 *    a flag set without a locked bus cycle (SLZ_BUG_PLAIN_DISABLE), and a
 *    caller that does not wait for a running handler.
 *
 * Lockdep: each serializer is a non-recursive spin class named after
 * lwkt_serialize_init's argument (without '&'); enter and exit annotate
 * with the caller's file:line, the handler call annotates a
 * try-acquisition. Acquire and release ordering on the word, so no other
 * barrier is needed under any memory model.
 *
 * Bug switch (lwkt_serialize_init_bugs): SLZ_BUG_PLAIN_DISABLE, the
 * handler-disable flag is set with a plain load and store of the word, so
 * a CAS by a handler starting on another CPU in between is lost.
 *
 * Deviations: DragonFly's waiters sleep (a waiter count in the word and a
 * wakeup at exit); here a thread waiter spins and a handler is deferred,
 * since a hard-interrupt context cannot sleep. At most 16 CPUs.
 *
 * Scheduling points: enter 2 uncontended (load, CAS) plus 1 per spin;
 * try 2; exit 2 plus 1 per deferred CPU (the IPI); handler_call 2 plus
 * exit's; handler_disable and handler_enable 1 (2 with the bug). */
#ifndef SMPFUZZ_KERN_DFLY_SYS_SERIALIZE_H_
#define SMPFUZZ_KERN_DFLY_SYS_SERIALIZE_H_

#include <sys/types.h>

#define SLZ_HELD 0x80000000u
#define SLZ_HDISABLED 0x40000000u
#define SLZ_DEFERRED 0x0000ffffu

#define SLZ_BUG_PLAIN_DISABLE 0x1u

struct lwkt_serialize {
  volatile u_int interlock;
  int slz_line; /* set-up: the line of its handler (register_int), or -1 */
  u_int slz_bugs; /* set-up: SLZ_BUG_* */
};
typedef struct lwkt_serialize* lwkt_serialize_t;

__BEGIN_DECLS
/* Set-up. A free serializer named `name`, with bug switches. */
void lwkt_serialize_init_bugs(lwkt_serialize_t s, const char* name, u_int bugs);
void lwkt_serialize_enter_at(lwkt_serialize_t s, const char* file, int line);
int lwkt_serialize_try_at(lwkt_serialize_t s, const char* file, int line);
void lwkt_serialize_exit_at(lwkt_serialize_t s, const char* file, int line);
void lwkt_serialize_handler_call(lwkt_serialize_t s, void (*fn)(void*, void*),
                                 void* arg, void* frame);
void lwkt_serialize_handler_disable(lwkt_serialize_t s);
void lwkt_serialize_handler_enable(lwkt_serialize_t s);
/* Whether anyone holds it (one load): DragonFly's ASSERT_SERIALIZED
 * checks this much. */
int lwkt_serialize_held(lwkt_serialize_t s);
__END_DECLS

#define lwkt_serialize_init(s) lwkt_serialize_init_bugs((s), #s, 0)
#define lwkt_serialize_enter(s) lwkt_serialize_enter_at((s), __FILE__, __LINE__)
#define lwkt_serialize_try(s) lwkt_serialize_try_at((s), __FILE__, __LINE__)
#define lwkt_serialize_exit(s) lwkt_serialize_exit_at((s), __FILE__, __LINE__)
#define ASSERT_SERIALIZED(s) \
  KASSERTMSG(lwkt_serialize_held(s), "%s not serialized", #s)

#endif /* SMPFUZZ_KERN_DFLY_SYS_SERIALIZE_H_ */
