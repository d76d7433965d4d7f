/* <sys/kmem.h> for target C on smpfuzz: kmem_alloc(9).
 *
 * Memory from kmem_alloc is shared by construction: every access to it is
 * seen by the machine. It lives until the execution ends; an access after
 * kmem_free is an assertion verdict naming the access's file:line. Not
 * scheduling points (in the simulated kernel allocation never sleeps). */
#ifndef SMPFUZZ_HW_SYS_KMEM_H_
#define SMPFUZZ_HW_SYS_KMEM_H_

#include <sys/types.h>

typedef unsigned int km_flag_t;
#define KM_SLEEP 0x00000001
#define KM_NOSLEEP 0x00000002

__BEGIN_DECLS
void* smp_kmem_alloc_at(size_t size, int zero, const char* file, int line);
void smp_kmem_free_at(void* p, size_t size, const char* file, int line);
__END_DECLS

#define kmem_alloc(size, flags) \
  ((void)(flags), smp_kmem_alloc_at((size), 0, __FILE__, __LINE__))
#define kmem_zalloc(size, flags) \
  ((void)(flags), smp_kmem_alloc_at((size), 1, __FILE__, __LINE__))
#define kmem_free(p, size) smp_kmem_free_at((p), (size), __FILE__, __LINE__)

#endif /* SMPFUZZ_HW_SYS_KMEM_H_ */
