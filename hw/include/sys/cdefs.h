/* <sys/cdefs.h> for target C on smpfuzz: the compiler spellings NetBSD
 * kernel code uses. */
#ifndef SMPFUZZ_HW_SYS_CDEFS_H_
#define SMPFUZZ_HW_SYS_CDEFS_H_

#ifdef __cplusplus
#define __BEGIN_DECLS extern "C" {
#define __END_DECLS }
#else
#define __BEGIN_DECLS
#define __END_DECLS
#endif

#define __predict_true(e) __builtin_expect((e) != 0, 1)
#define __predict_false(e) __builtin_expect((e) != 0, 0)
#define __unused __attribute__((__unused__))
#define __used __attribute__((__used__))
#define __diagused __attribute__((__unused__))
#define __packed __attribute__((__packed__))
#define __aligned(x) __attribute__((__aligned__(x)))
#define __noinline __attribute__((__noinline__))
#define __dead __attribute__((__noreturn__))
#define __printflike(f, a) __attribute__((__format__(__printf__, f, a)))
#define __UNCONST(a) ((void*)(unsigned long)(const void*)(a))
#define __UNVOLATILE(a) ((void*)(unsigned long)(volatile void*)(a))
#define __arraycount(a) (sizeof(a) / sizeof((a)[0]))
#define __CTASSERT(x) _Static_assert((x), #x)
#define __STRING(x) #x
#define __CONCAT(x, y) x##y

#endif /* SMPFUZZ_HW_SYS_CDEFS_H_ */
