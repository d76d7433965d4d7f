// A network driver in the shape of fxp(4) (Intel i8255x) after its SMP
// conversion, and a device model that owns half of its data structures.
//
// Driver (struct Fxp): a per-device spin mutex at the network IPL; public
// entry points fxp_init, fxp_start, fxp_stop, fxp_ioctl that take it and
// `_locked` internals that require it (the FreeBSD-5 naming); fxp_intr, the
// interrupt handler, established MPSAFE. Transmit: a ring of command
// blocks; the driver fills the next free block, publishes it
// (membar_producer, bus_dmamap_sync in the real driver) and hands it to the
// device by setting its status to DEVICE; the device transmits it, marks
// it DONE, sets the TX bit of its interrupt status register (ISR) and
// interrupts. fxp_intr reads the ISR, acknowledges exactly the bits it
// read (the register is write-one-to-clear), reclaims DONE blocks and
// wakes a thread waiting for completion.
//
// Device model (struct Nic): an agent that runs as a thread on a CPU of
// its own (the last one), reading and writing memory like any other CPU
// (so it sees the driver's stores only once they drained) and asserting
// the device's interrupt line. Deviations: no receive path, no command
// unit suspend bits; the ring has four blocks.
//
// Bug switches (each a variant): no membar_producer before the handover
// (the device can transmit a stale block), an ISR acknowledge that clears
// everything instead of the bits read (an event arriving between the read
// and the write is lost), fxp_ioctl calling the public fxp_init with the
// lock held (self-deadlock), fxp_start_locked called without the lock,
// and fxp_stop tearing the ring down without the lock while fxp_intr may
// be running on another CPU.
//
// Scheduling points: every call that touches a cell, the mask or a lock.
#ifndef SMPFUZZ_TARGETS_FXP_FXP_H_
#define SMPFUZZ_TARGETS_FXP_FXP_H_

#include <memory>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"

namespace smp::fxp {

constexpr int kRing = 4;
constexpr int kNetLevel = 6;   // IPL_NET: the device's line and the lock's IPL
enum BlockStatus { kFree = 0, kDevice = 1, kDone = 2 };
enum IsrBits { kIsrTx = 1, kIsrStop = 2 };

struct Bugs {
  bool no_producer = false;
  bool ack_all = false;
  bool init_with_lock_held = false;
  bool start_without_lock = false;
  bool stop_without_lock = false;
};

class Fxp {
 public:
  // Declares the device's interrupt line (its interrupts alternate between
  // the driver CPUs) and the NIC agent on CPU `nic_cpu` (the last), which
  // transmits until `packets` blocks went through or the unit is aborted.
  Fxp(Machine& m, Bugs bugs, int nic_cpu, int packets);

  // Public entry points: take the device lock.
  void fxp_init(Loc loc = Loc::Here());
  // Queues packet `id` and starts transmission. Returns false if the ring
  // is full (the caller retries later).
  bool fxp_start(int id, Loc loc = Loc::Here());
  void fxp_stop(Loc loc = Loc::Here());
  void fxp_ioctl_reset(Loc loc = Loc::Here());
  // Sleeps until `n` packets completed.
  void WaitCompleted(int n, Loc loc = Loc::Here());

  // What the device transmitted, in order (for invariants; Peek only).
  const std::vector<std::unique_ptr<Shared<int>>>& wire() const { return wire_; }
  int transmitted() const { return sent_.Peek(); }
  int completed() const { return completed_.Peek(); }

 private:
  void Lock(Loc loc);
  void Unlock(Loc loc);
  void fxp_init_locked(Loc loc);
  bool fxp_start_locked(int id, Loc loc);
  void fxp_intr();
  void NicMain();
  void Idle();

  Machine& m_;
  Bugs bugs_;
  Shared<int> lock_word_;
  int lock_;
  int saved_mask_[kMaxCpus] = {};
  // The ring: the driver's side and the device's side.
  std::vector<std::unique_ptr<Shared<int>>> status_, data_;
  Shared<int> prod_;        // next block the driver fills (driver-owned)
  Shared<int> reclaim_;     // next block the driver reclaims
  Shared<int> running_;     // 1 while the ring is set up
  Shared<int> isr_;         // the device's interrupt status register
  Shared<int> completed_;   // blocks reclaimed
  Shared<int> sent_;        // blocks the device transmitted
  Shared<int> doorbell_;    // bumped at each handover (CU resume) and abort
  Shared<int> abort_;       // CU abort
  Shared<int> idle_;        // the device stopped reading the ring
  Shared<int> config_;      // chip configuration (fxp_init)
  std::vector<std::unique_ptr<Shared<int>>> wire_;
  int line_;
  int tx_done_;             // channel WaitCompleted sleeps on
  int packets_;
};

}  // namespace smp::fxp

#endif  // SMPFUZZ_TARGETS_FXP_FXP_H_
