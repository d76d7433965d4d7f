/* <sys/systm.h> for target C on smpfuzz: assertions, panic and printf.
 *
 * KASSERT is always compiled in (as under options DIAGNOSTIC). A failed
 * KASSERT or a panic() is an assertion verdict naming the expression, the
 * message and the C file:line; from a running context it does not return.
 * printf() writes a line into the trace (kept only while recording); it
 * is not a scheduling point. */
#ifndef SMPFUZZ_HW_SYS_SYSTM_H_
#define SMPFUZZ_HW_SYS_SYSTM_H_

#include <smp/hw.h>
#include <sys/types.h>

__BEGIN_DECLS
void smp_panic_at(const char* file, int line, const char* fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));
void smp_assert_msg_at(const char* expr, const char* file, int line,
                       const char* fmt, ...)
    __attribute__((__format__(__printf__, 4, 5)));
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
__END_DECLS

/* -ffreestanding makes these plain calls into the C library, behind the
 * machine's back; as builtins the instrumentation sees them (each byte
 * through the cell that holds it). */
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memset(d, c, n) __builtin_memset((d), (c), (n))

#define KASSERT(e) \
  (__predict_true(e) ? (void)0 : smp_assert_fail(#e, "KASSERT", __FILE__, __LINE__))
#define KASSERTMSG(e, ...) \
  (__predict_true(e) ? (void)0 : smp_assert_msg_at(#e, __FILE__, __LINE__, __VA_ARGS__))
#define KDASSERT(e) KASSERT(e)
#define panic(...) smp_panic_at(__FILE__, __LINE__, __VA_ARGS__)
#define printf(...) smp_note(__FILE__, __LINE__, __VA_ARGS__)

#endif /* SMPFUZZ_HW_SYS_SYSTM_H_ */
