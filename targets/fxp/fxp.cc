#include "targets/fxp/fxp.h"

namespace smp::fxp {

Fxp::Fxp(Machine& m, Bugs bugs, int nic_cpu, int packets)
    : m_(m),
      bugs_(bugs),
      lock_word_(m, "fxp0.lock"),
      lock_(m.AddLock("fxp0_mtx", lock_word_)),
      prod_(m, "fxp0.tx_prod"),
      reclaim_(m, "fxp0.tx_reclaim"),
      running_(m, "fxp0.running", 1),
      isr_(m, "fxp0.isr"),
      completed_(m, "fxp0.completed"),
      sent_(m, "nic.sent"),
      doorbell_(m, "fxp0.doorbell"),
      abort_(m, "fxp0.cu_abort"),
      idle_(m, "fxp0.cu_idle"),
      config_(m, "fxp0.config"),
      packets_(packets) {
  m.MarkAtomic(doorbell_);
  m.MarkAtomic(abort_);
  m.MarkAtomic(idle_);
  m.MarkAtomic(running_);  // IFF_RUNNING: a flag
  for (int i = 0; i < kRing; ++i) {
    status_.push_back(std::make_unique<Shared<int>>(m, "cb" + std::to_string(i) + ".status"));
    // Descriptor status words are how driver and device hand blocks over:
    // synchronisation variables, ordered by the barriers around them.
    m.MarkAtomic(*status_.back());
    data_.push_back(std::make_unique<Shared<int>>(m, "cb" + std::to_string(i) + ".data"));
  }
  for (int i = 0; i < packets; ++i) {
    wire_.push_back(std::make_unique<Shared<int>>(m, "wire" + std::to_string(i)));
  }
  m.MarkAtomic(isr_);  // a device register
  line_ = m.AddLine("fxp0", kNetLevel, [this] { fxp_intr(); });
  tx_done_ = m.AddChannel("fxp0.tx_done");
  m.AddThread("nic", nic_cpu, [this] { NicMain(); });
}

void Fxp::Lock(Loc loc) {
  // mutex_spin_enter: raise to the lock's IPL first, then spin.
  const int old = m_.mask();
  if (old < kNetLevel) m_.SetMask(kNetLevel, loc);
  while (!lock_word_.CasAcquire(0, 1, loc)) lock_word_.SpinWhile(1, loc);
  m_.LockAcquired(lock_, loc);
  saved_mask_[m_.cpu()] = old;
}

void Fxp::Unlock(Loc loc) {
  const int old = saved_mask_[m_.cpu()];
  lock_word_.StoreRelease(0, loc);
  m_.LockReleased(lock_, loc);
  if (old < kNetLevel) m_.SetMask(old, loc);
}

void Fxp::fxp_init(Loc loc) {
  Lock(loc);
  fxp_init_locked(loc);
  Unlock(loc);
}

void Fxp::fxp_init_locked(Loc loc) {
  // Reprogram the chip's configuration (the receive filter, say) and mark
  // the interface running. The ring is left to the blocks in flight.
  config_.Store(config_.Load(loc) + 1, loc);
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
  // bus_dmamap_sync(POSTREAD): block status is read after the ISR said so.
  m_.Membar(Barrier::kConsumer);
  if ((isr & kIsrTx) != 0 && running_.Load() != 0) {
    // Reclaim finished blocks.
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
    m_.Unpark(tx_done_);
  }
  Unlock(Loc::Here());
}

void Fxp::fxp_stop(Loc loc) {
  if (!bugs_.stop_without_lock) Lock(loc);
  running_.Store(0, loc);
  abort_.Store(1, loc);  // CU abort: the device stops...
  m_.Membar(Barrier::kProducer, loc);  // (the abort before the bell)
  doorbell_.FetchAdd(1, loc);
  while (idle_.Load(loc) == 0) idle_.SpinWhile(0, loc);  // ...and says so
  m_.Membar(Barrier::kAcquire, loc);
  // Tear the ring down: the device is done with it, and fxp_intr is not in
  // the middle of reclaiming it, which the lock (the handler takes it)
  // guarantees.
  for (int i = 0; i < kRing; ++i) data_[i]->Store(-1, loc);
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
  // The device: transmit blocks in ring order as they are handed over,
  // until `packets_` went out or the driver aborts the command unit.
  for (int n = 0; n < packets_; ++n) {
    Shared<int>& status = *status_[n % kRing];
    for (;;) {
      const int bell = doorbell_.Load();
      m_.Membar(Barrier::kConsumer);  // what the bell announced, not older
      if (abort_.Load() != 0) {
        Idle();
        return;
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
    m_.SendIpi(n % (m_.num_cpus() - 1), line_);  // alternate driver CPUs
  }
  Idle();
}

void Fxp::Idle() {
  m_.Membar(Barrier::kRelease);  // done reading the ring before saying so
  idle_.Store(1);
}

}  // namespace smp::fxp
