// A network driver in the shape of fxp(4) (Intel i8255x) after its SMP
// conversion, and a device model that owns half of its data structures.
//
// Driver (class Fxp): a per-device spin mutex at the network IPL; public
// entry points fxp_init, fxp_start, fxp_stop, fxp_ioctl_*, fxp_watchdog
// that take it and `_locked` internals that REQUIRE it (the FreeBSD-5
// naming); fxp_intr, the interrupt handler, established MPSAFE or (a
// Config switch) without MPSAFE, in which case the interrupt wrapper runs
// it with kernel_lock held (softint.h's giant lock).
//
// Transmit: a ring of command blocks; the driver fills the next free
// block, publishes it (membar_producer, bus_dmamap_sync in the real
// driver) and hands it to the device by setting its status to DEVICE; the
// device's command unit (CU) transmits it, marks it DONE, sets the TX bit
// of its interrupt status register (ISR) and interrupts. fxp_intr reads
// the ISR, acknowledges exactly the bits it read (the register is
// write-one-to-clear), reclaims DONE blocks and wakes a thread waiting for
// completion. fxp_start_locked arms the transmit watchdog (if_timer);
// fxp_intr disarms it once every block is reclaimed.
//
// Receive: a ring of receive frame descriptors the device's receive unit
// (RU) owns while their status is EMPTY. The RU DMA-writes a frame into
// the next EMPTY descriptor, then (PCI ordering) its status COMPLETE, then
// sets the ISR's RX bit and interrupts. fxp_intr, under the device lock,
// takes every COMPLETE descriptor in ring order: it reads the status, then
// (membar_consumer, bus_dmamap_sync POSTREAD) the frame, passes the frame
// to the protocol input queue (its own spin mutex at IPL_NET), and only
// then returns the descriptor to the device (membar_release, status
// EMPTY). If it queued anything it schedules the softnet softint on its
// CPU; the softint drains the whole queue (coalescing) and delivers the
// frames. The softnet handler is not MPSAFE (NetBSD's ipintr under
// softnet_lock / KERNEL_LOCK): dispatch on two CPUs is serialised by
// kernel_lock, which keeps delivery in order.
//
// Watchdog: a callout, i.e. a softclock softint that the hardclock
// interrupt (above IPL_NET) schedules on the CPU it ticks on. fxp_watchdog
// takes the lock; if the interface runs and a transmission is overdue
// (if_timer counts down to zero) it counts an output error and resets the
// chip through fxp_init_locked.
//
// fxp_init_locked resets the chip: if the CU is active it suspends it
// (CU "suspend at end of command"), waits until the device says so,
// reprograms the configuration, then resumes the CU where it stopped and
// waits for the acknowledgement: blocks handed over before the reset are
// still transmitted, exactly once. fxp_stop aborts the CU for good, waits
// for it, and tears the ring down, counting blocks still owned by the
// device as dropped.
//
// Device model (class Fxp, NicMain/RuMain): agents that run as threads on
// CPUs of their own, reading and writing memory like any other CPU (so
// they see the driver's stores only once they drained) and asserting the
// device's interrupt line on the driver CPUs in turn. Deviations: the RU
// waits for an EMPTY descriptor instead of going "no resources"; the CU
// suspends only between blocks; rings are 4 (TX) and 2 (RX) long.
//
// Bug switches (each a variant): no membar_producer before the handover;
// an ISR acknowledge that clears every bit; fxp_ioctl calling the public
// fxp_init with the lock held; fxp_start_locked without the lock; fxp_stop
// without the lock; no membar_consumer between a receive descriptor's
// status and its frame; the descriptor returned to the device before the
// frame is read; softnet draining the input queue without its lock; the
// multicast ioctl taking kernel_lock inside the device lock.
//
// Scheduling points: every call that touches a cell, the mask or a lock;
// queries (wire(), transmitted(), ...) are not.
#ifndef SMPFUZZ_TARGETS_FXP_FXP_H_
#define SMPFUZZ_TARGETS_FXP_FXP_H_

#include <memory>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"
#include "targets/fxp/ifqueue.h"
#include "targets/fxp/ipl_mutex.h"
#include "targets/softint/softint.h"

namespace smp::fxp {

constexpr int kRing = 4;
constexpr int kRxRing = 2;
constexpr int kNetLevel = 6;    // IPL_NET: the device's line and the locks' IPL
constexpr int kClockLevel = 9;  // hardclock, above IPL_NET
enum BlockStatus { kFree = 0, kDevice = 1, kDone = 2 };
enum RxStatus { kRxEmpty = 0, kRxComplete = 1 };
enum IsrBits { kIsrTx = 1, kIsrStop = 2, kIsrRx = 4 };
// The CU control word (abort_) and its state as the device reports it.
enum CuCommand { kCuRun = 0, kCuAbort = 1, kCuSuspend = 2 };
enum CuState { kCuActive = 0, kCuSuspended = 1, kCuGone = 2 };

struct Bugs {
  bool no_producer = false;
  bool ack_all = false;
  bool init_with_lock_held = false;
  bool start_without_lock = false;
  bool stop_without_lock = false;
  bool rx_no_consumer = false;        // frame read without membar_consumer
  bool rx_handback_early = false;     // descriptor returned before the read
  bool softnet_without_lock = false;  // input queue drained without its lock
  bool giant_inside_lock = false;     // kernel_lock taken under the device lock
};

struct Config {
  int driver_cpus = 2;  // CPUs 0..driver_cpus-1 take the interrupts
  int cu_cpu = 2;       // the command unit agent's CPU
  int packets = 0;      // blocks the CU transmits before it stops
  int frames = 0;       // frames the RU receives (0: no RU agent)
  int ru_cpu = 3;       // the receive unit agent's CPU
  bool mpsafe = true;   // fxp_intr established MPSAFE
  int ticks = 0;        // hardclock ticks on the driver CPUs (0: no watchdog)
};

class Fxp {
 public:
  // Declares the device's line, the agents, the input queue and softints.
  Fxp(Machine& m, Bugs bugs, Config config);
  // The transmit-only device of the first scenarios.
  Fxp(Machine& m, Bugs bugs, int nic_cpu, int packets);

  // Public entry points: take the device lock.
  void fxp_init(Loc loc = Loc::Here());
  // Queues packet `id` and starts transmission. Returns false if the ring
  // is full or the interface is stopped (the caller retries later).
  bool fxp_start(int id, Loc loc = Loc::Here());
  void fxp_stop(Loc loc = Loc::Here());
  void fxp_ioctl_reset(Loc loc = Loc::Here());
  // SIOCADDMULTI: reprogram the multicast filter. The path above the
  // driver is not MPSAFE: kernel_lock, then the device lock.
  void fxp_ioctl_mcast(Loc loc = Loc::Here());
  // The callout; runs in softclock context.
  void fxp_watchdog(Loc loc = Loc::Here());
  // Sleeps until `n` packets completed.
  void WaitCompleted(int n, Loc loc = Loc::Here());

  // For invariants (Peek only).
  // What the device transmitted, in order.
  const std::vector<std::unique_ptr<Shared<int>>>& wire() const { return wire_; }
  int transmitted() const { return sent_.Peek(); }
  int completed() const { return completed_.Peek(); }
  int dropped() const { return dropped_.Peek(); }
  int resets() const { return oerrors_.Peek(); }
  // What softnet delivered, in order, and how many.
  const std::vector<std::unique_ptr<Shared<int>>>& delivered() const { return delivered_; }
  int num_delivered() const { return ndelivered_.Peek(); }
  int input_drops() const { return ipintrq_.drops(); }
  // The id of received frame n (from 0).
  static int FrameId(int n) { return 101 + n; }

 private:
  void Lock(Loc loc) { mtx_.Enter(loc); }
  void Unlock(Loc loc) { mtx_.Exit(loc); }
  void fxp_init_locked(Loc loc);
  bool fxp_start_locked(int id, Loc loc);
  void fxp_intr();
  void fxp_txintr_locked();
  void fxp_rxintr_locked();
  void softnet();
  void NicMain();
  void RuMain();
  void Suspend();
  void Idle();

  Machine& m_;
  const Bugs bugs_;
  const Config config_;
  softint::Softints si_;
  IplMutex mtx_;
  // The transmit ring: the driver's side and the device's side.
  std::vector<std::unique_ptr<Shared<int>>> status_, data_;
  Shared<int> prod_;        // next block the driver fills (driver-owned)
  Shared<int> reclaim_;     // next block the driver reclaims
  Shared<int> running_;     // IFF_RUNNING
  Shared<int> isr_;         // the device's interrupt status register
  Shared<int> completed_;   // blocks reclaimed
  Shared<int> sent_;        // blocks the device transmitted
  Shared<int> doorbell_;    // bumped at each handover, suspend, resume, abort
  Shared<int> abort_;       // CuCommand
  Shared<int> idle_;        // CuState, written by the device
  Shared<int> config_word_;  // chip configuration (fxp_init, ioctls)
  Shared<int> tx_timer_;    // if_timer: watchdog ticks left, 0: disarmed
  Shared<int> oerrors_;     // watchdog resets
  Shared<int> dropped_;     // blocks fxp_stop took back from the device
  std::vector<std::unique_ptr<Shared<int>>> wire_;
  // The receive ring.
  std::vector<std::unique_ptr<Shared<int>>> rx_status_, rx_data_;
  Shared<int> rx_cons_;     // next descriptor the driver takes
  IfQueue ipintrq_;
  int softnet_ = -1;        // softint cookie
  int callout_ = -1;        // softint cookie of the watchdog callout
  std::vector<std::unique_ptr<Shared<int>>> delivered_;
  Shared<int> ndelivered_;
  int line_;
  int tx_done_;             // channel WaitCompleted sleeps on
};

}  // namespace smp::fxp

#endif  // SMPFUZZ_TARGETS_FXP_FXP_H_
