/* Test input for smp_pass: shared accesses that must be instrumented and
 * locals that must not.  Compiled twice, with and without the plugin; the
 * checksum must agree. */
#include <stdint.h>
#include <stdio.h>

struct rxdesc {
  uint16_t status;
  uint16_t len;
};

struct softc {
  int sc_flags;
  int sc_txpending;
  volatile uint32_t sc_csr;
  struct softc* sc_next;
  struct rxdesc sc_rx[4];
};

int counter;
struct softc g_sc;
long ring[8];
uint32_t lock_word;
const int table[3] = {7, 11, 13};
double g_ratio = 1.5;

/* kmem-like: the softc reaches the code through a pointer parameter. */
static __attribute__((noinline)) void tx_start(struct softc* sc, int n) {
  sc->sc_txpending += n;
  sc->sc_csr = 0x10;
  sc->sc_rx[n & 3].status = (uint16_t)(sc->sc_rx[n & 3].status | 1);
  sc->sc_next->sc_flags |= 1;
}

static __attribute__((noinline)) int take_lock(uint32_t* p) {
  uint32_t expected = 0;
  return __atomic_compare_exchange_n(p, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                     __ATOMIC_RELAXED);
}

static __attribute__((noinline)) int deref(int* p) { return *p; }

int main(void) {
  int local = 0;
  int i;
  struct rxdesc copy;
  __builtin_memset(&g_sc, 0, sizeof(g_sc));
  g_sc.sc_next = &g_sc;
  for (i = 0; i < 8; i++) {
    ring[i] = i * 3;
    local += table[i % 3];
  }
  counter = 5;
  g_sc.sc_txpending = 2;
  tx_start(g_sc.sc_next, 3);
  __atomic_fetch_add(&counter, 4, __ATOMIC_RELAXED);
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
  int got = take_lock(&lock_word);
  int again = take_lock(&lock_word);
  uint32_t lw = __atomic_load_n(&lock_word, __ATOMIC_ACQUIRE);
  g_ratio = g_ratio * 2;
  copy = g_sc.sc_rx[1];
  local += copy.status + copy.len;
  long sum = 0;
  for (i = 0; i < 8; i++) sum += ring[i];
  long check = sum + counter * 100 + g_sc.sc_txpending * 1000 +
               (long)g_sc.sc_csr + g_sc.sc_rx[3].status * 7 + got * 11 +
               again * 13 + lw * 17 + (long)g_ratio + local + deref(&counter) + g_sc.sc_flags;
  printf("checksum %ld\n", check);
  return 0;
}
