/* <sys/types.h> for target C on smpfuzz: NetBSD's integer type names.
 * Target code is freestanding: this is the header, not the C library's. */
#ifndef SMPFUZZ_HW_SYS_TYPES_H_
#define SMPFUZZ_HW_SYS_TYPES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/cdefs.h>

typedef unsigned char u_char;
typedef unsigned short u_short;
typedef unsigned int u_int;
typedef unsigned long u_long;
typedef uint8_t u_int8_t;
typedef uint16_t u_int16_t;
typedef uint32_t u_int32_t;
typedef uint64_t u_int64_t;
typedef unsigned long vaddr_t;
typedef unsigned long paddr_t;
typedef unsigned long vsize_t;
typedef long ssize_t;
typedef int64_t off_t;
typedef int pri_t;
typedef unsigned long cpuid_t;
typedef char* caddr_t;

#endif /* SMPFUZZ_HW_SYS_TYPES_H_ */
