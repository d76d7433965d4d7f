/* What kern/spl.c and kern/spl_lazy.c share, and nothing else includes:
 * the configuration a scenario's set-up gave spl_configure(), and the
 * lazy implementation's entry points. */
#ifndef SMPFUZZ_KERN_SPL_PRIVATE_H_
#define SMPFUZZ_KERN_SPL_PRIVATE_H_

#include <machine/intr.h>
#include <smp/hw.h>

/* Set-up only; all zero is SPL_HARD with the NetBSD names and no bugs.
 * Running code reads it with smp_peek: no scheduling point. */
extern struct spl_config spl_conf;
#define SPL_CONF(field) ((int)smp_peek(&spl_conf.field, sizeof spl_conf.field))

/* kern/spl_lazy.c's entry points for kern/spl.c. */
void spl_lazy_init(void);
int spl_lazy_establish(const char* name, int level, int run, int soft,
                       void (*fn)(void*), void* arg);
int spl_lazy_raise(int levels);
void spl_lazy_splx(int s);
int spl_lazy_current(void);

#endif /* SMPFUZZ_KERN_SPL_PRIVATE_H_ */
