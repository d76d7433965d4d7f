/* mbuf(9), minimal (<sys/mbuf.h>): mbufs are kmem blocks. */
#include <sys/atomic.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/mbuf.h>

struct mbuf* m_gethdr(int how, int type) {
  (void)how;
  (void)type;
  return kmem_zalloc(sizeof(struct mbuf), KM_NOSLEEP);
}

/* The data words are copied with atomic_load/atomic_store_relaxed, which
 * mark them atomic for the race detector: a packet's data changes hands
 * with the mbuf (a driver's interrupt fills it, a softint reads it after
 * a queue under its lock), an ownership the detector's same-CPU check (a
 * handler against the softint it feeds) cannot see. Each word is still
 * one shared access. */
void m_copyback(struct mbuf* m, int off, int len, const void* cp) {
  KASSERTMSG(off % (int)sizeof(int) == 0 && len % (int)sizeof(int) == 0 &&
                 off + len <= MLEN,
             "m_copyback: whole ints within the mbuf only");
  const int* src = cp;
  for (int i = 0; i < len / (int)sizeof(int); ++i) {
    atomic_store_relaxed(&m->m_un.m_int[off / (int)sizeof(int) + i], src[i]);
  }
  if (m->m_len < off + len) m->m_len = off + len;
}

void m_copydata(struct mbuf* m, int off, int len, void* cp) {
  KASSERTMSG(off % (int)sizeof(int) == 0 && len % (int)sizeof(int) == 0 &&
                 off + len <= MLEN,
             "m_copydata: whole ints within the mbuf only");
  int* dst = cp;
  for (int i = 0; i < len / (int)sizeof(int); ++i) {
    dst[i] = atomic_load_relaxed(&m->m_un.m_int[off / (int)sizeof(int) + i]);
  }
}

void m_freem(struct mbuf* m) {
  while (m != NULL) {
    struct mbuf* n = m->m_next;
    kmem_free(m, sizeof(struct mbuf));
    m = n;
  }
}
