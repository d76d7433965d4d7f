// The Machine's trace recording (Options::record): events with their
// context, CPU, depth and mask, notes, the names of pointer values, and
// the Trace handed out after Run().
#include <string>
#include <utility>

#include "core/cell.h"
#include "core/machine.h"
#include "core/machine_internal.h"

namespace smp {

void Machine::Note(std::string text, Loc loc) {
  if (!record_) return;
  trace_.notes.push_back(std::move(text));
  Rec(Op::kNote, static_cast<int>(trace_.notes.size()) - 1, 0, 0, loc);
}

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
  const internal::MachineView view = View();
  for (const Context& c : contexts_) {
    std::string name = view.Label(&c);
    if (c.kind != CtxKind::kThread) name += "#" + std::to_string(c.id);
    t.contexts.push_back(TraceContext{std::move(name), c.kind, c.level});
  }
  for (const CellInfo& c : cells_) {
    t.cells.push_back(c.Name());
    t.pointer_cells.push_back(c.pointer ? 1 : 0);
  }
  for (const Lock& l : locks_) t.locks.push_back(l.name);
  for (const Line& l : lines_) t.lines.push_back(l.name);
  for (const Channel& c : channels_) t.channels.push_back(c.name);
  return t;
}

}  // namespace smp
