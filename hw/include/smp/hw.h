/*
 * The hardware interface of the simulated machine, in C: what a kernel's
 * machine-dependent layer offers the code above it. Target C code reaches
 * it through the NetBSD-named headers beside this one (<sys/atomic.h>,
 * <sys/cpu.h>, <sys/lock.h>, <sys/kthread.h>, <sys/kmem.h>, <sys/systm.h>,
 * <sys/bus.h>); the smp_* calls here are the few things a real kernel does
 * not spell the same way (interrupt lines, wait channels, lock annotations,
 * scenario registration).
 *
 * Core (the machine) is the hardware and the referee: it knows CPUs, the
 * priority mask register, interrupt lines, memory and threads, never spl
 * or mutexes. The kernel is built on these calls.
 *
 * Plain memory: every load and store of target C code compiled by
 * smp_target is seen by the machine (the instrumentation in
 * hw/instrument/): shared accesses to globals of the target, to memory from
 * kmem_alloc and to struct cpu_info are each a scheduling point, take part
 * in the memory model, the race detector and the trace. Accesses to a
 * context's own stack are private and cost nothing. Any other memory
 * (malloc, a C++ object of the scenario) is refused at run time, naming
 * the access's file:line.
 *
 * Declarations (smp_thread_create, smp_intr_establish, smp_intr_source,
 * smp_device_attach) are made in a scenario's set-up,
 * before the machine runs. The other calls are made from running contexts
 * unless said otherwise; each says whether it is a scheduling point.
 *
 * The machine runs one execution at a time per OS thread. Globals of
 * target C are restored to their initial values before each execution.
 */
#ifndef SMPFUZZ_HW_SMP_HW_H_
#define SMPFUZZ_HW_SMP_HW_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Calls that are scheduling points or annotations carry their caller's
 * file:line (the trace shows it): they are macros over *_at functions. */
#define SMP_AT __FILE__, __LINE__

/* ---- CPUs ---- */
/* The number of CPUs of this execution. Not a scheduling point. */
int smp_ncpu(void);
/* The running context's CPU. Not a scheduling point. */
int smp_cpu(void);

/* ---- The interrupt priority register and interrupt enable ---- */
/* This CPU's priority mask: a line of level L is delivered iff L > mask.
 * Not a scheduling point. */
int smp_ipr_get(void);
/* Scheduling point. Sets this CPU's priority mask (0..31). */
void smp_ipr_set_at(int level, const char* file, int line);
#define smp_ipr_set(level) smp_ipr_set_at((level), SMP_AT)
/* Scheduling points. This CPU's interrupt-enable flag. */
void smp_intr_disable_at(const char* file, int line);
void smp_intr_enable_at(const char* file, int line);
#define smp_intr_disable() smp_intr_disable_at(SMP_AT)
#define smp_intr_enable() smp_intr_enable_at(SMP_AT)
/* Whether this CPU has a line pending above `level` (masked or not). Not a
 * scheduling point. */
int smp_intr_pending_above(int level);
/* The running context: 0 thread, 1 hard interrupt, 2 soft interrupt; and
 * the level of the running handler (0 in a thread). Not scheduling points. */
int smp_context_kind(void);
int smp_context_level(void);
/* Whether this CPU's interrupts are enabled (smp_intr_disable/enable). Not
 * a scheduling point. */
int smp_intr_enabled(void);
/* The running context's identity, stable for its life and distinct from
 * every other context's of this execution (what curlwp is to an owner
 * field): 0 for none, so it can be stored as an owner. Not a scheduling
 * point. */
int smp_context_id(void);

/* Declaration. An interrupt line of priority `level` (1..31) whose handler
 * `fn(arg)` runs in hard-interrupt context on the CPU it is delivered to,
 * with the mask raised to `level`. Returns the line (0..63). */
int smp_intr_establish(const char* name, int level, void (*fn)(void*), void* arg);
/* Declaration. The same for a software interrupt line: the handler runs in
 * a soft-interrupt context. A softint framework requests one with
 * smp_send_ipi(smp_cpu(), line). */
int smp_softintr_establish(const char* name, int level, void (*fn)(void*), void* arg);
/* Declaration. A device that raises `line` exactly `count` times, each on a
 * CPU of `cpu_mask` (bit k: CPU k), when the schedule says. */
void smp_intr_source(int line, unsigned count, unsigned cpu_mask);
/* Scheduling point. Makes `line` pending on `cpu` (an IPI to another CPU,
 * a device interrupt when device code raises it). */
void smp_send_ipi_at(int cpu, int line, const char* file, int at_line);
#define smp_send_ipi(cpu, line) smp_send_ipi_at((cpu), (line), SMP_AT)

/* ---- Threads and wait channels ---- */
#define SMP_ANY_CPU (-1)
/* Declaration. A kernel thread running fn(arg), bound to `cpu` or
 * migratable (SMP_ANY_CPU). Returns its id. */
int smp_thread_create(const char* name, int cpu, void (*fn)(void*), void* arg);
/* Wait channels are addresses, as a sleep queue's wchan is: any address
 * names one (usually the location the sleeper waits on). It is made on
 * first use, named after that location; smp_chan_declare names it (before
 * or while the machine runs; not a scheduling point). */
void smp_chan_declare(const volatile void* wchan, const char* name);
/* Blocking scheduling point. REQUIRES: thread context. Parks the thread on
 * `wchan` until smp_unpark. A full barrier (the sleep queue's lock). */
void smp_park_at(const volatile void* wchan, const char* file, int line);
#define smp_park(wchan) smp_park_at((wchan), SMP_AT)
/* Blocking scheduling point: parks on `wchan` only if `*p` (an integer or
 * pointer location) still holds `value`, atomically with the check (the
 * interlock a sleep queue gives). Returns 0 without parking otherwise. */
int smp_park_while_at(const volatile void* wchan, const volatile void* p,
                      size_t size, uint64_t value, const char* file, int line);
#define smp_park_while(wchan, p, value) \
  smp_park_while_at((wchan), (p), sizeof(*(p)), (uint64_t)(value), SMP_AT)
/* Scheduling points. Wake every thread parked on `wchan` / the lowest
 * numbered one; with nobody parked the wakeup is lost. Return how many. */
int smp_unpark_at(const volatile void* wchan, const char* file, int line);
int smp_unpark_one_at(const volatile void* wchan, const char* file, int line);
#define smp_unpark(wchan) smp_unpark_at((wchan), SMP_AT)
#define smp_unpark_one(wchan) smp_unpark_one_at((wchan), SMP_AT)
/* Scheduling point: nothing but the chance for others to run. */
void smp_yield_at(const char* file, int line);
#define smp_yield() smp_yield_at(SMP_AT)
/* Blocking scheduling point: the cpu_spinwait hint. If the running
 * context's last access was a shared load or read-modify-write with no
 * scheduling point since, waits until that location no longer holds the
 * value it read (returns at once if it already does not): a spin loop
 * costs one step and a context spinning forever is recognisable.
 * Otherwise it is smp_yield(). */
void smp_spinwait_at(const char* file, int line);
#define smp_spinwait() smp_spinwait_at(SMP_AT)

/* ---- Lock annotations (not scheduling points) ---- */
/* Declaration (or from a context). Names the lock whose state is the
 * `size`-byte word at `word`, so deadlock reports and lockdep name it. */
void smp_lock_declare(const volatile void* word, size_t size, const char* name);
#define smp_lock_declare_var(word, name) smp_lock_declare((word), sizeof(*(word)), (name))
/* The running context has just acquired the lock at `word` (blocking, or
 * by a try) / has just released it. Where they go matters, because the
 * machine's view of who holds the lock is what deadlock reports show:
 *  - acquired: right after the atomic that took the lock, with no
 *    scheduling point between them (not after a membar_acquire, which is
 *    one): an interrupt delivered in between would find the lock held by
 *    nobody;
 *  - released: right after the store that frees it: until that store is
 *    done the lock is still held. */
void smp_lock_acquired_at(const volatile void* word, const char* file, int line);
void smp_lock_tryacquired_at(const volatile void* word, const char* file, int line);
void smp_lock_released_at(const volatile void* word, const char* file, int line);
#define smp_lock_acquired(word) smp_lock_acquired_at((word), SMP_AT)
#define smp_lock_tryacquired(word) smp_lock_tryacquired_at((word), SMP_AT)
#define smp_lock_released(word) smp_lock_released_at((word), SMP_AT)
/* Declaration (or from a context). smp_lock_declare, and the lock's class
 * for lockdep: a spin lock (may be taken in any context, never slept on)
 * or an adaptive one (thread and softint context only); `recursive`: the
 * holder may take it again (kernel_lock), which lockdep then neither
 * reports nor orders nor checks for IPL safety. */
enum smp_lock_kind { SMP_LOCK_SPIN = 0, SMP_LOCK_ADAPTIVE = 1 };
void smp_lock_declare_class(const volatile void* word, size_t size, const char* name,
                            enum smp_lock_kind kind, int recursive);
/* The running context is about to wait for the lock at `word` (NetBSD's
 * lockdebug_wantlock): lockdep reports a context taking a lock it holds,
 * or an adaptive lock in a hard interrupt, here, before it spins on itself
 * (a lock_misuse verdict, which ends the execution). */
void smp_lock_want_at(const volatile void* word, const char* file, int line);
#define smp_lock_want(word) smp_lock_want_at((word), SMP_AT)
/* Declaration. For an spl that blocks interrupts in software: the
 * `size`-byte field at `offset` in each CPU's struct cpu_info holds the
 * set of machine levels (bit L: level L) that CPU blocks beyond its
 * priority mask. Lockdep (for its IPL checks) and the race detector (for
 * races between a CPU's thread and its own handlers) read it, as that CPU
 * sees it. Call in set-up. */
void smp_ipl_view(size_t offset, size_t size);
/* Declaration. For critical sections that defer interrupts in software
 * (DragonFly's crit_enter): CPU k's critical-section count is the
 * `size`-byte integer at `(const char*)cpu0_count + k * stride`; while it
 * is nonzero, that CPU blocks every level beyond its priority mask.
 * Lockdep and the race detector read it as smp_ipl_view's field. Call in
 * set-up. */
void smp_crit_view(const volatile void* cpu0_count, size_t stride, size_t size);
/* Not a scheduling point, not traced, not seen by the race detector: the
 * `size`-byte (1, 2, 4 or 8) location at `p` as the calling CPU sees it
 * (its own newest store, else memory). For data written only in set-up and
 * read while the machine runs (a kernel's per-scenario configuration, its
 * interrupt handler table), which a C++ model kept in plain members: a
 * real load would add scheduling points the modelled code does not have.
 * Also usable in set-up and final checks. */
uint64_t smp_peek(const volatile void* p, size_t size);
#define smp_peek_var(p) smp_peek((p), sizeof(*(p)))
/* Declaration (set-up only). The `size` bytes at `p` are constants for
 * the rest of the execution: written in set-up (a softc's bus handle, its
 * flags, a pointer to its DMA memory) and only read by running code. A
 * load of them is then a plain read: no scheduling point, no trace line,
 * nothing for the race detector, as a load of a constant can move past
 * any other event without changing what any context sees. Driver code
 * keeps its plain loads (`sc->sc_sh`); atomic loads of them are still
 * ordinary atomic loads. A store, atomic store, CAS or read-modify-write
 * to them from a running context is refused (exit 2, naming its
 * file:line). memcpy/memset over them is not checked: do not copy over
 * a constant. */
void smp_readonly(const volatile void* p, size_t size);
#define smp_readonly_var(p) smp_readonly((p), sizeof(*(p)))
/* Marks the `size`-byte location as one accessed with atomic_load/
 * atomic_store (a flag): the race detector never reports it. Atomic
 * loads and stores mark their location by themselves. */
void smp_mark_atomic(const volatile void* p, size_t size);

/* ---- Barriers ---- */
/* Scheduling points: membar_ops(3) with the memory model's meanings
 * (0 producer, 1 consumer, 2 sync, 3 acquire, 4 release, 5 enter, 6 exit;
 * the <sys/atomic.h> spellings are what target code uses). */
void smp_membar_at(int kind, const char* file, int line);
#define smp_membar(kind) smp_membar_at((kind), SMP_AT)

/* ---- Verdicts and the trace ---- */
/* An assertion verdict naming `expr`, `msg` and file:line. From a context
 * it does not return. */
void smp_assert_fail(const char* expr, const char* msg, const char* file, int line);
/* A free-form trace line (kept only while recording). */
void smp_note(const char* file, int line, const char* fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- Scenarios written in C ---- */
/* Verdict kinds, as core/verdict.h numbers them. */
enum smp_verdict {
  SMP_CLEAN = 0,
  SMP_DEADLOCK,
  SMP_LOST_WAKEUP,
  SMP_HANG,
  SMP_ASSERTION,
  SMP_MEMBAR_MISUSE,
  SMP_DATA_RACE,
  SMP_LOCK_ORDER,
  SMP_IPL_UNSAFE,
  SMP_LOCK_MISUSE,
};
enum smp_memory_model { SMP_SC = 0, SMP_TSO, SMP_PSO, SMP_RELAXED };
enum smp_enter_meaning { SMP_ENTER_ACQUIRE = 0, SMP_ENTER_STORE_BEFORE };

/* One scenario: a workload on one variant of a target, with the verdict it
 * must produce. `setup` declares threads, lines and sources (it runs
 * before the machine, outside any context, after the target's globals are
 * restored); `check` (optional) runs at clean quiescence, outside any
 * context: KASSERT there is the final invariant. */
struct smp_scenario {
  const char* target;
  const char* variant;
  const char* description;
  enum smp_verdict expected;
  int cpus;                        /* 0: 2 */
  unsigned long max_steps;         /* 0: 20000 */
  enum smp_memory_model memory_model;
  enum smp_enter_meaning enter_meaning;
  int detect_races;                /* run the race detector by default */
  void (*setup)(void);
  void (*check)(void);
};
void smp_register_scenario(const struct smp_scenario* scenario);

/* Registers a scenario at program start, with named fields:
 *   SMP_SCENARIO_C(abba, .target = "demo", .variant = "abba_deadlock",
 *                  .expected = SMP_LOCK_ORDER, .setup = abba_setup, ...);  */
#define SMP_SCENARIO_C(ident, ...)                                        \
  static const struct smp_scenario smp_scenario_##ident = {__VA_ARGS__};  \
  __attribute__((constructor)) static void smp_register_##ident(void) {   \
    smp_register_scenario(&smp_scenario_##ident);                         \
  }

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif  /* SMPFUZZ_HW_SMP_HW_H_ */
