// The Machine's operations of target code other than cell accesses: the
// priority mask, interrupts, IPIs, barriers, yields, spinning, parking and
// unparking, lock annotations, and the observers' view of the running
// context. Each operation is a scheduling point (Point) first.
#include <algorithm>
#include <string>
#include <utility>

#include "core/cell.h"
#include "core/machine.h"
#include "core/machine_internal.h"

namespace smp {

bool Machine::PendingAbove(int level) const {
  if (block_hook_ != nullptr) block_hook_->OnOpaqueRead();
  const Cpu& c = cpus_[current_->cpu];
  return (c.pending & ~c.in_service & above_[std::clamp(level, 0, kMaxLevel)]) != 0;
}

void Machine::SetMask(int level, Loc loc) {
  Point(-1, PointOp::kLocal);
  Cpu& c = cpus_[current_->cpu];
  const int old = c.mask;
  level = std::clamp(level, 0, kMaxLevel);
  if (current_->kind == CtxKind::kHardIntr && level < current_->level) {
    // Reported here, not only through whatever the nested interrupts
    // break later: an IPL misuse, as LOCKDEBUG would panic on it.
    {
      std::string msg =
          "mask lowered below the handler's own level: " + View().Describe(current_) +
          " set the priority mask to " + std::to_string(level) + " at " +
          LocText(loc) + "; until it returns, interrupts of levels " +
          std::to_string(level + 1) + ".." + std::to_string(current_->level) +
          " can nest inside it (an splx to a level saved outside this handler?)";
      std::string sig = "mask-below-level " + lines_[current_->obj].name;
      SetVerdict(VerdictKind::kLockMisuse, std::move(msg), std::move(sig));
    }
    Rec(Op::kSetMask, -1, level, old, loc);
    over_ = true;
    EndFromContext();
  }
  c.mask = level;
  Refresh(current_->cpu);
  Rec(Op::kSetMask, -1, c.mask, old, loc);
}

void Machine::DisableInterrupts(Loc loc) {
  Point(-1, PointOp::kLocal);
  cpus_[current_->cpu].intr_enabled = false;
  Refresh(current_->cpu);
  Rec(Op::kIntrOff, -1, 0, 0, loc);
}

void Machine::EnableInterrupts(Loc loc) {
  Point(-1, PointOp::kLocal);
  cpus_[current_->cpu].intr_enabled = true;
  Refresh(current_->cpu);
  Rec(Op::kIntrOn, -1, 0, 0, loc);
}

void Machine::SendIpi(int cpu, int line, Loc loc) {
  Point();
  SMP_CHECK(cpu >= 0 && cpu < num_cpus_);
  SMP_CHECK(line >= 0 && line < static_cast<int>(lines_.size()));
  cpus_[cpu].pending |= uint64_t{1} << line;
  Refresh(cpu);
  Rec(Op::kIpi, line, cpu, 0, loc);
  Notify([&](Observer* o, const Actor& who) { o->OnIpi(*this, who, cpu, line, loc); });
}

void Machine::Membar(Barrier kind, Loc loc) {
  // Under SC a barrier orders nothing another CPU can tell apart; the race
  // detector's barrier state is the context's own.
  Point(-1, memory_.weak() ? PointOp::kOther : PointOp::kLocal);
  Rec(Op::kMembar, static_cast<int>(kind), 0, 0, loc);
  Fence(kind, loc);
}

void Machine::Yield(Loc loc) {
  Point(-1, PointOp::kLocal);
  Rec(Op::kYield, -1, 0, 0, loc);
}

void Machine::SpinWhile(const CellBase& cell, Word value, Loc loc) {
  // No scheduling point before registering: the caller's load and this
  // registration are one step, as a CPU spinning on a cache line sees every
  // change to it.
  if (priming_) Point(cell.id_);  // a thread does not spin before it runs
  if (block_hook_ != nullptr) block_hook_->OnExtraRead(cell.id_);
  if (Visible(current_->cpu, cell) != value) return;
  Context* self = current_;
  self->state = CtxState::kSpinning;
  Refresh(self->cpu);
  self->wait_cell = &cell;
  self->wait_value = value;
  self->wait_loc = loc;
  ++const_cast<CellBase&>(cell).waiters_;
  spinners_.push_back(self);
  Rec(Op::kSpin, cell.id_, value, 0, loc);
  Point();
  // Resumed: the cell changed (Wake), and the caller re-checks it.
}

void Machine::Wake(Context* ctx) {
  if (block_hook_ != nullptr) block_hook_->OnSpinnerWoken(ctx->cpu);
  ctx->state = CtxState::kRunnable;
  Refresh(ctx->cpu);
  --const_cast<CellBase*>(ctx->wait_cell)->waiters_;
  ctx->wait_cell = nullptr;
}

void Machine::SleepQueueFence() {
  // Sleeping and waking take the sleep queue's lock in a real kernel: a
  // full barrier for this CPU.
  if (!memory_.weak()) return;
  const int cpu = current_->cpu;
  memory_.Fence(cpu, Barrier::kSync);
  while (!memory_.buffer(cpu).empty()) Drain(cpu, 0);
}

void Machine::Park(int chan, Loc loc) {
  Point();
  SleepQueueFence();
  current_->park_cell = current_->last_load_cell;
  ParkNow(chan, loc);
}

bool Machine::ParkWhile(int chan, const CellBase& cell, Word value, Loc loc) {
  Point(cell.id_);
  SleepQueueFence();
  if (cell.value_ != value) return false;
  current_->park_cell = cell.id_;
  ParkNow(chan, loc);
  return true;
}

void Machine::ParkNow(int chan, Loc loc) {
  Context* self = current_;
  Cpu& c = cpus_[self->cpu];
  if (self->kind != CtxKind::kThread) {
    {
      std::string msg = "park in interrupt context: handler '" +
                        lines_[self->obj].name + "' tried to sleep on channel '" +
                        channels_[chan].name + "' at " + LocText(loc);
      std::string sig = "park-in-interrupt " + lines_[self->obj].name;
      SetVerdict(VerdictKind::kLockMisuse, std::move(msg), std::move(sig));
    }
    over_ = true;
    EndFromContext();
  }
  SMP_CHECK(c.thread == self && c.stack.empty());
  if (!observers_.empty()) {
    const Actor who = CurrentActor();
    for (Observer* o : observers_) o->OnPark(*this, who, chan, loc);
  }
  Rec(Op::kPark, chan, 0, 0, loc);
  self->state = CtxState::kParked;
  self->chan = chan;
  self->park_step = step_;
  self->park_loc = loc;
  c.thread = nullptr;
  Refresh(self->cpu);
  Point();
  // Resumed: unparked and scheduled again (maybe on another CPU).
  Notify([&](Observer* o, const Actor& who) { o->OnWake(*this, who, chan); });
}

int Machine::Unpark(int chan, Loc loc) {
  Point();
  SleepQueueFence();
  return WakeParked(chan, -1, loc);
}

int Machine::UnparkOne(int chan, Loc loc) {
  Point();
  SleepQueueFence();
  return WakeParked(chan, 1, loc);
}

int Machine::WakeParked(int chan, int limit, Loc loc) {
  int woken = 0;
  for (Thread& t : threads_) {
    Context* c = t.ctx;
    if (woken == limit) break;
    if (c->state != CtxState::kParked || c->chan != chan) continue;
    c->state = CtxState::kRunnable;
    c->chan = -1;
    if (t.cpu == kAnyCpu) {
      global_runq_.push_back(c);
    } else {
      cpus_[t.cpu].runq.push_back(c);
      Refresh(t.cpu);
    }
    ++woken;
  }
  channels_[chan].last_unpark_step = step_;
  channels_[chan].last_unpark_loc = loc;
  Rec(Op::kUnpark, chan, woken, 0, loc);
  Notify([&](Observer* o, const Actor& who) { o->OnUnpark(*this, who, chan, loc); });
  return woken;
}

void Machine::LockAnnotateSlow(LockOp op, int lock, Loc loc) {
  if (block_hook_ != nullptr) block_hook_->OnLockAnnotation(lock);
  Lock& l = locks_[lock];
  const auto notify = [&] {
    if (observers_.empty()) return;
    const Actor who = CurrentActor();
    for (Observer* o : observers_) o->OnLock(*this, who, op, lock, loc);
  };
  if (op == LockOp::kRelease) {
    // Observers see the release while the lock is still owned.
    notify();
    l.owner = nullptr;
    Rec(Op::kRelease, lock, 0, 0, loc);
    return;
  }
  l.owner = current_;
  l.acquired_at = loc;
  Rec(Op::kAcquire, lock, op == LockOp::kTryAcquire ? 1 : 0, 0, loc);
  notify();
}

}  // namespace smp
