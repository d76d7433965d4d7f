/* <sys/mbuf.h>: a minimal mbuf(9) (kern/uipc_mbuf.c), enough for a driver
 * to hand received frames to a protocol through an ifqueue.
 *
 * What it models: a packet is a chain of mbufs (m_next) and packets are
 * linked into queues by their first mbuf's m_nextpkt; m_len is the data
 * length of one mbuf; mtod(m, t) its data. m_gethdr allocates a packet
 * header mbuf, m_freem frees a whole chain.
 *
 * Deviations: the data always lives in the mbuf's own small buffer
 * (MLEN bytes, no clusters, no m_data pointer to move), and there is no
 * packet header beyond m_pkthdr.len; no types, no pools: an mbuf is kmem
 * (<sys/kmem.h>), so a use after m_freem is an assertion verdict.
 * m_copyback/m_copydata move whole ints only.
 *
 * The race detector: a packet's data passes between contexts by
 * ownership, through queues under their locks, which the detector's
 * same-CPU check (a handler against the softint it feeds, "no lock in
 * common") cannot see. m_copyback and m_copydata therefore access the
 * data words as atomics (relaxed: no ordering), which keeps them out of
 * race reports; races on the header fields (m_nextpkt, m_len) are still
 * reported. Code that writes through mtod() directly is judged as usual.
 *
 * Scheduling points: m_gethdr none (the allocation never sleeps and the
 * block comes zeroed: m_next, m_nextpkt, m_len are 0). m_freem one per
 * mbuf (the read of m_next). m_copyback one per int plus m_len's load
 * (and store when it grows); m_copydata one per int. Field accesses are shared accesses like any
 * other. */
#ifndef SMPFUZZ_KERN_SYS_MBUF_H_
#define SMPFUZZ_KERN_SYS_MBUF_H_

#include <sys/types.h>

#define MLEN 16 /* bytes of data an mbuf holds */

#define M_DONTWAIT 0
#define M_WAIT 1
#define MT_DATA 1

struct pkthdr {
  int len; /* the packet's total length */
};

struct mbuf {
  struct mbuf* m_next;    /* next mbuf of this packet */
  struct mbuf* m_nextpkt; /* next packet of a queue */
  int m_len;              /* data in this mbuf */
  struct pkthdr m_pkthdr;
  union {
    int m_int[MLEN / sizeof(int)]; /* aligned for an int payload */
    char m_dat[MLEN];
  } m_un;
};

/* The data of `m` as a `t` (a pointer type). Not a scheduling point. */
#define mtod(m, t) ((t)(void*)((m)->m_un.m_dat))

__BEGIN_DECLS
/* A zeroed packet header mbuf; `how` and `type` are accepted and ignored
 * (allocation never fails). */
struct mbuf* m_gethdr(int how, int type);
/* Copies `len` bytes from `cp` into `m`'s data at `off` (growing m_len)
 * / from `m`'s data at `off` to `cp`. REQUIRES: off and len whole ints,
 * within MLEN (one mbuf). */
void m_copyback(struct mbuf* m, int off, int len, const void* cp);
void m_copydata(struct mbuf* m, int off, int len, void* cp);
/* Frees `m` and the mbufs chained to it by m_next. NULL is allowed. */
void m_freem(struct mbuf* m);
__END_DECLS

#endif /* SMPFUZZ_KERN_SYS_MBUF_H_ */
