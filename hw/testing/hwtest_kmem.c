/* hwtest: kmem_free. An access after it is an assertion naming the
 * access; other memory stays accessible. runtime_test.cc says which
 * contract each one proves. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

/* ---- use after free: an access to a kmem block after kmem_free. */

struct node {
  int n_value;
  int n_other;
};

static void uaf_thread(void* arg) {
  struct node* n = arg;
  n->n_value = 1;
  kmem_free(n, sizeof(*n));
  smp_yield();
  n->n_value = 2;
}
static void uaf_setup(void) {
  smp_thread_create("t0", 0, uaf_thread, kmem_zalloc(sizeof(struct node), KM_SLEEP));
}

SMP_SCENARIO_C(use_after_free, .target = "hwtest", .variant = "use_after_free",
               .description = "a thread stores to a node after freeing it",
               .expected = SMP_ASSERTION, .cpus = 2, .max_steps = 200,
               .setup = uaf_setup)

/* ---- kmem_free leaves other memory alone: after one block is freed, the
 * locations accessed before (a global, another kmem block) are accessed
 * as before. */

static int g_live;

static void free_other_thread(void* arg) {
  struct node** nodes = arg;
  g_live = 1;
  nodes[1]->n_value = 1;
  kmem_free(nodes[0], sizeof(struct node));
  g_live = g_live + 1;
  nodes[1]->n_value = nodes[1]->n_value + 1;
  KASSERT(g_live == 2 && nodes[1]->n_value == 2);
}
static struct node* g_nodes[2];
static void free_other_setup(void) {
  g_nodes[0] = kmem_zalloc(sizeof(struct node), KM_SLEEP);
  g_nodes[1] = kmem_zalloc(sizeof(struct node), KM_SLEEP);
  smp_thread_create("t0", 0, free_other_thread, g_nodes);
}

SMP_SCENARIO_C(free_then_other_access, .target = "hwtest",
               .variant = "free_then_other_access",
               .description = "a thread frees one block, then accesses a global "
                              "and another block it accessed before",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = free_other_setup)
