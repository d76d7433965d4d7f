/* A stand-in for the smpfuzz runtime for pass_test.sh: performs each access
 * on real memory and logs one line per call.  Compiled without the plugin. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct __smp_site {
  const char* file;
  int32_t line;
  int32_t flags;
  const char* what;
};

static void log_access(const char* kind, int size, const struct __smp_site* s) {
  printf("smp %s %d %s:%d %s%s\n", kind, size, s->file, (int)s->line,
         s->what[0] != '\0' ? s->what : "-",
         (s->flags & 1) != 0 ? " volatile" : "");
}

#define SIZED(N, T)                                                          \
  T __smp_load_##N(const void* a, const struct __smp_site* s) {              \
    log_access("load", N, s);                                                \
    return *(const T*)a;                                                     \
  }                                                                          \
  void __smp_store_##N(void* a, T v, const struct __smp_site* s) {           \
    log_access("store", N, s);                                               \
    *(T*)a = v;                                                              \
  }                                                                          \
  T __smp_atomic_load_##N(const void* a, int32_t o,                          \
                          const struct __smp_site* s) {                      \
    printf("order %d\n", (int)o);                                            \
    log_access("atomic_load", N, s);                                         \
    return *(const T*)a;                                                     \
  }                                                                          \
  void __smp_atomic_store_##N(void* a, T v, int32_t o,                       \
                              const struct __smp_site* s) {                  \
    printf("order %d\n", (int)o);                                            \
    log_access("atomic_store", N, s);                                        \
    *(T*)a = v;                                                              \
  }                                                                          \
  T __smp_atomic_cas_##N(void* a, T e, T d, int32_t o,                       \
                         const struct __smp_site* s) {                       \
    printf("order %d\n", (int)o);                                            \
    log_access("atomic_cas", N, s);                                          \
    T old = *(T*)a;                                                          \
    if (old == e) *(T*)a = d;                                                \
    return old;                                                              \
  }                                                                          \
  T __smp_atomic_rmw_##N(void* a, int32_t op, T v, int32_t o,                \
                         const struct __smp_site* s) {                       \
    printf("order %d op %d\n", (int)o, (int)op);                             \
    log_access("atomic_rmw", N, s);                                          \
    T old = *(T*)a;                                                          \
    switch (op) {                                                            \
      case 0: *(T*)a = v; break;                                             \
      case 1: *(T*)a = old + v; break;                                       \
      case 2: *(T*)a = old - v; break;                                       \
      case 3: *(T*)a = old & v; break;                                       \
      case 4: *(T*)a = old | v; break;                                       \
      case 5: *(T*)a = old ^ v; break;                                       \
      case 6: *(T*)a = ~(old & v); break;                                    \
      default: break; /* min/max unused by the test */                       \
    }                                                                        \
    return old;                                                              \
  }

SIZED(1, uint8_t)
SIZED(2, uint16_t)
SIZED(4, uint32_t)
SIZED(8, uint64_t)

void __smp_fence(int32_t o, const struct __smp_site* s) {
  printf("order %d\n", (int)o);
  log_access("fence", 0, s);
}

void __smp_memcpy(void* d, const void* src, uint64_t n,
                  const struct __smp_site* s) {
  log_access("memcpy", (int)n, s);
  memcpy(d, src, n);
}

void __smp_memmove(void* d, const void* src, uint64_t n,
                   const struct __smp_site* s) {
  log_access("memmove", (int)n, s);
  memmove(d, src, n);
}

void __smp_memset(void* d, int32_t c, uint64_t n, const struct __smp_site* s) {
  log_access("memset", (int)n, s);
  memset(d, c, n);
}

void __smp_register_global(void* a, uint64_t size, const char* name,
                           const char* file, int32_t line) {
  (void)a;
  printf("global %s %d %s:%d\n", name, (int)size, file, (int)line);
}
