/* hwtest: the names and lines a race verdict gives an access, on a field of
 * a global struct and of a kmem block. The lines are exported as constants
 * next to the accesses (hwtest_line_*: the line of the function body that
 * follows), so runtime_test.cc does not hard-code line numbers. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

/* ---- naming: racy stores to a field of a global struct and of a kmem
 * struct through a pointer; the race verdict names the C field and the
 * file:line of each store. */

struct softc {
  int sc_count;
  int sc_flags;
};

static struct softc g_sc;

const int hwtest_line_race_global_t0 = __LINE__ + 1;
static void race_global_t0(void* arg) { (void)arg; g_sc.sc_count = 1; }
const int hwtest_line_race_global_t1 = __LINE__ + 1;
static void race_global_t1(void* arg) { (void)arg; g_sc.sc_count = 2; }

static void race_global_setup(void) {
  smp_thread_create("t0", 0, race_global_t0, NULL);
  smp_thread_create("t1", 1, race_global_t1, NULL);
}

SMP_SCENARIO_C(race_global_field, .target = "hwtest", .variant = "race_global_field",
               .description = "two CPUs store g_sc.sc_count without a lock",
               .expected = SMP_DATA_RACE, .cpus = 2, .max_steps = 200,
               .detect_races = 1, .setup = race_global_setup)

const int hwtest_line_race_kmem_t0 = __LINE__ + 1;
static void race_kmem_t0(void* arg) { struct softc* sc = arg; sc->sc_count = 1; }
const int hwtest_line_race_kmem_t1 = __LINE__ + 1;
static void race_kmem_t1(void* arg) { struct softc* sc = arg; sc->sc_count = 2; }

static void race_kmem_setup(void) {
  struct softc* sc = kmem_zalloc(sizeof(*sc), KM_SLEEP);
  smp_thread_create("t0", 0, race_kmem_t0, sc);
  smp_thread_create("t1", 1, race_kmem_t1, sc);
}

SMP_SCENARIO_C(race_kmem_field, .target = "hwtest", .variant = "race_kmem_field",
               .description = "two CPUs store sc->sc_count of a kmem softc "
                              "without a lock",
               .expected = SMP_DATA_RACE, .cpus = 2, .max_steps = 200,
               .detect_races = 1, .setup = race_kmem_setup)

/* ---- cell_names: the name each kind of location's cell gets (made only
 * when the trace reads it): a kmem field marked atomic in set-up, where no
 * expression names it; a kmem field and a global's field reached by
 * expression; a field of the CPU's cpu_info through a pointer; a lock
 * word, after its lock. */

static void names_t0(void* arg) {
  struct softc* sc = arg;
  sc->sc_flags = 1;
  sc->sc_count = 2;
  g_sc.sc_flags = 3;
  struct cpu_info* ci = curcpu();
  ci->ci_data.cpu_unused = 4;
}

static int g_names_lock;

static void names_setup(void) {
  struct softc* sc = kmem_zalloc(sizeof(*sc), KM_SLEEP);
  smp_mark_atomic(&sc->sc_flags, sizeof sc->sc_flags);
  smp_lock_declare(&g_names_lock, sizeof g_names_lock, "names_lock");
  smp_thread_create("t0", 0, names_t0, sc);
}

SMP_SCENARIO_C(cell_names, .target = "hwtest", .variant = "cell_names",
               .description = "one thread stores to a cell of each kind of region",
               .expected = SMP_CLEAN, .cpus = 1, .max_steps = 200, .setup = names_setup)
