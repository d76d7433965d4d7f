// The Machine's run loop: construction and declarations, contexts on
// fibers, the choices at a scheduling point and the decisions among them,
// interrupt delivery and thread placement, and verdicts (a quiescent
// execution is judged by core/quiescence_report.h).
#include "core/machine.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/cell.h"
#include "core/machine_internal.h"
#include "core/quiescence_report.h"

namespace smp {

Machine::Machine(FiberPool& pool, Scheduler& scheduler, const Options& options,
                 Storage* storage)
    : pool_(pool),
      scheduler_(scheduler),
      num_cpus_(std::clamp(options.num_cpus, 1, kMaxCpus)),
      max_steps_(options.max_steps),
      record_(options.record),
      observe_drains_(options.observe_drains),
      block_hook_(options.block_hook),
      site_barriers_(options.site_barriers != nullptr &&
                             !options.site_barriers->empty()
                         ? options.site_barriers
                         : nullptr),
      forbidden_(options.forbidden != nullptr && !options.forbidden->empty()
                     ? options.forbidden
                     : nullptr),
      storage_(storage) {
  if (storage_ != nullptr) SwapStorage();  // empty containers, with room
  memory_.Reset(options.memory_model, options.enter_meaning, num_cpus_);
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
  if (storage_ == nullptr) return;
  // What the members' destructors would do, in the same order (the
  // extension first: it may read the machine), keeping the room.
  extension_.reset();
  reorders_.clear();
  dead_fibers_.clear();
  observed_.clear();
  drainable_.clear();
  choices_.clear();
  global_runq_.clear();
  spinners_.clear();
  contexts_.clear();
  for (Cpu& c : cpus_) {
    c.stack.clear();
    c.runq.clear();
  }
  access_observers_.clear();
  observers_.clear();
  final_check_ = nullptr;
  cells_.clear();
  locks_.clear();
  channels_.clear();
  sources_.clear();
  lines_.clear();
  threads_.clear();
  SwapStorage();
}

void Machine::SwapStorage() {
  Storage& s = *storage_;
  threads_.swap(s.threads);
  lines_.swap(s.lines);
  sources_.swap(s.sources);
  channels_.swap(s.channels);
  locks_.swap(s.locks);
  cells_.swap(s.cells);
  observers_.swap(s.observers);
  access_observers_.swap(s.access_observers);
  std::swap(contexts_, s.contexts);
  if (s.cpus.size() < static_cast<size_t>(num_cpus_)) s.cpus.resize(num_cpus_);
  for (int k = 0; k < num_cpus_; ++k) {
    cpus_[k].stack.swap(s.cpus[k].stack);
    cpus_[k].runq.swap(s.cpus[k].runq);
  }
  spinners_.swap(s.spinners);
  global_runq_.swap(s.global_runq);
  choices_.swap(s.choices);
  drainable_.swap(s.drainable);
  observed_.swap(s.observed);
  dead_fibers_.swap(s.dead_fibers);
  reorders_.swap(s.reorders);
  std::swap(memory_, s.memory);
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
  cells_.push_back(CellInfo{std::move(name), nullptr, cell});
  memory_.AddCell(cell->value_);
  return static_cast<int>(cells_.size()) - 1;
}

int Machine::RegisterCell(CellNamer namer, CellBase* cell) {
  CellInfo& info = cells_.emplace_back();  // built in place: no name to move
  info.namer = namer;
  info.cell = cell;
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
    h->depth = static_cast<uint8_t>(c.stack.size());
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
                          ? " in " + View().Describe(current_)
                          : std::string(" in the final check");
    SetVerdict(VerdictKind::kAssertion,
               "assertion failed: " + std::string(msg) + " (" + expr + ") at " +
                   where + who + View().OverwriteText("lost update"),
               "assertion " + std::string(msg) + " @" + where);
  }  // every string destroyed before this stack may be abandoned
  over_ = true;
  if (current_ != nullptr) EndFromContext();
}

void Machine::Quiesce() {
  std::optional<Verdict> v = QuiescenceReport(View()).Judge();
  if (v.has_value()) {
    SetVerdict(v->kind, std::move(v->message), std::move(v->signature));
  }
}

}  // namespace smp
