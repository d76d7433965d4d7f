/* hwtest: what the machine refuses, and smp_readonly. An access to memory
 * it cannot follow, a mixed-size access and a store to a location declared
 * constant end the process naming file:line (hwtest_line_*: the line of
 * the function body that follows, exported so that runtime_test.cc does
 * not hard-code line numbers); a constant's loads are no scheduling
 * points. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

/* ---- refusals: memory the machine cannot follow ends the process. */

/* Defined in hwtest_foreign.cc: C++, not instrumented, not registered. */
extern char smp_test_foreign[64];

const int hwtest_line_foreign = __LINE__ + 1;
static void foreign_thread(void* arg) { (void)arg; smp_test_foreign[3] = 1; }
static void foreign_setup(void) { smp_thread_create("t0", 0, foreign_thread, NULL); }

SMP_SCENARIO_C(foreign_memory, .target = "hwtest", .variant = "foreign_memory",
               .description = "a thread stores to memory that is not shared "
                              "(refused: the process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = foreign_setup)

static union {
  uint32_t m_32;
  uint64_t m_64;
} g_mixed;

const int hwtest_line_mixed = __LINE__ + 1;
static void mixed_thread(void* arg) { (void)arg; g_mixed.m_32 = 1; g_mixed.m_64 = 2; }
static void mixed_setup(void) { smp_thread_create("t0", 0, mixed_thread, NULL); }

SMP_SCENARIO_C(mixed_size, .target = "hwtest", .variant = "mixed_size",
               .description = "4- and 8-byte stores at one address (refused: the "
                              "process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = mixed_setup)

/* ---- readonly: a handle set in set-up and declared constant. Its loads
 * are plain reads (no point, no trace line); the softc's other field
 * stays an ordinary shared location. A store to the constant from a
 * running context is refused. */

static struct {
  int ro_handle; /* set in set-up, then constant */
  int ro_count;
} g_ro;

static void readonly_thread(void* arg) {
  (void)arg;
  for (int i = 0; i < 3; i++) {
    KASSERTMSG(g_ro.ro_handle == 7, "the constant reads back: %d", g_ro.ro_handle);
    atomic_inc_uint((volatile u_int*)&g_ro.ro_count);
  }
}
static void readonly_setup(void) {
  g_ro.ro_handle = 7;
  smp_readonly_var(&g_ro.ro_handle);
  smp_thread_create("t0", 0, readonly_thread, NULL);
  smp_thread_create("t1", 1, readonly_thread, NULL);
}
static void readonly_check(void) { KASSERT(g_ro.ro_count == 6); }

SMP_SCENARIO_C(readonly, .target = "hwtest", .variant = "readonly",
               .description = "two threads read a handle declared constant in set-up",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = readonly_setup, .check = readonly_check)

const int hwtest_line_readonly_store = __LINE__ + 1;
static void readonly_store_thread(void* arg) { (void)arg; g_ro.ro_handle = 8; }
static void readonly_store_setup(void) {
  smp_readonly_var(&g_ro.ro_handle);
  smp_thread_create("t0", 0, readonly_store_thread, NULL);
}

const int hwtest_line_readonly_rmw = __LINE__ + 1;
static void readonly_rmw_thread(void* arg) { (void)arg; atomic_inc_uint((volatile u_int*)&g_ro.ro_handle); }
static void readonly_rmw_setup(void) {
  smp_readonly_var(&g_ro.ro_handle);
  smp_thread_create("t0", 0, readonly_rmw_thread, NULL);
}

SMP_SCENARIO_C(readonly_rmw, .target = "hwtest", .variant = "readonly_rmw",
               .description = "a thread increments a location declared constant "
                              "atomically (refused: the process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = readonly_rmw_setup)

SMP_SCENARIO_C(readonly_store, .target = "hwtest", .variant = "readonly_store",
               .description = "a thread stores to a location declared constant "
                              "(refused: the process exits)",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = readonly_store_setup)
