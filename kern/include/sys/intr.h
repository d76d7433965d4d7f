/* <sys/intr.h>: <machine/intr.h> (IPLs and spl(9)) and softint(9), the
 * software interrupts (kern/kern_softint.c).
 *
 * What it models (NetBSD softint(9) and kern_softint.c):
 *  - softint_establish(flags, func, arg) at a soft level, SOFTINT_CLOCK,
 *    _BIO, _NET or _SERIAL (IPL_SOFTCLOCK .. IPL_SOFTSERIAL), returns a
 *    cookie. A handler without SOFTINT_MPSAFE runs with kernel_lock taken
 *    on its behalf (KERNEL_LOCK(9), <sys/systm.h>).
 *  - softint_schedule(cookie) marks the handler pending on the calling
 *    CPU (atomically: a hard interrupt on the same CPU may be scheduling
 *    too) and requests a dispatch at the soft level with a self-IPI on
 *    the level's soft line. Scheduling an already pending softint is a
 *    no-op (coalescing): a handler drains all the work queued for it, not
 *    one item per schedule.
 *  - softint_schedule_cpu(cookie, ci) does the same on another CPU (an
 *    IPI); work handed over with it is published first (membar_producer
 *    in the call).
 *  - Dispatch runs on the CPU the softint is pending on, once its IPL
 *    lets the soft level through: on return from the hard interrupt that
 *    scheduled it, or in the splx() that lowers the IPL. The soft lines
 *    are established through spl (spl_softintr_establish), so the IPL is
 *    the configured spl's (spl_configure): under SPL_HARD the mask
 *    register lets the request in when lowered; under SPL_LAZY a request
 *    taken while ci_ilevel_mask blocks its level is deferred and replayed
 *    by splx.
 *  - Dispatch clears a handler's pending bit *before* running it, so a
 *    schedule during the run makes it run again.
 *  - Two dispatch policies, from the 2005 tech-kern discussion:
 *    SOFTINT_POLICY_DISJOINT (soft levels on different CPUs never exclude
 *    each other: handlers must not need them to) and
 *    SOFTINT_POLICY_ORDERED (at most one CPU runs handlers of a given
 *    soft level at a time: a per-level spin lock, "softnet.lock", around
 *    dispatch).
 *
 * Deviations: NetBSD runs softints on per-CPU LWPs that may block on an
 * adaptive mutex; here a softint runs in the machine's soft-interrupt
 * context, nested on the CPU like the older implementations. At most
 * SOFTINT_PER_LEVEL handlers per level. softint_disestablish does not
 * wait for a running handler (NetBSD's cross-call): the caller guarantees
 * the handler is neither pending nor running, which it checks.
 *
 * Per-execution state: the configuration and the handler table are
 * globals of kern_softint.c, restored before each execution, written only
 * in set-up and read with smp_peek (no scheduling point, as the C++ model
 * read its members). The pending bits are per CPU (ci_softints).
 *
 * Bug switches (struct softint_config, each off in the kernel as it
 * should be): clear_after_run, no_producer_barrier, giant_not_taken.
 *
 * Scheduling points: softint_configure and softint_establish are set-up
 * calls. softint_schedule: the load and CAS of ci_softints (again if the
 * CAS fails) and the IPI; softint_schedule_cpu adds membar_producer.
 * Dispatch: per level lock (ordered) its CAS, spins and freeing store;
 * per round the load of ci_softints; per handler run the load and CAS
 * that clear its bit, kernel_lock's (non-MPSAFE) and the handler's own. */
#ifndef SMPFUZZ_KERN_SYS_INTR_H_
#define SMPFUZZ_KERN_SYS_INTR_H_

#include <machine/intr.h>
#include <sys/cdefs.h>
#include <sys/types.h>

struct cpu_info;

/* softint_establish flags: the level (NetBSD's numbering), and MPSAFE. */
#define SOFTINT_BIO 0x0000
#define SOFTINT_CLOCK 0x0001
#define SOFTINT_SERIAL 0x0002
#define SOFTINT_NET 0x0003
#define SOFTINT_MPSAFE 0x0100
#define SOFTINT_COUNT 0x0004 /* the number of levels */
#define SOFTINT_LVLMASK 0x00ff
/* Handlers per level (ci_softints has 8 bits per level). */
#define SOFTINT_PER_LEVEL 8

/* ---- Per-scenario configuration (set-up only) ---- */

enum softint_policy {
  SOFTINT_POLICY_DISJOINT = 0, /* soft levels of different CPUs run at once */
  SOFTINT_POLICY_ORDERED,      /* at most one CPU per soft level at a time */
};

struct softint_config {
  enum softint_policy policy;

  /* Bug switches, each off in the kernel as it should be. */
  /* Dispatch clears a handler's pending bit after the handler ran instead
   * of before: a softint_schedule during the run is lost. */
  int clear_after_run;
  /* softint_schedule_cpu sets the other CPU's pending bit without
   * membar_producer first: that CPU can run the handler before the work
   * handed over with it is visible. */
  int no_producer_barrier;
  /* Dispatch runs handlers established without SOFTINT_MPSAFE without
   * taking kernel_lock. */
  int giant_not_taken;
};

__BEGIN_DECLS
/* Set-up only, before softint_establish: this execution's softint(9).
 * Call spl_configure first if the scenario configures spl (the soft lines
 * are established through it). A scenario that never calls it gets the
 * zero configuration (disjoint, no bugs). */
void softint_configure(const struct softint_config* config);

/* Set-up only. Establishes func(arg) at the level in `flags`; returns the
 * cookie for softint_schedule, or NULL when the level is full. The first
 * call establishes the four soft lines (through spl). */
void* softint_establish(u_int flags, void (*func)(void*), void* arg);
/* REQUIRES: the softint is neither pending nor running on any CPU and
 * nobody schedules it again. From set-up or a thread. */
void softint_disestablish(void* cookie);
/* Marks `cookie` pending on the calling CPU and requests its dispatch.
 * From any context. */
void softint_schedule_at(void* cookie, const char* file, int line);
/* Marks it pending on `ci` and sends that CPU the request (an IPI), after
 * membar_producer for the work handed over with it. */
void softint_schedule_cpu_at(void* cookie, struct cpu_info* ci, const char* file,
                             int line);
__END_DECLS

/* The calls carry their caller's file:line to the IPI and the barrier, as
 * mutex(9)'s do. */
#define softint_schedule(cookie) softint_schedule_at((cookie), __FILE__, __LINE__)
#define softint_schedule_cpu(cookie, ci) \
  softint_schedule_cpu_at((cookie), (ci), __FILE__, __LINE__)

#endif /* SMPFUZZ_KERN_SYS_INTR_H_ */
