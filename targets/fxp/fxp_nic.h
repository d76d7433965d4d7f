/* The i8255x (fxp) device model: its registers, the data structures it
 * shares with the driver in host memory (i82557reg.h's role), and its
 * attachment. The model is fxp_nic.c; the driver is if_fxp.c.
 *
 * What it models:
 *  - Two registers, reached with bus_space_read/write_1 (each access one
 *    scheduling point, the device's side atomic within it):
 *      FXP_CSR_SCB_STATACK  the interrupt status: reads return the pending
 *                           events; a write acknowledges, i.e. clears,
 *                           exactly the bits written (write-one-to-clear).
 *      FXP_CSR_SCB_COMMAND  a command to the command unit (CU): RESUME
 *                           (new blocks are ready; also leaves a suspend),
 *                           SUSPEND (stop after the current block until
 *                           RESUME), ABORT (stop for good). Every write
 *                           also rings the CU's doorbell.
 *  - The command unit, an agent on a CPU of its own (cu_cpu): it
 *    transmits the blocks of the TX ring in ring order as they are handed
 *    over (cb_status FXP_CB_DEVICE), until `packets` went out or it is
 *    aborted: it DMA-reads the block, puts it on the wire, writes
 *    FXP_CB_DONE back, then (PCI ordering: membar_producer) sets
 *    STATACK_CXTNO and interrupts the driver CPUs in turn. It reports
 *    its state (active, suspended, idle) in the status word cd_cus of the
 *    control data, which the driver polls.
 *  - The receive unit, a second agent (ru_cpu), when `frames` > 0: frame
 *    n goes into receive frame descriptor n % FXP_NRFA once the driver
 *    gave it back (rfa_status FXP_RFA_EMPTY): it DMA-writes the frame,
 *    then the status FXP_RFA_COMPLETE, then STATACK_FR, and interrupts.
 *  - The agents run like CPUs: they see the driver's stores only once
 *    drained, and their own loads and stores are ordered by the barriers
 *    they issue.
 *
 * Deviations from the chip: a block is handed over by its own status word
 * (the chip follows links and clears the previous block's suspend bit);
 * the CU state is reported in host memory (the chip's is a register:
 * polling it there lets the driver's wait be a spin-wait hint, one step,
 * as it was for the C++ model); the RU waits for an EMPTY descriptor
 * instead of going "no resources"; the CU suspends only between blocks;
 * rings of 4 (TX) and 2 (RX); a frame is one int.
 *
 * Set-up: fxp_nic_attach. Everything else runs in the agents and the
 * register callbacks; fxp_nic_* queries are for final checks. */
#ifndef SMPFUZZ_TARGETS_FXP_FXP_NIC_H_
#define SMPFUZZ_TARGETS_FXP_FXP_NIC_H_

#include <smp/device.h>
#include <sys/types.h>

#define FXP_NTXCB 4
#define FXP_NRFA 2
#define FXP_NIC_MAXPACKETS 8

/* Registers (byte offsets). */
#define FXP_CSR_SCB_STATACK 1
#define FXP_CSR_SCB_COMMAND 2

/* STATACK bits. */
#define FXP_SCB_STATACK_CXTNO 0x80 /* CU finished a block */
#define FXP_SCB_STATACK_FR 0x40    /* RU received a frame */
#define FXP_SCB_STATACK_MASK 0xff

/* COMMAND values. */
#define FXP_SCB_COMMAND_CU_RESUME 0x20
#define FXP_SCB_COMMAND_CU_SUSPEND 0x30 /* the model's */
#define FXP_SCB_COMMAND_CU_ABORT 0x40   /* the model's */

/* CU state reported in cd_cus. */
#define FXP_CUS_ACTIVE 0
#define FXP_CUS_SUSPENDED 1
#define FXP_CUS_IDLE 2

/* A transmit command block. */
struct fxp_cb_tx {
  volatile uint32_t cb_status; /* FXP_CB_*: who owns the block */
  uint32_t tx_data;            /* the packet (an id) */
};
#define FXP_CB_FREE 0   /* the driver's */
#define FXP_CB_DEVICE 1 /* handed to the CU */
#define FXP_CB_DONE 2   /* transmitted, back to the driver */

/* A receive frame descriptor. */
struct fxp_rfa {
  volatile uint32_t rfa_status; /* FXP_RFA_* */
  uint32_t rfa_data;            /* the frame (an id) */
};
#define FXP_RFA_EMPTY 0    /* the device's: it may fill it */
#define FXP_RFA_COMPLETE 1 /* filled, the driver's */

/* The memory driver and device share (one kmem block, the driver's). */
struct fxp_control_data {
  struct fxp_cb_tx cd_txcbs[FXP_NTXCB];
  struct fxp_rfa cd_rfas[FXP_NRFA];
  volatile uint32_t cd_cus; /* FXP_CUS_*, written by the CU */
};

struct fxp_nic_config {
  int driver_cpus; /* interrupts go to CPUs 0..driver_cpus-1 in turn */
  int cu_cpu;      /* the command unit's CPU */
  int packets;     /* blocks the CU transmits before it goes idle */
  int frames;      /* frames the RU receives (0: no receive unit) */
  int ru_cpu;      /* the receive unit's CPU */
};

__BEGIN_DECLS
/* Set-up. Attaches the device as `name`: its agents work on `cd` and
 * raise interrupt line `line`. Returns the bus_space handle of its
 * registers. */
bus_space_handle_t fxp_nic_attach(const char* name, struct fxp_control_data* cd,
                                  int line, const struct fxp_nic_config* config);
/* Final checks: the packets transmitted, in order (fxp_nic_wire(n) for n
 * below fxp_nic_sent()). */
int fxp_nic_sent(void);
int fxp_nic_wire(int n);
/* The id of received frame n (from 0). */
#define FXP_NIC_FRAME_ID(n) (101 + (n))
__END_DECLS

#endif /* SMPFUZZ_TARGETS_FXP_FXP_NIC_H_ */
