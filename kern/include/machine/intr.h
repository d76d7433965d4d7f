/* <machine/intr.h>: interrupt priority levels and spl(9), written once for
 * every target built on the kernel (//kern). The code is kern/spl.c (the
 * configuration, the names and the hardware-mask spl) and kern/spl_lazy.c
 * (the lazy spl); docs/kernel.md has the overview.
 *
 * What it models: spl(9). Each CPU has an IPL; raising it blocks the
 * interrupts at the blocked levels on that CPU only, and gives no
 * protection against another CPU. An spl value is represented as the set
 * of machine interrupt levels it blocks (bit L: level L; bit 0 unused).
 * That set is also the cookie `s` that splraise() returns and splx()
 * takes: `int s = splbio(); ... splx(s);`. The NetBSD IPLs are a strict
 * hierarchy (each blocks SPL_UPTO(its level)); the historical 4.4BSD names
 * were sets, not a hierarchy, and a set represents them directly.
 *
 * Machine levels (the hardware's line levels; higher preempts lower):
 *   1..4     IPL_SOFTCLOCK, IPL_SOFTBIO, IPL_SOFTNET, IPL_SOFTSERIAL
 *   5, 6, 7  the historical device classes bio, net, tty
 *   8        IPL_VM (all device interrupts in NetBSD 5+)
 *   9        clock (historical splclock / splstatclock)
 *  10        IPL_SCHED
 *  11        IPL_HIGH
 * The historical classes sit below IPL_VM so that splvm() blocks all of
 * them, as NetBSD's splbio() = splnet() = spltty() = splvm() does today.
 *
 * Two implementations, chosen per scenario (spl_configure):
 *  - SPL_HARD: the IPL is the CPU's priority mask register. A blocked
 *    interrupt stays pending in hardware and is delivered by the machine
 *    the moment the mask is lowered: nothing to replay, no memory to race
 *    on. Deviation: the register is a priority, so a set is rounded up to
 *    its highest level (spl_highest): with the historical names splbio
 *    also blocks what lies below bio, an order the historical sets did not
 *    have. Handlers run at their line's level whatever `run` set they were
 *    established with.
 *  - SPL_LAZY: the IPL lives in memory (curcpu()->ci_ilevel_mask), the
 *    mask register stays low and every interrupt is taken. The handler
 *    wrapper looks at the software level: if it blocks the interrupt, it
 *    records the line in ci_ipending and returns; otherwise it runs the
 *    handler with the level raised to the line's run set. splx() lowers
 *    the level and replays, one by one, the pending interrupts the new
 *    level no longer blocks (i386 Xspllower / Xdoreti; 4.4BSD's cpl +
 *    ipending). Sets need not be a hierarchy, so the historical splbio and
 *    splnet stay unordered. lockdep reads ci_ilevel_mask (smp_ipl_view) as
 *    that CPU sees it. Deviation: a replayed interrupt runs in the context
 *    of whatever called splx (the machine sees a thread, not a handler), at
 *    the interrupt's run set, with interrupts enabled: as on i386.
 *
 * The lazy "at most one CPU at or above a level" policy (one_cpu_per_level,
 * from the 2003 tech-kern thread): every hardware level 5..11 has a token,
 * an annotated spin lock (a CAS, then membar_acquire, to take it;
 * membar_release, then a store, to drop it). A CPU owns the token of every
 * level its software IPL blocks: splraise blocks the new levels locally,
 * then spins for their tokens in ascending order; splx drops those it no
 * longer blocks. A handler whose levels' tokens another CPU owns is not
 * run here: it is forwarded (an IPI) to the owner, which blocks that level
 * and so defers it until its splx. Levels become global locks, interrupts
 * bounce between CPUs, and spl takes part in lock order.
 *
 * Per-execution state: the configuration and the handler table are globals
 * of kern/spl*.c, restored before each execution, written only in set-up
 * and read with smp_peek (no scheduling point, as the C++ model read its
 * members); the lazy levels are per-CPU fields of struct cpu_info.
 *
 * REQUIRES for every spl call: a running context (thread or handler);
 * calls on a CPU are balanced the way the kernel's are (the bug switches
 * and scenarios such as spl/unbalanced_splx are exactly where they are
 * not).
 *
 * Scheduling points, SPL_HARD: splraise and splx are one each (the mask
 * register). SPL_LAZY: splraise is 2 (load and store ci_ilevel_mask) plus,
 * per token taken, the CAS, its spins and the barrier; dropping a token is
 * 2 (barrier, store); splx is 4 (interrupts off, store the level, load
 * ci_ipending, interrupts on) plus 6 per replayed interrupt plus that
 * handler's own; the handler wrapper is 1 (load the level) plus 2 to defer
 * (load, CAS of ci_ipending), or 1 (store the level) plus the handler plus
 * an splx. spl_current() and the set arithmetic are not scheduling points.
 */
#ifndef SMPFUZZ_KERN_MACHINE_INTR_H_
#define SMPFUZZ_KERN_MACHINE_INTR_H_

#include <sys/cdefs.h>
#include <sys/types.h>

/* NetBSD's IPLs, low to high (the `ipl` argument of splraise and of
 * mutex_init). */
#define IPL_NONE 0
#define IPL_SOFTCLOCK 1
#define IPL_SOFTBIO 2
#define IPL_SOFTNET 3
#define IPL_SOFTSERIAL 4
#define IPL_VM 5
#define IPL_SCHED 6
#define IPL_HIGH 7
/* The device classes of older drivers: since NetBSD 5 every device
 * interrupt is at IPL_VM, and these are its aliases
 * (mutex_init(&sc->sc_mtx, MUTEX_DEFAULT, IPL_NET) is a spin mutex at
 * IPL_VM). */
#define IPL_BIO IPL_VM
#define IPL_NET IPL_VM
#define IPL_TTY IPL_VM

/* The machine levels (the `level` of an interrupt line). */
#define SPL_LEVEL_SOFTCLOCK 1
#define SPL_LEVEL_SOFTBIO 2
#define SPL_LEVEL_SOFTNET 3
#define SPL_LEVEL_SOFTSERIAL 4
#define SPL_LEVEL_BIO 5
#define SPL_LEVEL_NET 6
#define SPL_LEVEL_TTY 7
#define SPL_LEVEL_VM 8
#define SPL_LEVEL_CLOCK 9
#define SPL_LEVEL_SCHED 10
#define SPL_LEVEL_HIGH 11

/* Sets of machine levels (spl cookies). Not scheduling points. */
/* Level L alone. */
#define SPL_BIT(level) (1 << (level))
/* Every level from 1 to `level` (0 for level <= 0; level <= 30). */
#define SPL_UPTO(level) ((level) <= 0 ? 0 : ((1 << ((level) + 1)) - 1) & ~1)
/* The highest level set `s` blocks (0 for none). */
static inline int spl_highest(int s) {
  return s == 0 ? 0 : 31 - __builtin_clz((unsigned)s);
}
/* The machine level of NetBSD IPL `ipl`, and what splraise(ipl) blocks. */
int ipl_level(int ipl);
#define ipl_levels(ipl) SPL_UPTO(ipl_level(ipl))

/* ---- Per-scenario configuration (set-up only) ---- */

enum spl_impl {
  SPL_HARD = 0, /* the priority mask register (the default) */
  SPL_LAZY,     /* the level in memory, interrupts deferred and replayed */
};

/* How the historical names splbio/splnet/spltty/splimp/splclock map to
 * sets. */
enum spl_names {
  /* NetBSD 5+ (the default): splbio = splnet = spltty = splimp = splvm,
   * splclock = splsched. A hierarchy. */
  SPL_NAMES_NETBSD = 0,
  /* 4.4BSD i386 masks: splbio = {bio}, splnet = {net}, spltty = {tty, net}
   * (SLIP/PPP), splimp = {bio, net, tty}, splclock = everything up to
   * clock. splbio and splnet are unordered: neither blocks the other. */
  SPL_NAMES_HISTORICAL,
  /* The same classes made a strict hierarchy bio < net < tty: each name
   * blocks its class and everything below it. */
  SPL_NAMES_ORDERED,
};

struct spl_config {
  enum spl_impl impl;
  enum spl_names names;
  /* SPL_LAZY only: the one_cpu_per_level token policy (above). */
  int one_cpu_per_level;

  /* Bug switches, each off in the kernel as it should be. */
  /* splraise stores the requested set instead of its union with the
   * current one, so raising to a level below the current one lowers it
   * (both implementations). */
  int raise_can_lower;
  /* SPL_LAZY only: splx lowers the level without replaying the interrupts
   * deferred while it was raised: they are lost. */
  int splx_no_replay;
  /* SPL_LAZY only: splx replays pending interrupts with interrupts
   * disabled, re-enables them, and only then lowers the level: an
   * interrupt landing in between is deferred against the old level and
   * never replayed. */
  int splx_check_then_lower;
};

/* Set-up only, before any spl_intr_establish: this execution's spl. A
 * scenario that never calls it gets the zero configuration (SPL_HARD,
 * SPL_NAMES_NETBSD, no bugs). SPL_LAZY registers ci_ilevel_mask with
 * lockdep (smp_ipl_view) and, with one_cpu_per_level, declares the level
 * tokens ("ipl.bio" .. "ipl.high") as spin locks. */
void spl_configure(const struct spl_config* config);

/* ---- Interrupt establishment (set-up only) ---- */

/* A hard interrupt line at machine level `level` (SPL_LEVEL_BIO ..
 * SPL_LEVEL_HIGH) whose handler fn(arg) runs with `run` | SPL_BIT(level)
 * blocked (run 0: SPL_UPTO(level), the hierarchy; a historical class
 * passes its set, spl_class_levels()). Under SPL_LAZY the line's entry is
 * the deferring wrapper. Returns the line (for smp_intr_source and
 * smp_send_ipi). */
int spl_intr_establish(const char* name, int level, int run, void (*fn)(void*),
                       void* arg);
/* A software interrupt line at soft machine level `level`
 * (SPL_LEVEL_SOFTCLOCK .. SPL_LEVEL_SOFTSERIAL): fn(arg) runs in a softint
 * context with SPL_UPTO(level) blocked once the IPL lets the level
 * through. A softint framework requests it with a self-IPI
 * (smp_send_ipi(smp_cpu(), line)); lowering the IPL below `level` with one
 * pending dispatches it before splx returns (the mask register, or the
 * lazy replay). Returns the line. */
int spl_softintr_establish(const char* name, int level, void (*fn)(void*),
                           void* arg);

/* ---- spl(9) ---- */

/* Scheduling points. Blocks at least the levels of NetBSD IPL `ipl` in
 * addition to what was blocked, never fewer (unless raise_can_lower);
 * returns the previous level. */
int splraise(int ipl);
/* Scheduling points. The same for an arbitrary set of machine levels
 * (SPL_BIT / SPL_UPTO; the 2003 scenarios raise to sets). */
int splraise_levels(int levels);
/* Scheduling points. Restores `s`, a level returned earlier by splraise or
 * a named spl call on this CPU; every interrupt that became deliverable by
 * lowering runs before splx returns (or at once, under SPL_HARD). */
void splx(int s);
/* Scheduling points. Lowers to IPL_NONE (splx(0)); returns the previous
 * level. */
int spl0(void);
/* The level in effect on the calling CPU, as it sees it. Not a scheduling
 * point. */
int spl_current(void);

/* Scheduling points: splraise(IPL_x). */
int splsoftclock(void);
int splsoftbio(void);
int splsoftnet(void);
int splsoftserial(void);
int splvm(void);
int splsched(void);
int splhigh(void);

/* Scheduling points: the historical names, raised to the set the
 * configured names table gives. */
int splbio(void);
int splnet(void);
int spltty(void);
int splimp(void);
int splclock(void);

/* The set a historical name blocks under the configured names table. Not a
 * scheduling point. */
enum spl_class { SPL_CLASS_BIO, SPL_CLASS_NET, SPL_CLASS_TTY, SPL_CLASS_IMP,
                 SPL_CLASS_CLOCK };
int spl_class_levels(enum spl_class cls);
/* The same for an explicit table (tests). */
int spl_names_levels(enum spl_names names, enum spl_class cls);

#endif /* SMPFUZZ_KERN_MACHINE_INTR_H_ */
