/* hwtest: the machine's other parts through C. kmem, atomics, plain
 * accesses and an interrupt line on two CPUs, replayed byte for byte; and a
 * device model whose register write stores to a descriptor the driver
 * reads. runtime_test.cc says which contract each one proves. */
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/bus.h>
#include <sys/cpu.h>
#include <sys/kmem.h>
#include <sys/systm.h>
#include <sys/types.h>

/* ---- determinism: kmem, atomics, plain accesses, an interrupt line and
 * trace notes, all on one schedule. */

#define DET_LEVEL 5

struct det {
  unsigned int d_events;
  int d_last;
  uint64_t d_sum;
};

static void det_intr(void* arg) {
  struct det* d = arg;
  atomic_inc_uint(&d->d_events);
  d->d_last = -smp_cpu() - 1;
  printf("intr on cpu%d", smp_cpu());
}

static void det_thread(void* arg) {
  struct det* d = arg;
  for (int i = 0; i < 3; i++) {
    const int s = smp_ipr_get();
    smp_ipr_set(DET_LEVEL);
    d->d_last = smp_cpu() + 1;
    d->d_sum += (uint64_t)i;
    smp_ipr_set(s);
    atomic_add_32_nv(&d->d_events, 1);
  }
}

static void det_setup(void) {
  struct det* d = kmem_zalloc(sizeof(*d), KM_SLEEP);
  const int line = smp_intr_establish("det", DET_LEVEL, det_intr, d);
  smp_intr_source(line, 3, 0x3);
  smp_thread_create("t0", 0, det_thread, d);
  smp_thread_create("t1", 1, det_thread, d);
}

SMP_SCENARIO_C(determinism, .target = "hwtest", .variant = "determinism",
               .description = "kmem, atomics and an interrupt line on two CPUs",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = det_setup)

/* ---- device models: a register write's callback stores to a descriptor
 * in kmem (the device's DMA); the driver, which read the descriptor
 * before, reads what the device wrote. */

struct desc {
  uint32_t d_status;
  uint32_t d_pad;
};

static uint32_t dev_read(void* dev, bus_size_t off, int width) {
  (void)off;
  (void)width;
  struct desc* d = dev;
  return d->d_status;
}
static void dev_write(void* dev, bus_size_t off, uint32_t value, int width) {
  (void)off;
  (void)width;
  struct desc* d = dev;
  d->d_status = value;
}
static const struct smp_device_ops kDevOps = {dev_read, dev_write};

static struct desc* g_desc;
static bus_space_handle_t g_dev;

static void dev_driver(void* arg) {
  struct desc* d = arg;
  KASSERT(d->d_status == 0);
  bus_space_write_4(0, g_dev, 0, 5);
  KASSERTMSG(bus_space_read_4(0, g_dev, 0) == 5, "the register reads back");
  KASSERTMSG(d->d_status == 5, "the driver sees the device's store: %u",
             d->d_status);
}
static void dev_setup(void) {
  g_desc = kmem_zalloc(sizeof(*g_desc), KM_SLEEP);
  g_dev = smp_device_attach("dev0", &kDevOps, g_desc);
  smp_thread_create("driver", 0, dev_driver, g_desc);
}

SMP_SCENARIO_C(device_store, .target = "hwtest", .variant = "device_store",
               .description = "a device callback stores to a descriptor the "
                              "driver reads",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 200,
               .setup = dev_setup)
