/* <sys/bus.h> for target C on smpfuzz: bus_space(9) and bus_dma(9)'s sync.
 *
 * A device is a model written in C against <smp/device.h>: its register
 * reads and writes are callbacks. Each bus_space_read/write is one
 * scheduling point; the callback runs within it, atomically, and its own
 * memory accesses are the device's, not the CPU's (no further points).
 * A bus_space_write is ordered after the CPU's earlier stores, as an
 * uncached write on x86 is: the device sees every store made before it
 * (the trace shows the write's point as a membar_sync).
 * bus_dmamap_sync is one scheduling point with the ordering a DMA handover
 * needs: PREWRITE/PREREAD order the CPU's earlier stores before the
 * device may see later ones (membar_release); POSTREAD/POSTWRITE make the
 * CPU's later loads see what the device wrote (membar_acquire). */
#ifndef SMPFUZZ_HW_SYS_BUS_H_
#define SMPFUZZ_HW_SYS_BUS_H_

#include <smp/device.h>
#include <sys/types.h>

#define BUS_DMASYNC_PREREAD 0x01
#define BUS_DMASYNC_POSTREAD 0x02
#define BUS_DMASYNC_PREWRITE 0x04
#define BUS_DMASYNC_POSTWRITE 0x08

typedef int bus_dma_tag_t;
typedef struct smp_dmamap* bus_dmamap_t;
typedef unsigned long bus_addr_t;

#define bus_space_read_1(t, h, o) ((uint8_t)smp_bus_read_at((t), (h), (o), 1, SMP_AT))
#define bus_space_read_2(t, h, o) ((uint16_t)smp_bus_read_at((t), (h), (o), 2, SMP_AT))
#define bus_space_read_4(t, h, o) ((uint32_t)smp_bus_read_at((t), (h), (o), 4, SMP_AT))
#define bus_space_write_1(t, h, o, v) smp_bus_write_at((t), (h), (o), (v), 1, SMP_AT)
#define bus_space_write_2(t, h, o, v) smp_bus_write_at((t), (h), (o), (v), 2, SMP_AT)
#define bus_space_write_4(t, h, o, v) smp_bus_write_at((t), (h), (o), (v), 4, SMP_AT)
#define bus_dmamap_sync(t, map, off, len, ops) \
  smp_dmamap_sync_at((ops), SMP_AT)

#endif /* SMPFUZZ_HW_SYS_BUS_H_ */
