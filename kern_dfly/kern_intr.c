/* Interrupt vectors (<sys/interrupt.h>): register_int and the one entry
 * every kern_dfly handler goes through. */
#include <sys/interrupt.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/globaldata.h>
#include <sys/mplock2.h>
#include <sys/serialize.h>
#include <sys/systm.h>
#include <sys/thread.h>
#include <sys/thread2.h>

#include "kern_dfly/dfly_private.h"

struct dfly_intr {
  inthand2_t* di_handler;
  void* di_arg;
  struct lwkt_serialize* di_serializer;
  int di_flags;
  int di_line;
};
/* Written in set-up only, read with smp_peek. */
static struct dfly_intr dfly_intr_table[DFLY_NINTR];
static int dfly_intr_count;
static int dfly_initialized;

#define PEEK(field) smp_peek_var(&(field))

int dfly_intr_line(int vec) { return (int)PEEK(dfly_intr_table[vec].di_line); }

static void dfly_intr_dispatch(void* cookie) {
  const struct dfly_intr* di = cookie;
  struct globaldata* gd = mycpu;
  if (atomic_load_relaxed(&gd->gd_critcount) != 0) {
    atomic_or_uint(&gd->gd_ipending, 1u << (di - dfly_intr_table));
    return;
  }
  inthand2_t* handler = (inthand2_t*)(uintptr_t)PEEK(di->di_handler);
  void* arg = (void*)(uintptr_t)PEEK(di->di_arg);
  struct lwkt_serialize* s = (struct lwkt_serialize*)(uintptr_t)PEEK(di->di_serializer);
  const int mpsafe = ((int)PEEK(di->di_flags) & INTR_MPSAFE) != 0;
  crit_enter();
  if (!mpsafe) get_mplock();
  if (s != NULL)
    lwkt_serialize_handler_call(s, handler, arg, NULL);
  else
    (*handler)(arg, NULL);
  if (!mpsafe) rel_mplock();
  crit_exit();
}

int register_int(int level, inthand2_t* handler, void* arg, const char* name,
                 struct lwkt_serialize* serializer, int flags) {
  lwkt_init();
  KASSERTMSG(dfly_intr_count < DFLY_NINTR, "too many interrupt vectors");
  struct dfly_intr* di = &dfly_intr_table[dfly_intr_count++];
  di->di_handler = handler;
  di->di_arg = arg;
  di->di_serializer = serializer;
  di->di_flags = flags;
  di->di_line = smp_intr_establish(name, level, dfly_intr_dispatch, di);
  if (serializer != NULL) {
    KASSERTMSG(serializer->slz_line < 0, "one handler per serializer");
    serializer->slz_line = di->di_line;
  }
  return di->di_line;
}

void lwkt_init(void) {
  if (dfly_initialized) return;
  dfly_initialized = 1;
  KASSERTMSG(smp_ncpu() <= DFLY_MAXCPU, "kern_dfly: more than DFLY_MAXCPU CPUs");
  /* A critical section blocks every interrupt on its CPU: lockdep and the
   * race detector are told, as they are told a lazy spl's level. */
  smp_crit_view(&gd_percpu[0].gd_critcount, sizeof(struct globaldata),
                sizeof gd_percpu[0].gd_critcount);
  mplock_init();
  lwkt_ipiq_init();
}
