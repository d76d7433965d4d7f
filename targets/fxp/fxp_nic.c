/* The i8255x device model (fxp_nic.h): register callbacks and the command
 * and receive units' agents. */
#include "targets/fxp/fxp_nic.h"

#include <smp/device.h>
#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/cpu.h>
#include <sys/systm.h>

/* The CU's command word, as the COMMAND register leaves it. */
#define NIC_CU_RUN 0
#define NIC_CU_SUSPEND 1
#define NIC_CU_ABORT 2

struct fxp_nic {
  /* Registers: written by the callbacks (atomically, within the bus
   * cycle) and by the agents (atomic_or). */
  volatile uint32_t nic_statack; /* pending events (FXP_SCB_STATACK_*) */
  volatile uint32_t nic_cucmd;   /* NIC_CU_* */
  volatile uint32_t nic_bell;    /* bumped by every COMMAND write */
  /* The wire: what the CU transmitted, in order (the CU's own). */
  int nic_sent;
  int nic_wire[FXP_NIC_MAXPACKETS];
  /* Constant after attach, read with smp_peek. */
  struct fxp_control_data* nic_cd;
  int nic_line;
  struct fxp_nic_config nic_config;
};

static struct fxp_nic fxp_nic0;

#define PEEK(x) smp_peek_var(&(x))

static uint32_t fxp_nic_read(void* dev, bus_size_t off, int width) {
  struct fxp_nic* nic = dev;
  (void)width;
  if (off == FXP_CSR_SCB_STATACK) return nic->nic_statack;
  return 0;
}

static void fxp_nic_write(void* dev, bus_size_t off, uint32_t value, int width) {
  struct fxp_nic* nic = dev;
  (void)width;
  if (off == FXP_CSR_SCB_STATACK) {
    nic->nic_statack &= ~value; /* write-one-to-clear */
    return;
  }
  if (off != FXP_CSR_SCB_COMMAND) return;
  const uint32_t cmd = nic->nic_cucmd;
  switch (value) {
    case FXP_SCB_COMMAND_CU_RESUME: /* leaves a suspend, never an abort */
      if (cmd == NIC_CU_SUSPEND) nic->nic_cucmd = NIC_CU_RUN;
      break;
    case FXP_SCB_COMMAND_CU_SUSPEND:
      if (cmd != NIC_CU_ABORT) nic->nic_cucmd = NIC_CU_SUSPEND;
      break;
    case FXP_SCB_COMMAND_CU_ABORT:
      nic->nic_cucmd = NIC_CU_ABORT;
      break;
    default:
      break;
  }
  nic->nic_bell = nic->nic_bell + 1;
}

static const struct smp_device_ops fxp_nic_ops = {fxp_nic_read, fxp_nic_write};

/* The CU's state word, once done reading the ring. */
static void fxp_nic_report(struct fxp_control_data* cd, uint32_t state) {
  membar_release();
  atomic_store_relaxed(&cd->cd_cus, state);
}

/* Suspended between blocks until a RESUME. */
static void fxp_nic_suspend(struct fxp_nic* nic, struct fxp_control_data* cd) {
  fxp_nic_report(cd, FXP_CUS_SUSPENDED);
  while (atomic_load_relaxed(&nic->nic_cucmd) == NIC_CU_SUSPEND) cpu_spinwait();
  membar_acquire();
  atomic_store_relaxed(&cd->cd_cus, FXP_CUS_ACTIVE); /* the resume acknowledged */
}

/* Raises `bit` in STATACK, then the interrupt on driver CPU `cpu`. */
static void fxp_nic_interrupt(struct fxp_nic* nic, uint32_t bit, int cpu, int line) {
  atomic_or_32(&nic->nic_statack, bit);
  smp_send_ipi(cpu, line);
}

/* The command unit: blocks in ring order as they are handed over. */
static void fxp_nic_cu(void* arg) {
  struct fxp_nic* nic = arg;
  struct fxp_control_data* cd = (struct fxp_control_data*)(uintptr_t)PEEK(nic->nic_cd);
  const int packets = (int)PEEK(nic->nic_config.packets);
  const int ncpus = (int)PEEK(nic->nic_config.driver_cpus);
  const int line = (int)PEEK(nic->nic_line);
  for (int n = 0; n < packets; ++n) {
    struct fxp_cb_tx* cb = &cd->cd_txcbs[n % FXP_NTXCB];
    for (;;) {
      const uint32_t bell = atomic_load_relaxed(&nic->nic_bell);
      membar_consumer(); /* what the bell announced, not older */
      const uint32_t cmd = atomic_load_relaxed(&nic->nic_cucmd);
      if (cmd == NIC_CU_ABORT) {
        fxp_nic_report(cd, FXP_CUS_IDLE);
        return;
      }
      if (cmd == NIC_CU_SUSPEND) {
        fxp_nic_suspend(nic, cd);
        continue;
      }
      if (atomic_load_relaxed(&cb->cb_status) == FXP_CB_DEVICE) break;
      if (atomic_load_relaxed(&nic->nic_bell) == bell) cpu_spinwait();
    }
    membar_consumer(); /* the DMA engine reads the block after its status */
    const uint32_t id = cb->tx_data;
    nic->nic_wire[n] = (int)id;
    nic->nic_sent = n + 1;
    atomic_store_relaxed(&cb->cb_status, FXP_CB_DONE);
    /* PCI ordering: the write-back reaches memory before the interrupt
     * status does. */
    membar_producer();
    fxp_nic_interrupt(nic, FXP_SCB_STATACK_CXTNO, n % ncpus, line);
  }
  fxp_nic_report(cd, FXP_CUS_IDLE);
}

/* The receive unit: frame n into descriptor n % FXP_NRFA once it is
 * EMPTY. */
static void fxp_nic_ru(void* arg) {
  struct fxp_nic* nic = arg;
  struct fxp_control_data* cd = (struct fxp_control_data*)(uintptr_t)PEEK(nic->nic_cd);
  const int frames = (int)PEEK(nic->nic_config.frames);
  const int ncpus = (int)PEEK(nic->nic_config.driver_cpus);
  const int line = (int)PEEK(nic->nic_line);
  for (int n = 0; n < frames; ++n) {
    struct fxp_rfa* rfa = &cd->cd_rfas[n % FXP_NRFA];
    while (atomic_load_relaxed(&rfa->rfa_status) != FXP_RFA_EMPTY) cpu_spinwait();
    membar_acquire();                     /* the buffer is ours: write it after */
    rfa->rfa_data = FXP_NIC_FRAME_ID(n);  /* DMA write of the frame */
    membar_producer();                    /* PCI ordering: frame, then status, */
    atomic_store_relaxed(&rfa->rfa_status, FXP_RFA_COMPLETE);
    membar_producer();                    /* then the interrupt status */
    fxp_nic_interrupt(nic, FXP_SCB_STATACK_FR, n % ncpus, line);
  }
}

bus_space_handle_t fxp_nic_attach(const char* name, struct fxp_control_data* cd,
                                  int line, const struct fxp_nic_config* config) {
  struct fxp_nic* nic = &fxp_nic0;
  KASSERT(config->packets <= FXP_NIC_MAXPACKETS);
  nic->nic_cd = cd;
  nic->nic_line = line;
  nic->nic_config.driver_cpus = config->driver_cpus;
  nic->nic_config.cu_cpu = config->cu_cpu;
  nic->nic_config.packets = config->packets;
  nic->nic_config.frames = config->frames;
  nic->nic_config.ru_cpu = config->ru_cpu;
  /* Registers and the state word are synchronisation, not data. */
  smp_mark_atomic(&nic->nic_statack, sizeof nic->nic_statack);
  smp_mark_atomic(&nic->nic_cucmd, sizeof nic->nic_cucmd);
  smp_mark_atomic(&nic->nic_bell, sizeof nic->nic_bell);
  smp_mark_atomic(&cd->cd_cus, sizeof cd->cd_cus);
  const bus_space_handle_t h = smp_device_attach(name, &fxp_nic_ops, nic);
  smp_thread_create("nic", config->cu_cpu, fxp_nic_cu, nic);
  if (config->frames > 0) smp_thread_create("nic.ru", config->ru_cpu, fxp_nic_ru, nic);
  return h;
}

int fxp_nic_sent(void) { return fxp_nic0.nic_sent; }
int fxp_nic_wire(int n) { return fxp_nic0.nic_wire[n]; }
