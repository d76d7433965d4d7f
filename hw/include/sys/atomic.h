/* <sys/atomic.h> for target C on smpfuzz: atomic_ops(3) and
 * membar_ops(3), with NetBSD's names and meanings.
 *
 * Every atomic operation is one scheduling point on the simulated machine
 * (the compiler builtins below are routed to it by the instrumentation).
 * As atomic_ops(3) says, atomic operations are atomic and are NOT
 * barriers: they order no other access. atomic_load_acquire and
 * atomic_store_release carry the acquire / release ordering within their
 * one point. Each membar_*() is a scheduling point with the meaning
 * core/memory.h gives it (membar_enter: acquire, or the historical store
 * before load/store, as the execution chooses).
 *
 * They are macros so that the trace names the caller's file:line.
 * GCC/Clang __atomic_* builtins in target code are routed the same way
 * (__ATOMIC_SEQ_CST: a membar_sync on each side of the access). */
#ifndef SMPFUZZ_HW_SYS_ATOMIC_H_
#define SMPFUZZ_HW_SYS_ATOMIC_H_

#include <smp/hw.h>
#include <sys/types.h>

#define atomic_cas_32(p, o, n) \
  __extension__({ uint32_t __smp_o = (o); \
    __atomic_compare_exchange_n((p), &__smp_o, (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED); __smp_o; })
#define atomic_cas_32_ni(p, o, n) atomic_cas_32((p), (o), (n))
#define atomic_swap_32(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define atomic_add_32(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define atomic_add_32_nv(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_or_32(p, v) ((void)__atomic_fetch_or((p), (v), __ATOMIC_RELAXED))
#define atomic_or_32_nv(p, v) __atomic_or_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_and_32(p, v) ((void)__atomic_fetch_and((p), (v), __ATOMIC_RELAXED))
#define atomic_and_32_nv(p, v) __atomic_and_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_inc_32(p) ((void)__atomic_fetch_add((p), 1, __ATOMIC_RELAXED))
#define atomic_inc_32_nv(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_dec_32(p) ((void)__atomic_fetch_sub((p), 1, __ATOMIC_RELAXED))
#define atomic_dec_32_nv(p) __atomic_sub_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_cas_uint(p, o, n) \
  __extension__({ unsigned int __smp_o = (o); \
    __atomic_compare_exchange_n((p), &__smp_o, (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED); __smp_o; })
#define atomic_cas_uint_ni(p, o, n) atomic_cas_uint((p), (o), (n))
#define atomic_swap_uint(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define atomic_add_uint(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define atomic_add_uint_nv(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_or_uint(p, v) ((void)__atomic_fetch_or((p), (v), __ATOMIC_RELAXED))
#define atomic_or_uint_nv(p, v) __atomic_or_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_and_uint(p, v) ((void)__atomic_fetch_and((p), (v), __ATOMIC_RELAXED))
#define atomic_and_uint_nv(p, v) __atomic_and_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_inc_uint(p) ((void)__atomic_fetch_add((p), 1, __ATOMIC_RELAXED))
#define atomic_inc_uint_nv(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_dec_uint(p) ((void)__atomic_fetch_sub((p), 1, __ATOMIC_RELAXED))
#define atomic_dec_uint_nv(p) __atomic_sub_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_cas_64(p, o, n) \
  __extension__({ uint64_t __smp_o = (o); \
    __atomic_compare_exchange_n((p), &__smp_o, (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED); __smp_o; })
#define atomic_cas_64_ni(p, o, n) atomic_cas_64((p), (o), (n))
#define atomic_swap_64(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define atomic_add_64(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define atomic_add_64_nv(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_or_64(p, v) ((void)__atomic_fetch_or((p), (v), __ATOMIC_RELAXED))
#define atomic_or_64_nv(p, v) __atomic_or_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_and_64(p, v) ((void)__atomic_fetch_and((p), (v), __ATOMIC_RELAXED))
#define atomic_and_64_nv(p, v) __atomic_and_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_inc_64(p) ((void)__atomic_fetch_add((p), 1, __ATOMIC_RELAXED))
#define atomic_inc_64_nv(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_dec_64(p) ((void)__atomic_fetch_sub((p), 1, __ATOMIC_RELAXED))
#define atomic_dec_64_nv(p) __atomic_sub_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_cas_ulong(p, o, n) \
  __extension__({ unsigned long __smp_o = (o); \
    __atomic_compare_exchange_n((p), &__smp_o, (n), 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED); __smp_o; })
#define atomic_cas_ulong_ni(p, o, n) atomic_cas_ulong((p), (o), (n))
#define atomic_swap_ulong(p, v) __atomic_exchange_n((p), (v), __ATOMIC_RELAXED)
#define atomic_add_ulong(p, v) ((void)__atomic_fetch_add((p), (v), __ATOMIC_RELAXED))
#define atomic_add_ulong_nv(p, v) __atomic_add_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_or_ulong(p, v) ((void)__atomic_fetch_or((p), (v), __ATOMIC_RELAXED))
#define atomic_or_ulong_nv(p, v) __atomic_or_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_and_ulong(p, v) ((void)__atomic_fetch_and((p), (v), __ATOMIC_RELAXED))
#define atomic_and_ulong_nv(p, v) __atomic_and_fetch((p), (v), __ATOMIC_RELAXED)
#define atomic_inc_ulong(p) ((void)__atomic_fetch_add((p), 1, __ATOMIC_RELAXED))
#define atomic_inc_ulong_nv(p) __atomic_add_fetch((p), 1, __ATOMIC_RELAXED)
#define atomic_dec_ulong(p) ((void)__atomic_fetch_sub((p), 1, __ATOMIC_RELAXED))
#define atomic_dec_ulong_nv(p) __atomic_sub_fetch((p), 1, __ATOMIC_RELAXED)

#define atomic_cas_ptr(p, o, n) \
  __extension__({ void* __smp_o = (void*)(o); \
    __atomic_compare_exchange_n((void* volatile*)(p), &__smp_o, (void*)(n), \
                                0, __ATOMIC_RELAXED, __ATOMIC_RELAXED); __smp_o; })
#define atomic_cas_ptr_ni(p, o, n) atomic_cas_ptr((p), (o), (n))
#define atomic_swap_ptr(p, v) \
  __atomic_exchange_n((void* volatile*)(p), (void*)(v), __ATOMIC_RELAXED)
#define atomic_add_ptr(p, d) \
  ((void)__atomic_fetch_add((volatile uintptr_t*)(p), (uintptr_t)(d), __ATOMIC_RELAXED))
#define atomic_add_ptr_nv(p, d) \
  ((void*)__atomic_add_fetch((volatile uintptr_t*)(p), (uintptr_t)(d), __ATOMIC_RELAXED))

/* Loads and stores that are atomic (never torn), for data the code shares
 * on purpose: the race detector does not report them. */
#define atomic_load_relaxed(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define atomic_load_acquire(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define atomic_load_consume(p) __atomic_load_n((p), __ATOMIC_CONSUME)
#define atomic_store_relaxed(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define atomic_store_release(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)

/* membar_ops(3). */
#define membar_producer() smp_membar_at(0, SMP_AT)
#define membar_consumer() smp_membar_at(1, SMP_AT)
#define membar_sync() smp_membar_at(2, SMP_AT)
#define membar_acquire() smp_membar_at(3, SMP_AT)
#define membar_release() smp_membar_at(4, SMP_AT)
#define membar_enter() smp_membar_at(5, SMP_AT)
#define membar_exit() smp_membar_at(6, SMP_AT)
#define membar_datadep_consumer() smp_membar_at(1, SMP_AT)

#endif /* SMPFUZZ_HW_SYS_ATOMIC_H_ */
