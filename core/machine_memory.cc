// The Machine's cell accesses (Load, Store, Cas, Swap, FetchAdd, FetchOp,
// DeviceStore) and their memory-model glue: what a CPU sees, commits to
// memory and the spinners they wake, store-buffer drains, barriers
// (including the site barriers of Options::site_barriers), and the
// bookkeeping of writes that explanations read. The drains of
// Options::forbidden replays are core/machine_forbidden.cc's.
#include <algorithm>
#include <cstring>
#include <optional>
#include <vector>

#include "core/cell.h"
#include "core/machine.h"
#include "core/machine_internal.h"

namespace smp {

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

void Machine::FenceSlow(Barrier kind, Loc loc) {
  Notify([&](Observer* o, const Actor& who) { o->OnBarrier(*this, who, kind, loc); });
  if (memory_.weak() && memory_.Fence(current_->cpu, kind)) {
    const int cpu = current_->cpu;
    while (!memory_.buffer(cpu).empty()) Drain(cpu, 0);
  }
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

inline void Machine::RmwBefore(CellBase& cell, Loc loc, Order order) {
  Point(cell.id_, PointOp::kWrite);
  SiteFence(loc);
  OrderBefore(order, loc);
  DrainForRmw(cell);
}

inline void Machine::RmwAfter(const CellBase& cell, Loc loc, Order order) {
  Access(cell, AccessKind::kRmw, loc);
  SiteFence(loc, /*after=*/true);
  OrderAfter(order, loc);
}

Word Machine::Cas(CellBase& cell, Word expected, Word desired, Loc loc,
                  Order order) {
  RmwBefore(cell, loc, order);
  const Word old = cell.value_;
  if (old == expected) {
    Rec(Op::kCas, cell.id_, old, desired, loc);
    RmwCommit(cell, desired, loc);
  } else {
    if (memory_.weak()) memory_.ObserveRead(current_->cpu, cell.id_, 0, loc, nullptr);
    Rec(Op::kCasFail, cell.id_, old, expected, loc);
    NoteLoad(cell.id_, old, loc);
  }
  RmwAfter(cell, loc, order);
  return old;
}

Word Machine::Swap(CellBase& cell, Word value, Loc loc, Order order) {
  RmwBefore(cell, loc, order);
  const Word old = cell.value_;
  Rec(Op::kSwap, cell.id_, old, value, loc);
  RmwCommit(cell, value, loc);
  RmwAfter(cell, loc, order);
  return old;
}

Word Machine::FetchAdd(CellBase& cell, Word delta, Loc loc, Order order) {
  RmwBefore(cell, loc, order);
  const Word old = cell.value_;
  Rec(Op::kAdd, cell.id_, old, old + delta, loc);
  RmwCommit(cell, old + delta, loc);
  RmwAfter(cell, loc, order);
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
  RmwBefore(cell, loc, order);
  const Word old = cell.value_;
  const Word value = ApplyRmw(op, old, operand, bytes);
  const bool add = op == RmwOp::kAdd || op == RmwOp::kSub;
  Rec(add ? Op::kAdd : Op::kRmw, cell.id_, old, value, loc);
  RmwCommit(cell, value, loc);
  RmwAfter(cell, loc, order);
  return old;
}

}  // namespace smp
