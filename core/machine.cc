#include "core/machine.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "core/cell.h"
#include "core/report.h"

namespace smp {
namespace {

// The engine's own invariants: always checked, never a verdict.
#define SMP_CHECK(cond)                                                    \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "smpfuzz: internal check failed: %s (%s:%d)\n", \
                   #cond, __FILE__, __LINE__);                             \
      std::abort();                                                        \
    }                                                                      \
  } while (0)

}  // namespace

Machine::Machine(FiberPool& pool, Scheduler& scheduler, const Options& options)
    : pool_(pool),
      scheduler_(scheduler),
      num_cpus_(std::clamp(options.num_cpus, 1, kMaxCpus)),
      max_steps_(options.max_steps),
      record_(options.record),
      switches_(options.switches),
      observe_drains_(options.observe_drains),
      block_hook_(options.block_hook),
      site_barriers_(options.site_barriers != nullptr &&
                             !options.site_barriers->empty()
                         ? options.site_barriers
                         : nullptr),
      forbidden_(options.forbidden != nullptr && !options.forbidden->empty()
                     ? options.forbidden
                     : nullptr),
      memory_(options.memory_model, options.enter_meaning,
              std::clamp(options.num_cpus, 1, kMaxCpus)) {
  choices_.reserve(64);
  picks_.reserve(256);
  cells_.reserve(32);
}

Machine::~Machine() {
  // Return every stack, including those of contexts abandoned mid-run.
  for (Context& c : contexts_) {
    if (c.fiber != nullptr) pool_.Release(c.fiber);
  }
  for (Fiber* f : dead_fibers_) pool_.Release(f);
}

// ---------------------------------------------------------------------------
// Declarations

int Machine::AddThread(std::string name, int cpu, std::function<void()> body) {
  SMP_CHECK(!running_);
  SMP_CHECK(cpu == kAnyCpu || (cpu >= 0 && cpu < num_cpus_));
  threads_.push_back(Thread{std::move(name), cpu, std::move(body)});
  return static_cast<int>(threads_.size()) - 1;
}

int Machine::AddLine(std::string name, int level, std::function<void()> handler) {
  SMP_CHECK(!running_);
  SMP_CHECK(lines_.size() < kMaxLines);
  SMP_CHECK(level >= 1 && level <= kMaxLevel);
  lines_.push_back(Line{std::move(name), level, std::move(handler)});
  const int id = static_cast<int>(lines_.size()) - 1;
  for (int m = 0; m < level; ++m) above_[m] |= uint64_t{1} << id;
  return id;
}

int Machine::AddSoftLine(std::string name, int level,
                         std::function<void()> handler) {
  const int id = AddLine(std::move(name), level, std::move(handler));
  lines_[id].soft = true;
  return id;
}

void Machine::AddSource(int line, uint32_t count, uint32_t cpu_mask) {
  SMP_CHECK(!running_);
  SMP_CHECK(line >= 0 && line < static_cast<int>(lines_.size()));
  cpu_mask &= (num_cpus_ >= 32 ? ~0u : (1u << num_cpus_) - 1);
  SMP_CHECK(cpu_mask != 0);
  sources_.push_back(Source{line, count, cpu_mask});
  raises_left_ += count;
}

int Machine::AddChannel(std::string name) {
  channels_.push_back(Channel{std::move(name)});
  return static_cast<int>(channels_.size()) - 1;
}

int Machine::AddLock(std::string name, const CellBase& cell) {
  locks_.push_back(Lock{std::move(name), cell.id()});
  const int id = static_cast<int>(locks_.size()) - 1;
  cells_[cell.id()].lock = id;
  return id;
}

void Machine::MarkAtomic(const CellBase& cell) { cells_[cell.id()].atomic = true; }

int Machine::RegisterCell(std::string name, CellBase* cell) {
  cells_.push_back(CellInfo{std::move(name), cell});
  memory_.AddCell(cell->value_);
  return static_cast<int>(cells_.size()) - 1;
}

// ---------------------------------------------------------------------------
// Running

thread_local Machine* Machine::t_running_ = nullptr;

Verdict Machine::Run() {
  SMP_CHECK(!running_);
  running_ = true;
  Machine* const outer = t_running_;
  t_running_ = this;
  for (size_t i = 0; i < threads_.size(); ++i) {
    Thread& t = threads_[i];
    t.ctx = NewContext(CtxKind::kThread, static_cast<int>(i), t.cpu, 0);
    if (t.cpu == kAnyCpu) {
      global_runq_.push_back(t.ctx);
    } else {
      cpus_[t.cpu].runq.push_back(t.ctx);
      Refresh(t.cpu);
    }
  }
  priming_ = true;
  for (Thread& t : threads_) {
    if (t.cpu == kAnyCpu) continue;
    current_ = t.ctx;
    pool_.SwitchTo(pool_.main(), t.ctx->fiber);
  }
  priming_ = false;
  current_ = nullptr;
  Context* first = over_ ? nullptr : Decide();
  if (first != nullptr) {
    current_ = first;
    pool_.SwitchTo(pool_.main(), first->fiber);
  }
  // Back on the main fiber: the execution is over.
  current_ = nullptr;
  SMP_CHECK(over_);
  if (!has_verdict_ && !pruned_ && final_check_) final_check_();
  if (!has_verdict_) SetVerdict(VerdictKind::kClean, "", "clean");
  if (record_) trace_.verdict = verdict_;
  t_running_ = outer;
  return verdict_;
}

Machine::Context* Machine::NewContext(CtxKind kind, int obj, int cpu,
                                      int level) {
  Context& c = contexts_.emplace_back();
  c.id = static_cast<uint16_t>(contexts_.size() - 1);
  c.kind = kind;
  c.obj = static_cast<int16_t>(obj);
  c.cpu = static_cast<int8_t>(cpu);
  c.level = static_cast<uint8_t>(level);
  c.machine = this;
  c.fiber = pool_.Acquire(&Machine::ContextMain, &c);
  return &c;
}

void Machine::ContextMain(void* arg) {
  auto* ctx = static_cast<Context*>(arg);
  ctx->machine->RunBody(ctx);
}

void Machine::Primed() {
  Context* self = current_;
  current_ = nullptr;
  pool_.SwitchTo(self->fiber, pool_.main());
  // Resumed by the first decision that runs this thread.
}

void Machine::RunBody(Context* ctx) {
  ctx->started = true;
  Rec(Op::kStart, ctx->obj, 0, 0, Loc{"", 0});
  if (!observers_.empty()) {
    int interrupted = -1;
    if (ctx->kind != CtxKind::kThread) {
      const Cpu& c = cpus_[ctx->cpu];
      for (size_t i = 0; i < c.stack.size(); ++i) {
        if (c.stack[i] != ctx) continue;
        const Context* below = i > 0 ? c.stack[i - 1] : c.thread;
        if (below != nullptr) interrupted = below->id;
      }
    }
    Notify([&](Observer* o, const Actor& who) {
      o->OnContextStart(*this, who, interrupted);
    });
  }
  if (ctx->kind == CtxKind::kThread) {
    threads_[ctx->obj].body();
  } else {
    lines_[ctx->obj].handler();
  }
  FinishContext(ctx);
}

void Machine::FinishContext(Context* ctx) {
  if (!observers_.empty()) {
    const Actor who = CurrentActor();
    for (Observer* o : observers_) o->OnContextEnd(*this, who);
  }
  Cpu& c = cpus_[ctx->cpu];
  if (priming_) {
    // A thread with no scheduling point at all: it never needs its CPU.
    Rec(Op::kEnd, ctx->obj, 0, 0, Loc{"", 0});
    c.runq.erase(std::find(c.runq.begin(), c.runq.end(), ctx));
    Refresh(ctx->cpu);
    ctx->state = CtxState::kDone;
    dead_fibers_.push_back(ctx->fiber);
    ctx->fiber = nullptr;
    current_ = nullptr;
    pool_.SwitchTo(dead_fibers_.back(), pool_.main(), /*from_is_dying=*/true);
    std::abort();
  }
  Rec(Op::kEnd, ctx->obj, 0, 0, Loc{"", 0});
  if (ctx->kind == CtxKind::kThread) {
    SMP_CHECK(c.thread == ctx && c.stack.empty());
    c.thread = nullptr;
  } else {
    SMP_CHECK(!c.stack.empty() && c.stack.back() == ctx);
    c.stack.pop_back();
    c.mask = ctx->saved_mask;
    c.in_service &= ~(uint64_t{1} << ctx->obj);
  }
  ctx->state = CtxState::kDone;
  Refresh(ctx->cpu);
  Context* next = Decide();
  // The fiber is reusable only once we are off it: Decide() above may have
  // acquired fibers for new contexts, and must not have been handed this one.
  dead_fibers_.push_back(ctx->fiber);
  ctx->fiber = nullptr;
  Fiber* self = dead_fibers_.back();
  if (next == nullptr) {
    current_ = nullptr;
    pool_.SwitchTo(self, pool_.main(), /*from_is_dying=*/true);
  } else {
    current_ = next;
    pool_.SwitchTo(self, next->fiber, /*from_is_dying=*/true);
  }
  std::abort();  // a dead context is never resumed
}

void Machine::SwitchFrom(Context* from, Context* to, bool dying) {
  if (to == nullptr) EndFromContext();
  current_ = to;
  pool_.SwitchTo(from->fiber, to->fiber, dying);
  // Resumed: whoever switched here set current_ to us.
}

void Machine::EndFromContext() {
  Fiber* self = current_->fiber;
  current_ = nullptr;
  pool_.SwitchTo(self, pool_.main());
  std::abort();  // abandoned contexts are never resumed
}

uint32_t Machine::CollectChoices() {
  choices_.clear();
  if (forbidden_ != nullptr && memory_.buffered() != 0) {
    // Delayed stores whose barrier or RMW drained what they waited for.
    for (int k = 0; k < num_cpus_; ++k) DrainLate(k);
  }
#ifndef NDEBUG
  for (int k = 0; k < num_cpus_; ++k) {
    SMP_CHECK(CpuRunnable(k) == ((runnable_ >> k) & 1));
  }
#endif
  for (uint32_t bits = runnable_; bits != 0; bits &= bits - 1) {
    choices_.push_back(Choice{ChoiceKind::kRun,
                              static_cast<uint8_t>(__builtin_ctz(bits)), 0});
  }
  if (!global_runq_.empty()) {
    // In thread-id order, whatever order they became runnable in.
    std::vector<uint16_t> ids;
    for (const Context* t : global_runq_) ids.push_back(t->obj);
    std::sort(ids.begin(), ids.end());
    for (int k = 0; k < num_cpus_; ++k) {
      const Cpu& c = cpus_[k];
      if (c.thread != nullptr || !c.stack.empty() || !c.runq.empty()) continue;
      for (uint16_t id : ids) {
        choices_.push_back(Choice{ChoiceKind::kPlace, static_cast<uint8_t>(k), id});
      }
    }
  }
  for (size_t s = 0; s < sources_.size() && raises_left_ != 0; ++s) {
    if (sources_[s].remaining == 0) continue;
    for (int k = 0; k < num_cpus_; ++k) {
      if (sources_[s].cpu_mask & (1u << k)) {
        choices_.push_back(Choice{ChoiceKind::kRaise, static_cast<uint8_t>(k),
                                  static_cast<uint16_t>(s)});
      }
    }
  }
  if (memory_.buffered() != 0 || drained_early_ != 0) {
    for (int k = 0; k < num_cpus_; ++k) {
      if (forbidden_ != nullptr) {
        // The recorded execution's buffer: its entries drained early here
        // are offered too (a no-op), delayed ones are not (they drain on
        // their own), and a drain of a store that may not pass an earlier
        // one yet is offered too (DrainChosen delays it, or drains the
        // earlier one first). Choice::observed is not filled in here.
        memory_.Drainable(k, &drainable_);
        const std::vector<Slot>& slots = slots_[k];
        int index = 0, slot = 0;
        size_t next = 0;
        for (const Slot state : slots) {
          if (state != Slot::kLate) {
            bool offered = state == Slot::kEarly;
            if (!offered) {
              while (next < drainable_.size() && drainable_[next] < index) ++next;
              offered = next < drainable_.size() && drainable_[next] == index;
            }
            if (offered) {
              choices_.push_back(Choice{ChoiceKind::kDrain, static_cast<uint8_t>(k),
                                        static_cast<uint16_t>(slot)});
            }
            ++slot;
          }
          if (state != Slot::kEarly) ++index;
        }
        continue;
      }
      memory_.Drainable(k, &drainable_);
      if (drainable_.empty()) continue;
      // Entry i counts as observed when it or any younger entry is: the
      // younger ones may have to drain after it (FIFO under TSO, barriers
      // and same-cell order under PSO).
      if (observe_drains_) {
        const std::vector<Memory::Entry>& buffer = memory_.buffer(k);
        observed_.assign(buffer.size(), false);
        bool behind = false;
        for (size_t j = buffer.size(); j-- > 0;) {
          behind = behind || ObservedElsewhere(k, buffer[j].cell);
          observed_[j] = behind;
        }
      }
      for (int i : drainable_) {
        choices_.push_back(Choice{ChoiceKind::kDrain, static_cast<uint8_t>(k),
                                  static_cast<uint16_t>(i),
                                  observe_drains_ && observed_[i]});
      }
    }
  }
  return static_cast<uint32_t>(choices_.size());
}

namespace {

BlockEnd EndOf(const internal::Context* c) {
  BlockEnd b;
  b.ctx = c->id;
  b.cpu = c->cpu;
  // A context that has not started yet has no pending operation: its
  // first block is its start.
  b.op = c->started ? c->pending_op : PointOp::kOther;
  b.cell = c->started ? c->pending_cell : -1;
  b.runnable = c->state == CtxState::kRunnable;
  return b;
}

}  // namespace

Machine::Context* Machine::DecideHooked() {
  BlockEnd ended;
  if (current_ != nullptr && !over_) {
    ended = EndOf(current_);
    if (!block_hook_->OnBlockEnd()) {
      over_ = true;
      pruned_ = true;
      return nullptr;
    }
  }
  Context* next = DecideNext();
  if (next != nullptr) block_hook_->OnBlockBegin(ended, EndOf(next));
  return next;
}

Machine::Context* Machine::DecideNext() {
  for (;;) {
    if (over_) return nullptr;
    if (++step_ > max_steps_) {
      SetVerdict(VerdictKind::kHang,
                 "hang: " + std::to_string(max_steps_) +
                     " steps without reaching quiescence (livelock, or a "
                     "scenario needing a larger step budget)",
                 "hang");
      over_ = true;
      return nullptr;
    }
    const Choice* choices;
    uint32_t n;
    if (raises_left_ == 0 && global_runq_.empty() && memory_.buffered() == 0) {
      // The common case: only "run CPU k" choices, straight from the bits.
#ifndef NDEBUG
      for (int k = 0; k < num_cpus_; ++k) {
        SMP_CHECK(CpuRunnable(k) == ((runnable_ >> k) & 1));
      }
#endif
      n = 0;
      for (uint32_t bits = runnable_; bits != 0; bits &= bits - 1) {
        run_only_[n++] = Choice{ChoiceKind::kRun,
                                static_cast<uint8_t>(__builtin_ctz(bits)), 0};
      }
      choices = run_only_;
    } else {
      n = CollectChoices();
      choices = choices_.data();
    }
    if (n == 0) {
      Quiesce();
      over_ = true;
      return nullptr;
    }
    uint32_t pick = 0;
    if (n > 1) {  // Ask(), by hand: this is the hottest line of the machine
      pick = scheduler_.Pick(choices, n, current_ != nullptr ? current_->cpu : -1);
      SMP_CHECK(pick < n);
      picks_.push_back(pick);
      if (record_) trace_.choices.push_back(choices[pick]);
      decision_hash_ =
          (decision_hash_ ^ (uint64_t{n} << 32 | pick)) * 0x100000001b3ULL;
    }
    const Choice ch = choices[pick];
    switch (ch.kind) {
      case ChoiceKind::kRun:
        return EnterCpu(ch.cpu);
      case ChoiceKind::kPlace: {
        Context* t = threads_[ch.arg].ctx;
        global_runq_.erase(
            std::find(global_runq_.begin(), global_runq_.end(), t));
        Cpu& c = cpus_[ch.cpu];
        c.thread = t;
        t->cpu = static_cast<int8_t>(ch.cpu);
        Refresh(ch.cpu);
        NotifyPlaced(t);
        if (record_) {
          Context* saved = current_;
          current_ = t;
          Rec(Op::kPlace, t->obj, ch.cpu, 0, Loc{"", 0});
          current_ = saved;
        }
        return t;
      }
      case ChoiceKind::kRaise: {
        Source& s = sources_[ch.arg];
        --s.remaining;
        --raises_left_;
        cpus_[ch.cpu].pending |= uint64_t{1} << s.line;
        Refresh(ch.cpu);
        Rec(Op::kRaise, s.line, ch.cpu, 0, Loc{"", 0});
        continue;  // asserting a line is not running anything: pick again
      }
      case ChoiceKind::kDrain:
        if (forbidden_ != nullptr) {
          DrainChosen(ch.cpu, ch.arg);
        } else {
          Drain(ch.cpu, ch.arg);
        }
        continue;  // the memory system acted, no CPU ran: pick again
      case ChoiceKind::kReadFrom:
        SMP_CHECK(false);
    }
  }
}

uint32_t Machine::Ask(const Choice* choices, uint32_t n) {
  const uint32_t pick =
      scheduler_.Pick(choices, n, current_ != nullptr ? current_->cpu : -1);
  SMP_CHECK(pick < n);
  picks_.push_back(pick);
  if (record_) trace_.choices.push_back(choices[pick]);
  decision_hash_ =
      (decision_hash_ ^ (uint64_t{n} << 32 | pick)) * 0x100000001b3ULL;
  return pick;
}

Machine::Context* Machine::EnterCpuSlow(int k) {
  Cpu& c = cpus_[k];
  if (uint64_t d = Deliverable(c)) {
    // Highest level first; among equals, the lowest line id.
    int best = -1;
    for (uint64_t bits = d; bits != 0; bits &= bits - 1) {
      const int i = __builtin_ctzll(bits);
      if (best < 0 || lines_[i].level > lines_[best].level) best = i;
    }
    const uint64_t bit = uint64_t{1} << best;
    c.pending &= ~bit;
    c.in_service |= bit;
    Line& line = lines_[best];
    ++line.deliveries;
    Context* h = NewContext(line.soft ? CtxKind::kSoftIntr : CtxKind::kHardIntr,
                            best, k, line.level);
    h->saved_mask = c.mask;
    c.mask = line.level;
    c.stack.push_back(h);
    Refresh(k);
    return h;
  }
  Context* top = c.Top();
  if (top != nullptr) return top;
  Context* t = c.runq.front();
  c.runq.erase(c.runq.begin());  // a handful of threads: cheaper than a deque
  c.thread = t;
  t->cpu = static_cast<int8_t>(k);
  Refresh(k);
  NotifyPlaced(t);
  return t;
}

// ---------------------------------------------------------------------------
// Operations

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
          "mask lowered below the handler's own level: " + Describe(current_) +
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

void Machine::FenceSlow(Barrier kind, Loc loc) {
  Notify([&](Observer* o, const Actor& who) { o->OnBarrier(*this, who, kind, loc); });
  if (memory_.weak() && memory_.Fence(current_->cpu, kind)) {
    const int cpu = current_->cpu;
    while (!memory_.buffer(cpu).empty()) Drain(cpu, 0);
  }
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

inline void Machine::CellWritten(const CellBase& cell) {
  if (__builtin_expect(cell.waiters_ != 0, false)) WakeSpinners(cell);
}

void Machine::WakeSpinners(const CellBase& cell) {
  size_t kept = 0;
  for (Context* s : spinners_) {
    if (s->wait_cell == &cell && cell.value_ != s->wait_value) {
      Wake(s);
    } else {
      spinners_[kept++] = s;
    }
  }
  spinners_.resize(kept);
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

Actor Machine::ActorOf(const Context* c) const {
  const Cpu& cpu = cpus_[c->cpu];
  Actor a;
  a.ctx = c->id;
  a.cpu = c->cpu;
  a.kind = c->kind;
  a.level = c->level;
  a.obj = c->obj;
  a.mask = cpu.mask;
  a.intr_enabled = cpu.intr_enabled;
  a.depth = 0;
  for (size_t i = 0; i < cpu.stack.size(); ++i) {
    if (cpu.stack[i] == c) a.depth = static_cast<int>(i) + 1;
  }
  return a;
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

void Machine::Note(std::string text, Loc loc) {
  if (!record_) return;
  trace_.notes.push_back(std::move(text));
  Rec(Op::kNote, static_cast<int>(trace_.notes.size()) - 1, 0, 0, loc);
}

bool Machine::ObservedElsewhere(int cpu, int cell) const {
  if (cells_[cell].cell->waiters_ != 0) return true;
  for (int k = 0; k < num_cpus_; ++k) {
    if (k == cpu) continue;
    const Cpu& c = cpus_[k];
    // Who runs next on k: its top context, or the head of its run queue
    // (a primed thread waits there at its first operation).
    const Context* next = c.Top();
    if (next == nullptr && !c.runq.empty()) next = c.runq.front();
    if (next != nullptr && next->state == CtxState::kRunnable &&
        next->pending_cell == cell) {
      return true;
    }
    for (const Memory::Entry& e : memory_.buffer(k)) {
      if (e.cell == cell) return true;
    }
  }
  // Migratable threads and newly delivered handlers run local code up to
  // their next scheduling point, where their access becomes pending.
  return false;
}

Word Machine::PeekMemory(const CellBase& cell) { return cell.value_; }

Word Machine::Visible(int cpu, const CellBase& cell) const {
  if (memory_.weak()) {
    if (std::optional<Word> own = memory_.Forward(cpu, cell.id_)) return *own;
  }
  return cell.value_;
}

void Machine::Commit(int cpu, CellBase& cell, Word value) {
  cell.value_ = value;
  if (cell.mirror_ != nullptr) cell.Mirror();
  if (memory_.weak()) memory_.Commit(cpu, cell.id_, value);
  CellWritten(cell);
}

void Machine::Drain(int cpu, int index) {
  if (forbidden_ != nullptr) {
    // The entries drained early before it go in the recorded execution
    // too: true of the whole buffer (TSO, barriers) and of a prefix (PSO's
    // store->store barrier); for an RMW's own cell under PSO a guess.
    std::vector<Slot>& slots = slots_[cpu];
    const int pos = PosOfEntry(cpu, index);
    int kept = 0;
    for (int p = 0; p < static_cast<int>(slots.size()); ++p) {
      if (p == pos || (p < pos && slots[p] == Slot::kEarly)) {
        drained_early_ -= slots[p] == Slot::kEarly;
        continue;
      }
      slots[kept++] = slots[p];
    }
    slots.resize(kept);
    if (memory_.buffer(cpu).size() == 1) {  // emptied: so is the recorded one
      for (const Slot state : slots) drained_early_ -= state == Slot::kEarly;
      slots.clear();
    }
  }
  CommitEntry(cpu, index);
}

void Machine::CommitEntry(int cpu, int index) {
  const Memory::Entry e = memory_.Take(cpu, index, record_ ? &reorders_ : nullptr);
  Commit(cpu, *cells_[e.cell].cell, e.value);
  if (record_) {
    Context* saved = current_;
    current_ = nullptr;
    RecSlow(Op::kDrain, e.cell, e.value, static_cast<Word>(cpu), e.loc);
    current_ = saved;
  }
}

void Machine::AccessSlow(const CellBase& cell, AccessKind kind, Loc loc) {
  const Actor who = CurrentActor();
  for (Observer* o : access_observers_) o->OnAccess(*this, who, cell.id_, kind, loc);
}

void Machine::NoteWrite(int cell, Word value, Loc loc, bool rmw) {
  Context* self = current_;
  CellInfo& ci = cells_[cell];
  if (!rmw && self->last_load_cell == cell && ci.writer >= 0 &&
      ci.writer != self->id && ci.write_seq > self->last_load_writes) {
    overwrite_ = Overwrite{cell,         self->id,      self->last_load_value,
                           self->last_load_loc, ci.writer, ci.written,
                           ci.write_loc, value,         loc};
  }
  ++writes_;
  ci.writer = self->id;
  ci.write_seq = writes_;
  ci.written = value;
  ci.write_loc = loc;
  // An atomic read-modify-write read what it overwrote.
  if (rmw) NoteLoad(cell, value, loc);
}

namespace {

bool SameLoc(Loc a, Loc b) {
  return a.line == b.line && std::strcmp(a.file, b.file) == 0;
}

}  // namespace

int Machine::PosOfEntry(int cpu, int index) const {
  const std::vector<Slot>& slots = slots_[cpu];
  for (int p = 0; p < static_cast<int>(slots.size()); ++p) {
    if (slots[p] != Slot::kEarly && index-- == 0) return p;
  }
  SMP_CHECK(false);  // every buffered entry has a slot
  return -1;
}

int Machine::PosOfSlot(int cpu, int slot) const {
  const std::vector<Slot>& slots = slots_[cpu];
  for (int p = 0; p < static_cast<int>(slots.size()); ++p) {
    if (slots[p] != Slot::kLate && slot-- == 0) return p;
  }
  SMP_CHECK(false);  // only offered positions are chosen
  return -1;
}

int Machine::EntryAt(int cpu, int pos) const {
  const std::vector<Slot>& slots = slots_[cpu];
  SMP_CHECK(slots[pos] != Slot::kEarly);
  int index = 0;
  for (int p = 0; p < pos; ++p) index += slots[p] != Slot::kEarly;
  return index;
}

void Machine::DrainEarly(int cpu, int index) {
  std::vector<Slot>& slots = slots_[cpu];
  const int pos = PosOfEntry(cpu, index);
  if (slots[pos] == Slot::kLate) {
    slots.erase(slots.begin() + pos);  // the recorded execution drained it
  } else {
    slots[pos] = Slot::kEarly;
    ++drained_early_;
  }
  CommitEntry(cpu, index);
}

void Machine::DrainChosen(int cpu, int slot) {
  std::vector<Slot>& slots = slots_[cpu];
  const int pos = PosOfSlot(cpu, slot);
  if (slots[pos] == Slot::kEarly) {  // the recorded drain is already done
    slots.erase(slots.begin() + pos);
    --drained_early_;
    return;
  }
  if (const int b = DrainBlocker(cpu, EntryAt(cpu, pos)); b >= 0) {
    // The store may not pass b yet. Either it waits for b (delayed, not
    // dropped: it drains as soon as b has), or b drains first, now: the
    // one whose moving no other agent sees at once. It waits, unless it is
    // seen and b is not.
    const std::vector<Memory::Entry>& buffer = memory_.buffer(cpu);
    if (!ObservedElsewhere(cpu, buffer[EntryAt(cpu, pos)].cell) ||
        ObservedElsewhere(cpu, buffer[b].cell)) {
      slots[pos] = Slot::kLate;
      return;
    }
    // b (and what it may not pass) first, each on its own where it may
    // drain now, else with the buffer before it (the oldest entry may
    // always drain).
    for (int e = b; e >= 0; e = DrainBlocker(cpu, EntryAt(cpu, pos))) {
      memory_.Drainable(cpu, &drainable_);
      const bool alone =
          std::find(drainable_.begin(), drainable_.end(), e) != drainable_.end();
      DrainEarly(cpu, alone ? e : 0);
    }
  }
  const int index = EntryAt(cpu, pos);
  slots.erase(slots.begin() + pos);
  CommitEntry(cpu, index);
  DrainLate(cpu);
}

void Machine::DrainLate(int cpu) {
  std::vector<Slot>& slots = slots_[cpu];
  for (int p = 0; p < static_cast<int>(slots.size());) {
    if (slots[p] != Slot::kLate) {
      ++p;
      continue;
    }
    const int index = EntryAt(cpu, p);
    memory_.Drainable(cpu, &drainable_);
    if (DrainBlocker(cpu, index) >= 0 ||
        std::find(drainable_.begin(), drainable_.end(), index) == drainable_.end()) {
      ++p;
      continue;
    }
    slots.erase(slots.begin() + p);
    CommitEntry(cpu, index);
    p = 0;  // it may have been what an earlier delayed entry waited for
  }
}

int Machine::DrainBlocker(int cpu, int index) const {
  const std::vector<Memory::Entry>& buffer = memory_.buffer(cpu);
  const Memory::Entry& e = buffer[index];
  int blocker = -1;
  for (const Reorder& f : *forbidden_) {
    if (f.kind != Reorder::kStoreStore || f.later_cell != e.cell ||
        !SameLoc(f.later_loc, e.loc)) {
      continue;
    }
    for (int j = 0; j < index && (blocker < 0 || j < blocker); ++j) {
      if (buffer[j].cell == f.earlier_cell && SameLoc(buffer[j].loc, f.earlier_loc)) {
        blocker = j;
        break;
      }
    }
  }
  return blocker;
}

void Machine::DrainBefore(Reorder::Kind kind, int cell, Loc loc) {
  if (forbidden_ == nullptr || !memory_.weak()) return;
  const int cpu = current_->cpu;
  for (const Reorder& f : *forbidden_) {
    if (f.kind != kind || f.later_cell != cell || !SameLoc(f.later_loc, loc)) continue;
    int last = -1;
    const std::vector<Memory::Entry>& buffer = memory_.buffer(cpu);
    for (int j = 0; j < static_cast<int>(buffer.size()); ++j) {
      if (buffer[j].cell == f.earlier_cell && SameLoc(buffer[j].loc, f.earlier_loc)) {
        last = j;
      }
    }
    for (; last >= 0; --last) DrainEarly(cpu, 0);
  }
}

void Machine::SiteFenceSlow(Loc loc, bool after) {
  for (const SiteBarrier& b : *site_barriers_) {
    if (b.after != after || b.site.line != loc.line ||
        std::strcmp(b.site.file, loc.file) != 0) {
      continue;
    }
    Rec(Op::kMembar, static_cast<int>(b.kind), 0, 0, loc);
    Fence(b.kind, loc);
  }
}

Word Machine::Load(const CellBase& cell, Loc loc, Order order) {
  Point(cell.id_, PointOp::kLoad);
  SiteFence(loc);
  Word v;
  if (memory_.weak()) {
    if (forbidden_ != nullptr) DrainBefore(Reorder::kStoreLoad, cell.id_, loc);
    v = WeakLoad(cell, loc);
  } else {
    v = cell.value_;
    Rec(Op::kLoad, cell.id_, v, 0, loc);
    Access(cell, AccessKind::kLoad, loc);
  }
  NoteLoad(cell.id_, v, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
  return v;
}

Word Machine::WeakLoad(const CellBase& cell, Loc loc) {
  const int cpu = current_->cpu;
  if (std::optional<Word> own = memory_.Forward(cpu, cell.id_)) {
    Rec(Op::kLoad, cell.id_, *own, 0, loc);
    Access(cell, AccessKind::kLoad, loc);
    return *own;
  }
  Word values[Memory::kHistory];
  const int n = memory_.Candidates(cpu, cell.id_, values);
  int staleness = 0;
  if (n > 1) {
    Choice choices[Memory::kHistory];
    for (int i = 0; i < n; ++i) {
      choices[i] = Choice{ChoiceKind::kReadFrom, static_cast<uint8_t>(cpu),
                          static_cast<uint16_t>(i)};
    }
    staleness = static_cast<int>(Ask(choices, static_cast<uint32_t>(n)));
  }
  memory_.ObserveRead(cpu, cell.id_, staleness, loc,
                      record_ ? &reorders_ : nullptr);
  Rec(Op::kLoad, cell.id_, values[staleness], static_cast<Word>(staleness), loc);
  Access(cell, AccessKind::kLoad, loc);
  return values[staleness];
}

void Machine::Store(CellBase& cell, Word value, Loc loc, Order order) {
  Point(cell.id_, PointOp::kWrite);
  SiteFence(loc);
  OrderBefore(order, loc);
  NoteWrite(cell.id_, value, loc, /*rmw=*/false);
  if (memory_.weak()) {
    memory_.Buffer(current_->cpu, cell.id_, value, loc);
    if (forbidden_ != nullptr) slots_[current_->cpu].push_back(Slot::kBoth);
    Rec(Op::kStore, cell.id_, value, 1, loc);
    Access(cell, AccessKind::kStore, loc);
    SiteFence(loc, /*after=*/true);
    OrderAfter(order, loc);
    return;
  }
  Rec(Op::kStore, cell.id_, value, 0, loc);
  Commit(current_->cpu, cell, value);
  Access(cell, AccessKind::kStore, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
}

void Machine::DeviceStore(CellBase& cell, Word value, Loc loc) {
  SMP_CHECK(current_ != nullptr);
  Rec(Op::kStore, cell.id_, value, 0, loc);
  NoteWrite(cell.id_, value, loc, /*rmw=*/true);
  Commit(current_->cpu, cell, value);
}

void Machine::DrainForRmw(CellBase& cell) {
  if (!memory_.weak()) return;
  const int cpu = current_->cpu;
  if (memory_.model() == MemoryModel::kTSO) {
    while (!memory_.buffer(cpu).empty()) Drain(cpu, 0);
    return;
  }
  // Stores before the last store->store barrier, then this cell's own.
  for (int n = memory_.BarrierPrefix(cpu); n > 0; --n) Drain(cpu, 0);
  for (int i = memory_.Oldest(cpu, cell.id_); i >= 0;
       i = memory_.Oldest(cpu, cell.id_)) {
    Drain(cpu, i);
  }
}

void Machine::RmwCommit(CellBase& cell, Word value, Loc loc) {
  if (forbidden_ != nullptr) DrainBefore(Reorder::kStoreStore, cell.id_, loc);
  const int cpu = current_->cpu;
  NoteWrite(cell.id_, value, loc, /*rmw=*/true);
  if (record_ && memory_.weak()) {
    // Whatever is still buffered becomes visible after this atomic store.
    for (const Memory::Entry& e : memory_.buffer(cpu)) {
      reorders_.push_back(Reorder{Reorder::kStoreStore, cpu, e.cell, e.loc,
                                  cell.id_, loc});
    }
  }
  Commit(cpu, cell, value);
}

Word Machine::Cas(CellBase& cell, Word expected, Word desired, Loc loc,
                  Order order) {
  Point(cell.id_, PointOp::kWrite);
  SiteFence(loc);
  OrderBefore(order, loc);
  DrainForRmw(cell);
  const Word old = cell.value_;
  if (old == expected) {
    Rec(Op::kCas, cell.id_, old, desired, loc);
    RmwCommit(cell, desired, loc);
  } else {
    if (memory_.weak()) memory_.ObserveRead(current_->cpu, cell.id_, 0, loc, nullptr);
    Rec(Op::kCasFail, cell.id_, old, expected, loc);
    NoteLoad(cell.id_, old, loc);
  }
  Access(cell, AccessKind::kRmw, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
  return old;
}

Word Machine::Swap(CellBase& cell, Word value, Loc loc, Order order) {
  Point(cell.id_, PointOp::kWrite);
  SiteFence(loc);
  OrderBefore(order, loc);
  DrainForRmw(cell);
  const Word old = cell.value_;
  Rec(Op::kSwap, cell.id_, old, value, loc);
  RmwCommit(cell, value, loc);
  Access(cell, AccessKind::kRmw, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
  return old;
}

Word Machine::FetchAdd(CellBase& cell, Word delta, Loc loc, Order order) {
  Point(cell.id_, PointOp::kWrite);
  SiteFence(loc);
  OrderBefore(order, loc);
  DrainForRmw(cell);
  const Word old = cell.value_;
  Rec(Op::kAdd, cell.id_, old, old + delta, loc);
  RmwCommit(cell, old + delta, loc);
  Access(cell, AccessKind::kRmw, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
  return old;
}

namespace {

Word ApplyRmw(RmwOp op, Word old, Word operand, int bytes) {
  const Word mask = bytes >= 8 ? ~Word{0} : (Word{1} << (8 * bytes)) - 1;
  const int shift = 64 - 8 * (bytes >= 8 ? 8 : bytes);
  const auto as_signed = [shift](Word w) {
    return static_cast<int64_t>(w << shift) >> shift;
  };
  Word v = 0;
  switch (op) {
    case RmwOp::kAdd: v = old + operand; break;
    case RmwOp::kSub: v = old - operand; break;
    case RmwOp::kAnd: v = old & operand; break;
    case RmwOp::kOr: v = old | operand; break;
    case RmwOp::kXor: v = old ^ operand; break;
    case RmwOp::kNand: v = ~(old & operand); break;
    case RmwOp::kMax: v = as_signed(old) >= as_signed(operand) ? old : operand; break;
    case RmwOp::kMin: v = as_signed(old) <= as_signed(operand) ? old : operand; break;
    case RmwOp::kUMax: v = (old & mask) >= (operand & mask) ? old : operand; break;
    case RmwOp::kUMin: v = (old & mask) <= (operand & mask) ? old : operand; break;
  }
  return v & mask;
}

}  // namespace

Word Machine::FetchOp(CellBase& cell, RmwOp op, Word operand, int bytes,
                      Loc loc, Order order) {
  Point(cell.id_, PointOp::kWrite);
  SiteFence(loc);
  OrderBefore(order, loc);
  DrainForRmw(cell);
  const Word old = cell.value_;
  const Word value = ApplyRmw(op, old, operand, bytes);
  const bool add = op == RmwOp::kAdd || op == RmwOp::kSub;
  Rec(add ? Op::kAdd : Op::kRmw, cell.id_, old, value, loc);
  RmwCommit(cell, value, loc);
  Access(cell, AccessKind::kRmw, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
  return old;
}

// ---------------------------------------------------------------------------
// Verdicts

void Machine::SetVerdict(VerdictKind kind, std::string message,
                         std::string signature) {
  if (has_verdict_) return;
  has_verdict_ = true;
  verdict_.kind = kind;
  verdict_.message = std::move(message);
  verdict_.signature = std::move(signature);
  verdict_.step = step_;
}

void Machine::Fail(VerdictKind kind, std::string message, std::string signature,
                   Loc loc) {
  if (current_ != nullptr) Rec(Op::kNote, -1, 0, 0, loc);
  // Moved from, the parameters own no memory: nothing leaks when this
  // context's stack is abandoned below.
  SetVerdict(kind, std::move(message), std::move(signature));
  over_ = true;
  if (current_ != nullptr) EndFromContext();
}

void Machine::AssertionFailed(const char* expr, const char* msg, Loc loc) {
  {
    std::string where = LocText(loc);
    std::string who = current_ != nullptr
                          ? " in " + Describe(current_)
                          : std::string(" in the final check");
    SetVerdict(VerdictKind::kAssertion,
               "assertion failed: " + std::string(msg) + " (" + expr + ") at " +
                   where + who + OverwriteText("lost update"),
               "assertion " + std::string(msg) + " @" + where);
  }  // every string destroyed before this stack may be abandoned
  over_ = true;
  if (current_ != nullptr) EndFromContext();
}

std::string Machine::Label(const Context* c) const {
  return ContextLabel(c->kind, c->kind == CtxKind::kThread ? threads_[c->obj].name
                                                         : lines_[c->obj].name);
}

std::string Machine::Describe(const Context* c) const {
  return ContextText(c->kind,
                     c->kind == CtxKind::kThread ? threads_[c->obj].name
                                                 : lines_[c->obj].name,
                     c->level, c->cpu);
}

std::string Machine::OverwriteText(const char* what) const {
  const Overwrite& o = overwrite_;
  if (o.cell < 0) return "";
  const std::string name = "'" + cells_[o.cell].name + "'";
  const std::string by = Describe(&contexts_[o.ctx]);
  const std::string other = Describe(&contexts_[o.other]);
  std::string s = "\n  " + std::string(what) + " on " + name + ": " + by +
                  " read it as " + std::to_string(o.read_value) + " (" +
                  LocText(o.read_loc) + "), " + other + " then wrote " +
                  std::to_string(o.other_value) + " (" + LocText(o.other_loc) +
                  "), and " + by + " stored " + std::to_string(o.stored_value) +
                  " over it (" + LocText(o.store_loc) + ")";
  // A store of a subset of what it read is an acknowledgement or a clear.
  const Word cleared = (o.stored_value & ~o.read_value) == 0
                           ? o.other_value & ~o.read_value & ~o.stored_value
                           : 0;
  if (cleared != 0) {
    char bits[32];
    std::snprintf(bits, sizeof bits, "0x%llx",
                  static_cast<unsigned long long>(cleared));
    s += ", clearing bit(s) " + std::string(bits) + " it never read";
  } else {
    s += ": its read-modify-write was split by that write, which is lost";
  }
  return s + ".";
}

std::string Machine::LastWriteText(int cell) const {
  const CellInfo& ci = cells_[cell];
  std::string s = "\n  it waits on '" + ci.name + "'";
  if (ci.writer < 0) return s + ", which no context ever wrote.";
  return s + "; the last write to it: " + Describe(&contexts_[ci.writer]) +
         " stored " + std::to_string(ci.written) + " (" + LocText(ci.write_loc) +
         ").";
}

void Machine::Quiesce() {
  for (int k = 0; k < num_cpus_; ++k) {
    const Context* top = cpus_[k].Top();
    if (top != nullptr && top->state == CtxState::kSpinning) {
      ReportDeadlock();
      return;
    }
  }
  for (const Thread& t : threads_) {
    const Context* c = t.ctx;
    if (c->state != CtxState::kParked) continue;
    const Channel& ch = channels_[c->chan];
    std::string msg = "lost wakeup: thread " + t.name + " parked on '" +
                      ch.name + "' at " + LocText(c->park_loc) +
                      " and nothing is left to wake it.";
    if (ch.last_unpark_step != 0 && ch.last_unpark_step < c->park_step) {
      msg += "\n  the last unpark of '" + ch.name + "' came before it parked (" +
             LocText(ch.last_unpark_loc) + ", step " +
             std::to_string(ch.last_unpark_step) + " < " +
             std::to_string(c->park_step) + "): that wakeup was lost.";
    } else if (ch.last_unpark_step == 0) {
      msg += "\n  '" + ch.name + "' was never unparked.";
    }
    if (c->park_cell >= 0) msg += LastWriteText(c->park_cell);
    msg += OverwriteText("the last write that discarded a change it never read");
    SetVerdict(VerdictKind::kLostWakeup, msg,
               "lost-wakeup thread " + t.name + " on " + ch.name + " @" +
                   LocText(c->park_loc));
    return;
  }
  for (int k = 0; k < num_cpus_; ++k) {
    const Cpu& c = cpus_[k];
    if (c.pending == 0) continue;
    const int line = __builtin_ctzll(c.pending);
    const std::string why =
        !c.intr_enabled ? "its interrupts were left disabled"
                        : "its priority mask was left at " + std::to_string(c.mask);
    SetVerdict(VerdictKind::kLostWakeup,
               "lost interrupt: line '" + lines_[line].name + "' (level " +
                   std::to_string(lines_[line].level) + ") is pending on CPU" +
                   std::to_string(k) + " but will never be serviced: " + why +
                   " when everything else had finished.",
               "lost-interrupt " + lines_[line].name);
    return;
  }
}

std::string Machine::ScenarioSummary(const std::vector<const Context*>& cycle) const {
  // The lockdep-style picture: one column per CPU of the cycle, first what
  // each context holds, then the interrupt that stacked on it, then what
  // it spins on.
  std::vector<int> cpus;
  for (const Context* c : cycle) {
    if (std::find(cpus.begin(), cpus.end(), c->cpu) == cpus.end()) cpus.push_back(c->cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  ScenarioColumns out(cpus, ScenarioColumns::Heads::kPlain);
  auto column = [&](int cpu) {
    return static_cast<int>(std::find(cpus.begin(), cpus.end(), cpu) - cpus.begin());
  };
  std::vector<const Context*> order(cycle.begin(), cycle.end());
  std::stable_sort(order.begin(), order.end(), [](const Context* a, const Context* b) {
    return a->kind == CtxKind::kThread && b->kind != CtxKind::kThread;
  });
  for (const Context* c : order) {  // what each holds
    for (const Lock& l : locks_) {
      if (l.owner == c) out.Add(column(c->cpu), Label(c) + ": lock(" + l.name + ")");
    }
  }
  for (const Context* c : order) {  // interrupts, then the spins
    if (c->kind != CtxKind::kThread) {
      out.Add(column(c->cpu), "<interrupt " + lines_[c->obj].name + ", level " +
                             std::to_string(c->level) + ">");
    }
  }
  for (const Context* c : order) {
    if (c->state != CtxState::kSpinning || cells_[c->wait_cell->id_].lock < 0) continue;
    out.Add(column(c->cpu), Label(c) + ": lock(" +
                           locks_[cells_[c->wait_cell->id_].lock].name + ") spins");
  }
  return out.Render();
}

void Machine::ReportDeadlock() {
  // What each blocked context waits for: the context directly above it on
  // its CPU (it cannot run until that returns), or the owner of the lock
  // whose cell it spins on.
  auto blocker = [&](const Context* c) -> const Context* {
    const Cpu& cpu = cpus_[c->cpu];
    if (cpu.Top() != c) {
      if (c == cpu.thread) return cpu.stack.front();
      for (size_t i = 0; i + 1 < cpu.stack.size(); ++i) {
        if (cpu.stack[i] == c) return cpu.stack[i + 1];
      }
      return nullptr;
    }
    if (c->state != CtxState::kSpinning) return nullptr;
    const int lock = cells_[c->wait_cell->id_].lock;
    if (lock < 0) return nullptr;
    const Context* owner = locks_[lock].owner;
    return (owner != nullptr && owner->state != CtxState::kDone) ? owner : nullptr;
  };
  auto wait_text = [&](const Context* c) {
    const CellInfo& ci = cells_[c->wait_cell->id_];
    std::string s = "spins on '" + ci.name + "' at " + LocText(c->wait_loc);
    if (ci.lock >= 0) {
      const Lock& l = locks_[ci.lock];
      s += " [lock " + l.name;
      if (l.owner != nullptr) {
        s += ", held by " + Describe(l.owner) + " since " +
             LocText(l.acquired_at);
      }
      s += "]";
    }
    return s;
  };

  std::string msg = "deadlock: no context can make progress\n";
  for (int k = 0; k < num_cpus_; ++k) {
    const Cpu& cpu = cpus_[k];
    msg += "  CPU" + std::to_string(k) + " (mask " + std::to_string(cpu.mask) +
           (cpu.intr_enabled ? "" : ", interrupts off") + "): ";
    std::vector<const Context*> stack;
    if (cpu.thread != nullptr) stack.push_back(cpu.thread);
    stack.insert(stack.end(), cpu.stack.begin(), cpu.stack.end());
    if (stack.empty()) msg += "idle";
    for (size_t i = 0; i < stack.size(); ++i) {
      const Context* c = stack[i];
      if (i > 0) msg += "\n      interrupted by ";
      msg += Label(c);
      if (c->kind != CtxKind::kThread) {
        msg += " (level " + std::to_string(c->level) + ")";
      }
      if (c->state == CtxState::kSpinning) msg += ", " + wait_text(c);
    }
    msg += "\n";
  }

  // Find a cycle: follow blockers from each spinning context in id order.
  std::vector<const Context*> cycle;
  for (const Context& start : contexts_) {
    if (start.state != CtxState::kSpinning) continue;
    std::vector<const Context*> path;
    const Context* c = &start;
    while (c != nullptr &&
           std::find(path.begin(), path.end(), c) == path.end()) {
      path.push_back(c);
      c = blocker(c);
    }
    if (c != nullptr) {
      cycle.assign(std::find(path.begin(), path.end(), c), path.end());
      break;
    }
  }

  std::vector<std::string> sig_parts;
  if (!cycle.empty()) {
    bool one_cpu = true;
    for (const Context* c : cycle) one_cpu &= c->cpu == cycle[0]->cpu;
    msg += one_cpu ? "self-deadlock on CPU" + std::to_string(cycle[0]->cpu) +
                         ": an interrupt handler waits for a lock held by the "
                         "context it interrupted\n"
                   : "wait-for cycle across CPUs:\n";
    for (size_t i = 0; i < cycle.size(); ++i) {
      const Context* c = cycle[i];
      const Context* next = cycle[(i + 1) % cycle.size()];
      if (next->cpu == c->cpu && cpus_[c->cpu].Top() != c) {
        msg += "  " + Describe(c) + " is interrupted by " + Describe(next) + "\n";
        // "interrupted by" edges follow from the lock edges: left out of
        // the signature, so which thread a handler interrupted does not
        // split one bug into several findings.
      } else {
        const Lock& l = locks_[cells_[c->wait_cell->id_].lock];
        msg += "  " + Describe(c) + " waits for lock " + l.name + " held by " +
               Describe(next) + "\n";
        sig_parts.push_back(Label(c) + " >" + l.name);
      }
    }
    std::sort(sig_parts.begin(), sig_parts.end());
    msg += ScenarioSummary(cycle);
    std::string sig = one_cpu ? "deadlock self" : "deadlock cycle";
    for (const std::string& p : sig_parts) sig += " [" + p + "]";
    SetVerdict(VerdictKind::kDeadlock, msg, sig);
    return;
  }
  for (const Context& c : contexts_) {
    if (c.state != CtxState::kSpinning) continue;
    sig_parts.push_back(Label(&c) + " on " + cells_[c.wait_cell->id_].name);
  }
  std::sort(sig_parts.begin(), sig_parts.end());
  msg += "no wait-for cycle: the cells spun on will never change";
  std::string sig = "deadlock stuck";
  for (const std::string& p : sig_parts) sig += " [" + p + "]";
  SetVerdict(VerdictKind::kDeadlock, msg, sig);
}

// ---------------------------------------------------------------------------
// Trace

void Machine::RecSlow(Op op, int obj, Word a, Word b, Loc loc) {
  Event e;
  e.step = static_cast<uint32_t>(step_);
  const Context* c = current_;
  e.ctx = c != nullptr ? c->id : 0xffff;
  e.cpu = c != nullptr && c->cpu >= 0 ? static_cast<uint8_t>(c->cpu) : 0;
  e.op = op;
  e.depth = 0;
  e.mask = 0;
  if (op == Op::kRaise || op == Op::kDrain) {  // not the running context's act
    e.cpu = static_cast<uint8_t>(op == Op::kRaise ? a : b);
    e.ctx = 0xffff;
  } else if (c != nullptr && c->cpu >= 0) {
    const Cpu& cpu = cpus_[c->cpu];
    e.mask = static_cast<uint8_t>(cpu.mask);
    for (size_t i = 0; i < cpu.stack.size(); ++i) {
      if (cpu.stack[i] == c) e.depth = static_cast<uint8_t>(i + 1);
    }
  }
  e.obj = obj;
  e.a = a;
  e.b = b;
  e.file = loc.file;
  e.line = loc.line;
  trace_.events.push_back(e);
  if (obj >= 0 && static_cast<size_t>(obj) < cells_.size() && cells_[obj].pointer) {
    // The words for the addresses this event shows (Trace::symbols).
    const bool has_a = op == Op::kLoad || op == Op::kStore || op == Op::kDrain ||
                       op == Op::kCas || op == Op::kCasFail || op == Op::kSwap ||
                       op == Op::kAdd || op == Op::kRmw || op == Op::kSpin;
    const bool has_b = op == Op::kCas || op == Op::kCasFail || op == Op::kSwap ||
                       op == Op::kAdd || op == Op::kRmw;
    auto note = [this](Word v) {
      if (trace_.symbols.count(v) != 0) return;
      trace_.symbols[v] = extension_ != nullptr ? extension_->DescribeAddress(v)
                                                : std::to_string(v);
    };
    if (has_a) note(a);
    if (has_b) note(b);
  }
}

Trace Machine::TakeTrace() {
  SMP_CHECK(record_);
  Trace t = std::move(trace_);
  t.num_cpus = num_cpus_;
  t.memory_model = memory_.model();
  t.reorders = std::move(reorders_);
  for (const Context& c : contexts_) {
    std::string name = Label(&c);
    if (c.kind != CtxKind::kThread) name += "#" + std::to_string(c.id);
    t.contexts.push_back(TraceContext{std::move(name), c.kind, c.level});
  }
  for (const CellInfo& c : cells_) {
    t.cells.push_back(c.name);
    t.pointer_cells.push_back(c.pointer ? 1 : 0);
  }
  for (const Lock& l : locks_) t.locks.push_back(l.name);
  for (const Line& l : lines_) t.lines.push_back(l.name);
  for (const Channel& c : channels_) t.channels.push_back(c.name);
  return t;
}

}  // namespace smp
