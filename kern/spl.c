/* spl(9): the per-scenario configuration, the names, and the
 * hardware-mask implementation; the lazy one is kern/spl_lazy.c. The
 * contract of every call is in <machine/intr.h>.
 *
 * The configuration is written in set-up and read by running code with
 * smp_peek: a switch read with a real load would add a scheduling point
 * to every spl call that the modelled kernel does not have. */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/systm.h>

#include "kern/spl_private.h"

struct spl_config spl_conf;

/* NetBSD IPL -> machine level. Constant: read without a scheduling point. */
static const int ipl_levels_of[] = {
    [IPL_NONE] = 0,
    [IPL_SOFTCLOCK] = SPL_LEVEL_SOFTCLOCK,
    [IPL_SOFTBIO] = SPL_LEVEL_SOFTBIO,
    [IPL_SOFTNET] = SPL_LEVEL_SOFTNET,
    [IPL_SOFTSERIAL] = SPL_LEVEL_SOFTSERIAL,
    [IPL_VM] = SPL_LEVEL_VM,
    [IPL_SCHED] = SPL_LEVEL_SCHED,
    [IPL_HIGH] = SPL_LEVEL_HIGH,
};

/* The historical names tables, by enum spl_names then enum spl_class. */
static const int spl_tables[3][5] = {
    [SPL_NAMES_NETBSD] =
        {
            [SPL_CLASS_BIO] = SPL_UPTO(SPL_LEVEL_VM),
            [SPL_CLASS_NET] = SPL_UPTO(SPL_LEVEL_VM),
            [SPL_CLASS_TTY] = SPL_UPTO(SPL_LEVEL_VM),
            [SPL_CLASS_IMP] = SPL_UPTO(SPL_LEVEL_VM),
            [SPL_CLASS_CLOCK] = SPL_UPTO(SPL_LEVEL_SCHED),
        },
    [SPL_NAMES_HISTORICAL] =
        {
            [SPL_CLASS_BIO] = SPL_BIT(SPL_LEVEL_BIO),
            [SPL_CLASS_NET] = SPL_BIT(SPL_LEVEL_NET),
            [SPL_CLASS_TTY] = SPL_BIT(SPL_LEVEL_NET) | SPL_BIT(SPL_LEVEL_TTY),
            [SPL_CLASS_IMP] = SPL_BIT(SPL_LEVEL_BIO) | SPL_BIT(SPL_LEVEL_NET) |
                              SPL_BIT(SPL_LEVEL_TTY),
            [SPL_CLASS_CLOCK] = SPL_UPTO(SPL_LEVEL_CLOCK),
        },
    [SPL_NAMES_ORDERED] =
        {
            [SPL_CLASS_BIO] = SPL_UPTO(SPL_LEVEL_BIO),
            [SPL_CLASS_NET] = SPL_UPTO(SPL_LEVEL_NET),
            [SPL_CLASS_TTY] = SPL_UPTO(SPL_LEVEL_TTY),
            [SPL_CLASS_IMP] = SPL_UPTO(SPL_LEVEL_TTY),
            [SPL_CLASS_CLOCK] = SPL_UPTO(SPL_LEVEL_CLOCK),
        },
};

int ipl_level(int ipl) {
  KASSERTMSG(ipl >= IPL_NONE && ipl <= IPL_HIGH, "ipl %d is no IPL_*", ipl);
  return ipl_levels_of[ipl];
}

int spl_names_levels(enum spl_names names, enum spl_class cls) {
  return spl_tables[names][cls];
}

int spl_class_levels(enum spl_class cls) {
  return spl_tables[SPL_CONF(names)][cls];
}

void spl_configure(const struct spl_config* config) {
  spl_conf.impl = config->impl;
  spl_conf.names = config->names;
  spl_conf.one_cpu_per_level = config->one_cpu_per_level;
  spl_conf.raise_can_lower = config->raise_can_lower;
  spl_conf.splx_no_replay = config->splx_no_replay;
  spl_conf.splx_check_then_lower = config->splx_check_then_lower;
  if (config->impl == SPL_LAZY) spl_lazy_init();
}

/* ---- Establishment ---- */

int spl_intr_establish(const char* name, int level, int run, void (*fn)(void*),
                       void* arg) {
  run = run == 0 ? SPL_UPTO(level) : (run | SPL_BIT(level));
  if (SPL_CONF(impl) == SPL_LAZY) {
    return spl_lazy_establish(name, level, run, 0, fn, arg);
  }
  /* The controller masks up to the line's level, no more: `run` is moot. */
  return smp_intr_establish(name, level, fn, arg);
}

int spl_softintr_establish(const char* name, int level, void (*fn)(void*),
                           void* arg) {
  if (SPL_CONF(impl) == SPL_LAZY) {
    return spl_lazy_establish(name, level, SPL_UPTO(level), 1, fn, arg);
  }
  return smp_softintr_establish(name, level, fn, arg);
}

/* ---- The hardware-mask spl: the IPL is the priority register ---- */

static int spl_hard_raise(int levels) {
  const int old = smp_ipr_get();
  const int want = spl_highest(levels);
  /* The bug: program the requested level even below the current one. */
  smp_ipr_set(SPL_CONF(raise_can_lower) || want > old ? want : old);
  return SPL_UPTO(old);
}

/* ---- spl(9) ---- */

int splraise_levels(int levels) {
  if (SPL_CONF(impl) == SPL_LAZY) return spl_lazy_raise(levels);
  return spl_hard_raise(levels);
}

int splraise(int ipl) { return splraise_levels(ipl_levels(ipl)); }

void splx(int s) {
  if (SPL_CONF(impl) == SPL_LAZY) {
    spl_lazy_splx(s);
    return;
  }
  smp_ipr_set(spl_highest(s));
}

int spl_current(void) {
  if (SPL_CONF(impl) == SPL_LAZY) return spl_lazy_current();
  return SPL_UPTO(smp_ipr_get());
}

int spl0(void) {
  const int old = spl_current();
  splx(0);
  return old;
}

int splsoftclock(void) { return splraise(IPL_SOFTCLOCK); }
int splsoftbio(void) { return splraise(IPL_SOFTBIO); }
int splsoftnet(void) { return splraise(IPL_SOFTNET); }
int splsoftserial(void) { return splraise(IPL_SOFTSERIAL); }
int splvm(void) { return splraise(IPL_VM); }
int splsched(void) { return splraise(IPL_SCHED); }
int splhigh(void) { return splraise(IPL_HIGH); }

int splbio(void) { return splraise_levels(spl_class_levels(SPL_CLASS_BIO)); }
int splnet(void) { return splraise_levels(spl_class_levels(SPL_CLASS_NET)); }
int spltty(void) { return splraise_levels(spl_class_levels(SPL_CLASS_TTY)); }
int splimp(void) { return splraise_levels(spl_class_levels(SPL_CLASS_IMP)); }
int splclock(void) { return splraise_levels(spl_class_levels(SPL_CLASS_CLOCK)); }
