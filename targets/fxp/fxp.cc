#include "targets/fxp/fxp.h"

namespace smp::fxp {
namespace {

constexpr int kQueueCapacity = 4;
constexpr int kWatchdogTicks = 1;  // if_timer: ticks a transmission may take

std::vector<std::unique_ptr<Shared<int>>> Cells(Machine& m, const std::string& prefix,
                                                const std::string& suffix, int n) {
  std::vector<std::unique_ptr<Shared<int>>> v;
  for (int i = 0; i < n; ++i) {
    v.push_back(std::make_unique<Shared<int>>(m, prefix + std::to_string(i) + suffix));
  }
  return v;
}

}  // namespace

Fxp::Fxp(Machine& m, Bugs bugs, int nic_cpu, int packets)
    : Fxp(m, bugs, Config{nic_cpu, nic_cpu, packets}) {}

Fxp::Fxp(Machine& m, Bugs bugs, Config config)
    : m_(m),
      bugs_(bugs),
      config_(config),
      si_(m),
      mtx_(m, "fxp0.lock", "fxp0_mtx", kNetLevel),
      status_(Cells(m, "cb", ".status", kRing)),
      data_(Cells(m, "cb", ".data", kRing)),
      prod_(m, "fxp0.tx_prod"),
      reclaim_(m, "fxp0.tx_reclaim"),
      running_(m, "fxp0.running", 1),
      isr_(m, "fxp0.isr"),
      completed_(m, "fxp0.completed"),
      sent_(m, "nic.sent"),
      doorbell_(m, "fxp0.doorbell"),
      abort_(m, "fxp0.cu_abort"),
      idle_(m, "fxp0.cu_idle"),
      config_word_(m, "fxp0.config"),
      tx_timer_(m, "fxp0.if_timer"),
      oerrors_(m, "fxp0.oerrors"),
      dropped_(m, "fxp0.dropped"),
      wire_(Cells(m, "wire", "", config.packets)),
      rx_status_(Cells(m, "rfd", ".status", kRxRing)),
      rx_data_(Cells(m, "rfd", ".data", kRxRing)),
      rx_cons_(m, "fxp0.rx_cons"),
      ipintrq_(m, "ipintrq", kQueueCapacity, kNetLevel),
      delivered_(Cells(m, "delivered", "", config.frames)),
      ndelivered_(m, "ipintr.delivered") {
  m.MarkAtomic(doorbell_);
  m.MarkAtomic(abort_);
  m.MarkAtomic(idle_);
  m.MarkAtomic(running_);  // IFF_RUNNING: a flag
  // Descriptor status words are how driver and device hand blocks over:
  // synchronisation variables, ordered by the barriers around them. The
  // data words are plain: touching one the other side owns is a race.
  for (auto& s : status_) m.MarkAtomic(*s);
  for (auto& s : rx_status_) m.MarkAtomic(*s);
  m.MarkAtomic(isr_);  // a device register
  auto intr = [this] {
    // The interrupt wrapper: non-MPSAFE handlers run under kernel_lock.
    if (!config_.mpsafe) si_.KernelLock();
    fxp_intr();
    if (!config_.mpsafe) si_.KernelUnlock();
  };
  line_ = m.AddLine("fxp0", kNetLevel, intr);
  tx_done_ = m.AddChannel("fxp0.tx_done");
  m.AddThread("nic", config.cu_cpu, [this] { NicMain(); });
  if (config.frames > 0) {
    softnet_ = si_.softint_establish(softint::SOFTINT_NET, /*mpsafe=*/false,
                                     "ipintr", [this] { softnet(); });
    m.AddThread("nic.ru", config.ru_cpu, [this] { RuMain(); });
  }
  if (config.ticks > 0) {
    callout_ = si_.softint_establish(softint::SOFTINT_CLOCK, /*mpsafe=*/true,
                                     "callout", [this] { fxp_watchdog(); });
    const int hardclock = m.AddLine("hardclock", kClockLevel, [this] {
      si_.softint_schedule(callout_);  // a callout is due
    });
    m.AddSource(hardclock, config.ticks, (1u << config.driver_cpus) - 1);
  }
}

void Fxp::fxp_init(Loc loc) {
  Lock(loc);
  fxp_init_locked(loc);
  Unlock(loc);
}

void Fxp::fxp_init_locked(Loc loc) {
  // Reset: suspend the command unit at the end of its current block and
  // wait for the device to say so (fxp_scb_wait spins on the chip too).
  if (idle_.Load(loc) == kCuActive) {
    abort_.Store(kCuSuspend, loc);
    m_.Membar(Barrier::kProducer, loc);  // the command before the bell
    doorbell_.FetchAdd(1, loc);
    while (idle_.Load(loc) == kCuActive) idle_.SpinWhile(kCuActive, loc);
    m_.Membar(Barrier::kAcquire, loc);
  }
  // Reprogram the chip's configuration.
  config_word_.Store(config_word_.Load(loc) + 1, loc);
  if (idle_.Load(loc) == kCuSuspended) {
    // Resume where it stopped: the blocks still DEVICE go out after all.
    m_.Membar(Barrier::kRelease, loc);
    abort_.Store(kCuRun, loc);
    m_.Membar(Barrier::kProducer, loc);
    doorbell_.FetchAdd(1, loc);
    while (idle_.Load(loc) == kCuSuspended) idle_.SpinWhile(kCuSuspended, loc);
  }
  tx_timer_.Store(0, loc);
  running_.Store(1, loc);
}

void Fxp::fxp_ioctl_reset(Loc loc) {
  Lock(loc);
  if (bugs_.init_with_lock_held) {
    fxp_init(loc);  // the public entry point, with the lock held
  } else {
    fxp_init_locked(loc);
  }
  Unlock(loc);
}

void Fxp::fxp_ioctl_mcast(Loc loc) {
  if (bugs_.giant_inside_lock) {
    // The bug: into the non-MPSAFE layer with the device lock held. A
    // non-MPSAFE fxp_intr on another CPU holds kernel_lock and spins on
    // the device lock.
    Lock(loc);
    si_.KernelLock(loc);
    config_word_.Store(config_word_.Load(loc) + 1, loc);
    si_.KernelUnlock(loc);
    Unlock(loc);
    return;
  }
  si_.KernelLock(loc);  // the order the interrupt wrapper takes them in
  Lock(loc);
  config_word_.Store(config_word_.Load(loc) + 1, loc);
  Unlock(loc);
  si_.KernelUnlock(loc);
}

bool Fxp::fxp_start(int id, Loc loc) {
  if (bugs_.start_without_lock) return fxp_start_locked(id, loc);
  Lock(loc);
  const bool queued = fxp_start_locked(id, loc);
  Unlock(loc);
  return queued;
}

bool Fxp::fxp_start_locked(int id, Loc loc) {
  if (running_.Load(loc) == 0) return false;
  const int slot = prod_.Load(loc);
  Shared<int>& status = *status_[slot % kRing];
  if (status.Load(loc) != kFree) return false;  // ring full
  data_[slot % kRing]->Store(id, loc);
  if (!bugs_.no_producer) m_.Membar(Barrier::kProducer, loc);
  status.Store(kDevice, loc);  // the handover
  prod_.Store(slot + 1, loc);
  if (config_.ticks > 0) tx_timer_.Store(kWatchdogTicks, loc);
  // The doorbell (CU resume) must not overtake the handover: a device that
  // wakes on it and finds the block still free sleeps on the bell again.
  m_.Membar(Barrier::kProducer, loc);
  doorbell_.FetchAdd(1, loc);
  return true;
}

void Fxp::fxp_intr() {
  Lock(Loc::Here());
  const int isr = isr_.Load();
  if (bugs_.ack_all) {
    isr_.Store(0);  // clears bits that arrived after the read, too
  } else {
    // Write-one-to-clear exactly what was read.
    for (;;) {
      const int now = isr_.Load();
      if (isr_.Cas(now, now & ~isr)) break;
    }
  }
  // bus_dmamap_sync(POSTREAD): descriptors are read after the ISR said so.
  m_.Membar(Barrier::kConsumer);
  if ((isr & kIsrTx) != 0 && running_.Load() != 0) fxp_txintr_locked();
  if ((isr & kIsrRx) != 0) fxp_rxintr_locked();
  Unlock(Loc::Here());
}

void Fxp::fxp_txintr_locked() {
  for (;;) {
    const int r = reclaim_.Load();
    Shared<int>& status = *status_[r % kRing];
    if (status.Load() != kDone) break;
    SMP_ASSERT(m_, data_[r % kRing]->Load() != -1,
               "fxp_intr reclaims a block fxp_stop tore down under it");
    status.Store(kFree);
    reclaim_.Store(r + 1);
    completed_.Store(completed_.Load() + 1);
  }
  // Everything handed over came back: the watchdog has nothing to time.
  if (config_.ticks > 0 && reclaim_.Load() == prod_.Load()) tx_timer_.Store(0);
  m_.Unpark(tx_done_);
}

void Fxp::fxp_rxintr_locked() {
  int queued = 0;
  for (;;) {
    const int r = rx_cons_.Load();
    Shared<int>& status = *rx_status_[r % kRxRing];
    if (status.Load() != kRxComplete) break;
    if (bugs_.rx_handback_early) {
      // The bug: the descriptor goes back before the frame is copied out.
      m_.Membar(Barrier::kRelease);
      status.Store(kRxEmpty);
    }
    // bus_dmamap_sync(POSTREAD) on the descriptor: the frame is read after
    // its status, not from before the device wrote it.
    if (!bugs_.rx_no_consumer) m_.Membar(Barrier::kConsumer);
    const int id = rx_data_[r % kRxRing]->Load();
    if (!bugs_.rx_handback_early) {
      // Done with the buffer (PREREAD sync): the device may have it back.
      m_.Membar(Barrier::kRelease);
      status.Store(kRxEmpty);
    }
    rx_cons_.Store(r + 1);
    ipintrq_.Lock();
    if (ipintrq_.Enqueue(id)) ++queued;
    ipintrq_.Unlock();
  }
  if (queued > 0) si_.softint_schedule(softnet_);
}

void Fxp::softnet() {
  // ipintr: drain everything queued (the schedules coalesce), delivering
  // in queue order. Runs under kernel_lock (not MPSAFE).
  for (;;) {
    int id = 0;
    if (!bugs_.softnet_without_lock) ipintrq_.Lock();
    const bool got = ipintrq_.Dequeue(&id);
    if (!bugs_.softnet_without_lock) ipintrq_.Unlock();
    if (!got) return;
    const int n = ndelivered_.Load();
    SMP_ASSERT(m_, n < static_cast<int>(delivered_.size()),
               "softnet delivers more frames than the device received");
    if (n >= static_cast<int>(delivered_.size())) return;
    delivered_[n]->Store(id);
    ndelivered_.Store(n + 1);
  }
}

void Fxp::fxp_watchdog(Loc loc) {
  Lock(loc);
  const int t = tx_timer_.Load(loc);
  if (running_.Load(loc) != 0 && t > 0) {
    tx_timer_.Store(t - 1, loc);
    if (t == 1) {  // "fxp0: device timeout"
      oerrors_.Store(oerrors_.Load(loc) + 1, loc);
      fxp_init_locked(loc);
    }
  }
  Unlock(loc);
}

void Fxp::fxp_stop(Loc loc) {
  if (!bugs_.stop_without_lock) Lock(loc);
  running_.Store(0, loc);
  tx_timer_.Store(0, loc);
  abort_.Store(kCuAbort, loc);  // CU abort: the device stops...
  m_.Membar(Barrier::kProducer, loc);  // (the abort before the bell)
  doorbell_.FetchAdd(1, loc);
  while (idle_.Load(loc) == kCuActive) idle_.SpinWhile(kCuActive, loc);  // ...and says so
  m_.Membar(Barrier::kAcquire, loc);
  // Tear the ring down: the device is done with it, and fxp_intr is not in
  // the middle of reclaiming it, which the lock (the handler takes it)
  // guarantees. Blocks the device never took are dropped.
  for (int i = 0; i < kRing; ++i) {
    if (status_[i]->Load(loc) == kDevice) dropped_.Store(dropped_.Load(loc) + 1, loc);
    data_[i]->Store(-1, loc);
  }
  if (!bugs_.stop_without_lock) Unlock(loc);
}

void Fxp::WaitCompleted(int n, Loc loc) {
  Lock(loc);
  while (completed_.Load(loc) < n) {
    // Sleep without the spin lock held, atomically with respect to the
    // handler's wakeup (the interlock is the completion count).
    const int seen = completed_.Load(loc);
    Unlock(loc);
    m_.ParkWhile(tx_done_, completed_, static_cast<Word>(seen), loc);
    Lock(loc);
  }
  Unlock(loc);
}

void Fxp::NicMain() {
  // The command unit: transmit blocks in ring order as they are handed
  // over, until `packets` went out or the driver aborts it; a suspend
  // parks it between blocks until the driver resumes it.
  for (int n = 0; n < config_.packets; ++n) {
    Shared<int>& status = *status_[n % kRing];
    for (;;) {
      const int bell = doorbell_.Load();
      m_.Membar(Barrier::kConsumer);  // what the bell announced, not older
      const int command = abort_.Load();
      if (command == kCuAbort) {
        Idle();
        return;
      }
      if (command == kCuSuspend) {
        Suspend();
        continue;
      }
      if (status.Load() == kDevice) break;
      doorbell_.SpinWhile(bell);
    }
    m_.Membar(Barrier::kConsumer);     // the DMA engine reads the block after its status
    const int id = data_[n % kRing]->Load();  // DMA read of the block
    wire_[n]->Store(id);
    sent_.Store(n + 1);
    status.Store(kDone);
    // PCI ordering: the status write-back reaches memory before the
    // interrupt status does.
    m_.Membar(Barrier::kProducer);
    for (;;) {  // raise the TX bit in the ISR, then interrupt
      const int isr = isr_.Load();
      if (isr_.Cas(isr, isr | kIsrTx)) break;
    }
    m_.SendIpi(n % config_.driver_cpus, line_);  // alternate driver CPUs
  }
  Idle();
}

void Fxp::Suspend() {
  m_.Membar(Barrier::kRelease);  // done reading the ring before saying so
  idle_.Store(kCuSuspended);
  abort_.SpinWhile(kCuSuspend);
  m_.Membar(Barrier::kAcquire);
  idle_.Store(kCuActive);  // the resume acknowledged
}

void Fxp::Idle() {
  m_.Membar(Barrier::kRelease);  // done reading the ring before saying so
  idle_.Store(kCuGone);
}

void Fxp::RuMain() {
  // The receive unit: frame n goes into descriptor n % kRxRing once the
  // driver gave that descriptor back.
  for (int n = 0; n < config_.frames; ++n) {
    Shared<int>& status = *rx_status_[n % kRxRing];
    while (status.Load() != kRxEmpty) status.SpinWhile(kRxComplete);
    m_.Membar(Barrier::kAcquire);  // the buffer is ours: write it after
    rx_data_[n % kRxRing]->Store(FrameId(n));  // DMA write of the frame
    m_.Membar(Barrier::kProducer);  // PCI ordering: frame, then status,
    status.Store(kRxComplete);
    m_.Membar(Barrier::kProducer);  // then the interrupt status
    for (;;) {
      const int isr = isr_.Load();
      if (isr_.Cas(isr, isr | kIsrRx)) break;
    }
    m_.SendIpi(n % config_.driver_cpus, line_);
  }
}

}  // namespace smp::fxp
