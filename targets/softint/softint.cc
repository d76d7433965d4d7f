#include "targets/softint/softint.h"

#include "core/lockdep.h"
#include "targets/spl/ipl.h"

namespace smp::softint {
namespace {
constexpr const char* kLevelNames[kSoftLevels] = {"softclock", "softbio",
                                                  "softnet", "softserial"};
}  // namespace

Softints::Softints(Machine& m, Policy policy, Bugs bugs)
    : Softints(m, nullptr, policy, bugs) {}

Softints::Softints(Machine& m, spl::Spl& spl, Policy policy, Bugs bugs)
    : Softints(m, &spl, policy, bugs) {}

Softints::Softints(Machine& m, spl::Spl* spl, Policy policy, Bugs bugs)
    : m_(m),
      spl_(spl),
      policy_(policy),
      bugs_(bugs),
      giant_owner_(m, "kernel_lock.owner"),
      giant_depth_(m, "kernel_lock.depth"),
      giant_id_(m.AddLock("kernel_lock", giant_owner_)) {
  if (Lockdep* ld = Lockdep::Of(m)) {
    LockClass giant;
    giant.recursive = true;
    ld->Declare(giant_id_, giant);
  }
  for (int cpu = 0; cpu < m.num_cpus(); ++cpu) {
    pending_.push_back(std::make_unique<Shared<uint32_t>>(
        m, "softint.pending.cpu" + std::to_string(cpu)));
    m.MarkAtomic(*pending_.back());
  }
  for (int l = 0; l < kSoftLevels; ++l) {
    const SoftLevel level = static_cast<SoftLevel>(l);
    auto dispatch = [this, level] { Dispatch(level); };
    line_[l] = spl != nullptr
                   ? spl->EstablishSoft(kLevelNames[l], MachineLevel(level), dispatch)
                   : m.AddSoftLine(kLevelNames[l], MachineLevel(level), dispatch);
    level_lock_.push_back(
        std::make_unique<Shared<int>>(m, std::string(kLevelNames[l]) + ".lock"));
    level_lock_id_[l] = m.AddLock(std::string(kLevelNames[l]) + ".lock", *level_lock_.back());
  }
}

int Softints::softint_establish(SoftLevel level, bool mpsafe, std::string name,
                                std::function<void()> func) {
  handlers_.push_back(Handler{level, mpsafe, std::move(name), std::move(func)});
  return static_cast<int>(handlers_.size()) - 1;
}

void Softints::SetPending(int cpu, int cookie, Loc loc) {
  Shared<uint32_t>& p = *pending_[cpu];
  for (;;) {
    const uint32_t old = p.Load(loc);
    if (p.Cas(old, old | (1u << cookie), loc)) return;
  }
}

bool Softints::ClearPending(int cpu, int cookie, Loc loc) {
  Shared<uint32_t>& p = *pending_[cpu];
  for (;;) {
    const uint32_t old = p.Load(loc);
    if ((old & (1u << cookie)) == 0) return false;
    if (p.Cas(old, old & ~(1u << cookie), loc)) return true;
  }
}

void Softints::softint_schedule(int cookie, Loc loc) {
  SetPending(m_.cpu(), cookie, loc);
  m_.SendIpi(m_.cpu(), line_[handlers_[cookie].level], loc);
}

void Softints::softint_schedule_cpu(int cookie, int cpu, Loc loc) {
  if (!bugs_.no_producer_barrier) m_.Membar(Barrier::kProducer, loc);
  SetPending(cpu, cookie, loc);
  m_.SendIpi(cpu, line_[handlers_[cookie].level], loc);
}

int Softints::RaiseVm(Loc loc) {
  if (spl_ != nullptr) return static_cast<int>(spl_->splvm(loc));
  const int old = m_.mask();
  if (old < spl::kLevelVm) m_.SetMask(spl::kLevelVm, loc);
  return old;
}

void Softints::Restore(int s, Loc loc) {
  if (spl_ != nullptr) {
    spl_->splx(static_cast<spl::SplMask>(s), loc);
  } else if (s < spl::kLevelVm) {
    m_.SetMask(s, loc);
  }
}

void Softints::KernelLock(Loc loc) {
  // At IPL_VM around the owner and depth updates: an interrupt on this
  // CPU that re-enters must never see the lock owned with a stale depth.
  const int me = m_.cpu() + 1;
  int s = RaiseVm(loc);
  if (giant_owner_.Load(loc) == me) {  // recursive on this CPU
    giant_depth_.Store(giant_depth_.Load(loc) + 1, loc);
    Restore(s, loc);
    return;
  }
  for (;;) {
    const Word owner = m_.Cas(giant_owner_, 0, static_cast<Word>(me), loc,
                              Order::kAcquire);
    if (owner == 0) break;
    Restore(s, loc);  // spin with interrupts serviceable
    // On the owner the CAS saw: it may have let go meanwhile.
    giant_owner_.SpinWhile(static_cast<int>(owner), loc);
    s = RaiseVm(loc);
  }
  m_.LockAcquired(giant_id_, loc);
  giant_depth_.Store(1, loc);
  Restore(s, loc);
}

void Softints::KernelUnlock(Loc loc) {
  const int s = RaiseVm(loc);
  const int depth = giant_depth_.Load(loc);
  giant_depth_.Store(depth - 1, loc);
  if (depth == 1) {
    m_.LockReleased(giant_id_, loc);
    giant_owner_.StoreRelease(0, loc);
  }
  Restore(s, loc);
}

void Softints::Dispatch(SoftLevel level) {
  const int cpu = m_.cpu();
  Shared<int>& lock = *level_lock_[level];
  if (policy_ == Policy::kOrdered) {
    while (!lock.CasAcquire(0, 1)) lock.SpinWhile(1);
    m_.LockAcquired(level_lock_id_[level]);
  }
  for (;;) {
    // The lowest pending handler of this level on this CPU.
    const uint32_t pending = pending_[cpu]->Load();
    int cookie = -1;
    for (int i = 0; i < static_cast<int>(handlers_.size()); ++i) {
      if ((pending >> i & 1) && handlers_[i].level == level) {
        cookie = i;
        break;
      }
    }
    if (cookie < 0) break;
    if (!bugs_.clear_after_run) ClearPending(cpu, cookie, Loc::Here());
    const Handler& h = handlers_[cookie];
    const bool giant = !h.mpsafe && !bugs_.giant_not_taken;
    if (giant) KernelLock();
    h.func();
    if (giant) KernelUnlock();
    if (bugs_.clear_after_run) ClearPending(cpu, cookie, Loc::Here());
  }
  if (policy_ == Policy::kOrdered) {
    lock.StoreRelease(0);
    m_.LockReleased(level_lock_id_[level]);
  }
}

}  // namespace smp::softint
