/* Device models in C: what <sys/bus.h>'s bus_space calls reach.
 *
 * A device model is C code compiled with the target. Its register
 * callbacks run inside the CPU's bus_space access, atomically (one
 * scheduling point for the access, none inside the callback): a register
 * access is a single bus cycle. A device that also acts on its own (a DMA
 * engine completing work, raising its interrupt) does so from a kernel
 * thread of its own (smp_thread_create) or from the callbacks, and raises
 * its line with smp_send_ipi. */
#ifndef SMPFUZZ_HW_SMP_DEVICE_H_
#define SMPFUZZ_HW_SMP_DEVICE_H_

#include "hw.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long bus_size_t;
typedef int bus_space_tag_t;
typedef int bus_space_handle_t;

struct smp_device_ops {
  /* The value of the `width`-byte register at `off` (reading may change
   * device state: a read-to-clear register). */
  uint32_t (*read)(void* dev, bus_size_t off, int width);
  /* A write of `value` to the register at `off`. */
  void (*write)(void* dev, bus_size_t off, uint32_t value, int width);
};

/* Declaration. Attaches a device model; returns the handle that
 * bus_space_read/write take (the tag is not used: pass 0). */
bus_space_handle_t smp_device_attach(const char* name,
                                     const struct smp_device_ops* ops,
                                     void* dev);

uint32_t smp_bus_read_at(bus_space_tag_t t, bus_space_handle_t h,
                         bus_size_t off, int width, const char* file, int line);
void smp_bus_write_at(bus_space_tag_t t, bus_space_handle_t h, bus_size_t off,
                      uint32_t value, int width, const char* file, int line);
void smp_dmamap_sync_at(int ops, const char* file, int line);

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* SMPFUZZ_HW_SMP_DEVICE_H_ */
