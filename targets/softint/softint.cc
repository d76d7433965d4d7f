#include "targets/softint/softint.h"

#include "core/lockdep.h"

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

void Softints::KernelLock(Loc loc) {
  const int me = m_.cpu() + 1;
  if (giant_owner_.Load(loc) == me) {  // recursive on this CPU
    giant_depth_.Store(giant_depth_.Load(loc) + 1, loc);
    return;
  }
  while (!giant_owner_.CasAcquire(0, me, loc)) giant_owner_.SpinWhile(giant_owner_.Peek(), loc);
  m_.LockAcquired(giant_id_, loc);
  giant_depth_.Store(1, loc);
}

void Softints::KernelUnlock(Loc loc) {
  const int depth = giant_depth_.Load(loc);
  giant_depth_.Store(depth - 1, loc);
  if (depth == 1) {
    giant_owner_.StoreRelease(0, loc);
    m_.LockReleased(giant_id_, loc);
  }
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
