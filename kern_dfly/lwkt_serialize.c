/* Serializers (<sys/serialize.h>). Every change of the word is a CAS, the
 * locked bus cycle Dillon's argument asks for, except the handler-disable
 * of SLZ_BUG_PLAIN_DISABLE. */
#include <sys/serialize.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/systm.h>

static int slz_cas(lwkt_serialize_t s, u_int old, u_int new, int order) {
  return __atomic_compare_exchange_n(&s->interlock, &old, new, 0, order,
                                     __ATOMIC_RELAXED);
}

void lwkt_serialize_init_bugs(lwkt_serialize_t s, const char* name, u_int bugs) {
  if (name[0] == '&') name++;
  s->interlock = 0;
  s->slz_line = -1;
  s->slz_bugs = bugs;
  smp_lock_declare_class(&s->interlock, sizeof s->interlock, name, SMP_LOCK_SPIN,
                         /*recursive=*/0);
}

void lwkt_serialize_enter_at(lwkt_serialize_t s, const char* file, int line) {
  smp_lock_want_at(&s->interlock, file, line);
  for (;;) {
    const u_int old = s->interlock;
    if ((old & SLZ_HELD) != 0) {
      cpu_spinwait();
      continue;
    }
    if (slz_cas(s, old, old | SLZ_HELD, __ATOMIC_ACQUIRE)) break;
  }
  smp_lock_acquired_at(&s->interlock, file, line);
}

int lwkt_serialize_try_at(lwkt_serialize_t s, const char* file, int line) {
  for (;;) {
    const u_int old = s->interlock;
    if ((old & SLZ_HELD) != 0) return 0;
    if (slz_cas(s, old, old | SLZ_HELD, __ATOMIC_ACQUIRE)) break;
  }
  smp_lock_tryacquired_at(&s->interlock, file, line);
  return 1;
}

void lwkt_serialize_exit_at(lwkt_serialize_t s, const char* file, int line) {
  u_int old;
  do {
    old = s->interlock;
  } while (!slz_cas(s, old, old & ~(SLZ_HELD | SLZ_DEFERRED), __ATOMIC_RELEASE));
  smp_lock_released_at(&s->interlock, file, line);
  u_int deferred = old & SLZ_DEFERRED;
  if (deferred == 0) return;
  const int intr_line = (int)smp_peek_var(&s->slz_line);
  while (deferred != 0) {
    const int cpu = __builtin_ctz(deferred);
    deferred &= deferred - 1;
    smp_send_ipi(cpu, intr_line);
  }
}

void lwkt_serialize_handler_call(lwkt_serialize_t s, void (*fn)(void*, void*),
                                 void* arg, void* frame) {
  const u_int me = 1u << smp_cpu();
  for (;;) {
    const u_int old = s->interlock;
    if ((old & SLZ_HDISABLED) != 0) return;
    if ((old & SLZ_HELD) != 0) {
      /* Deferred: the holder's exit re-asserts our line here. */
      if (slz_cas(s, old, old | me, __ATOMIC_RELAXED)) return;
      continue;
    }
    if (slz_cas(s, old, old | SLZ_HELD, __ATOMIC_ACQUIRE)) break;
  }
  smp_lock_tryacquired(&s->interlock);
  (*fn)(arg, frame);
  lwkt_serialize_exit(s);
}

void lwkt_serialize_handler_disable(lwkt_serialize_t s) {
  if ((smp_peek_var(&s->slz_bugs) & SLZ_BUG_PLAIN_DISABLE) != 0) {
    const u_int old = s->interlock; /* no locked bus cycle */
    s->interlock = old | SLZ_HDISABLED;
    return;
  }
  atomic_or_uint(&s->interlock, SLZ_HDISABLED);
}

void lwkt_serialize_handler_enable(lwkt_serialize_t s) {
  atomic_and_uint(&s->interlock, ~SLZ_HDISABLED);
}

int lwkt_serialize_held(lwkt_serialize_t s) { return (s->interlock & SLZ_HELD) != 0; }
