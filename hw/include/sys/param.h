/* <sys/param.h> for target C on smpfuzz. */
#ifndef SMPFUZZ_HW_SYS_PARAM_H_
#define SMPFUZZ_HW_SYS_PARAM_H_

#include <sys/types.h>

/* The unit of cache coherency: what NetBSD aligns per-CPU and lock data
 * to, so that two of them never share a line. */
#define COHERENCY_UNIT 64
#define CACHE_LINE_SIZE 64
#define NBBY 8
#define MAXCPUS 16

#ifndef MIN
#define MIN(a, b) (((a) < (b)) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) (((a) > (b)) ? (a) : (b))
#endif
#define howmany(x, y) (((x) + ((y) - 1)) / (y))
#define roundup(x, y) ((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y) (((x) / (y)) * (y))
#define powerof2(x) ((((x) - 1) & (x)) == 0)

#endif /* SMPFUZZ_HW_SYS_PARAM_H_ */
