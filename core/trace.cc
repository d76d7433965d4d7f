#include "core/trace.h"

#include <cstdio>

namespace smp {
namespace {

constexpr size_t kColumn = 46;  // width of one CPU's column

std::string Name(const std::vector<std::string>& table, int id) {
  if (id >= 0 && static_cast<size_t>(id) < table.size()) return table[id];
  return "#" + std::to_string(id);
}

std::string Num(uint64_t v) {
  // Small negative values (stored as words) read better signed.
  const auto s = static_cast<int64_t>(v);
  return (s < 0 && s > -65536) ? std::to_string(s) : std::to_string(v);
}

bool IsPointer(const Trace& t, int cell) {
  return cell >= 0 && static_cast<size_t>(cell) < t.pointer_cells.size() &&
         t.pointer_cells[cell] != 0;
}

std::string Describe(const Trace& t, const Event& e) {
  const std::string who =
      e.ctx < t.contexts.size() ? t.contexts[e.ctx].name : std::string("device");
  const bool in_handler =
      e.ctx < t.contexts.size() && t.contexts[e.ctx].kind != CtxKind::kThread;
  std::string s;
  switch (e.op) {
    case Op::kStart:
      return in_handler ? ">> " + who + " (level " +
                              std::to_string(t.contexts[e.ctx].level) + ")"
                        : who + ": start";
    case Op::kEnd:
      return in_handler ? "<< " + who + " returns (EOI)" : who + ": exits";
    case Op::kLoad:
      s = "load " + Name(t.cells, e.obj) + " -> " + t.Value(e.obj, e.a);
      if (e.b != 0) s += " (stale: " + Num(e.b) + " behind the newest)";
      break;
    case Op::kStore:
      s = "store " + Name(t.cells, e.obj) + " = " + t.Value(e.obj, e.a);
      if (e.b != 0) s += " (buffered)";
      break;
    case Op::kDrain:
      return "~~ store buffer: " + Name(t.cells, e.obj) + " = " + t.Value(e.obj, e.a) +
             " now visible";
    case Op::kCas:
      s = "cas " + Name(t.cells, e.obj) + " " + t.Value(e.obj, e.a) + " -> " + t.Value(e.obj, e.b);
      break;
    case Op::kCasFail:
      s = "cas " + Name(t.cells, e.obj) + " fails (is " + t.Value(e.obj, e.a) +
          ", expected " + t.Value(e.obj, e.b) + ")";
      break;
    case Op::kSwap:
      s = "swap " + Name(t.cells, e.obj) + " " + t.Value(e.obj, e.a) + " -> " + t.Value(e.obj, e.b);
      break;
    case Op::kAdd:
      s = "add " + Name(t.cells, e.obj) + " " + t.Value(e.obj, e.a) + " -> " + t.Value(e.obj, e.b);
      break;
    case Op::kRmw:
      s = "rmw " + Name(t.cells, e.obj) + " " + t.Value(e.obj, e.a) + " -> " + t.Value(e.obj, e.b);
      break;
    case Op::kSpin:
      s = "spin while " + Name(t.cells, e.obj) + " == " + t.Value(e.obj, e.a);
      break;
    case Op::kPark:
      s = "park on " + Name(t.channels, e.obj);
      break;
    case Op::kUnpark:
      s = "unpark " + Name(t.channels, e.obj) + " (woke " + Num(e.a) + ")";
      break;
    case Op::kSetMask:
      s = "mask " + Num(e.b) + " -> " + Num(e.a);
      break;
    case Op::kIntrOff:
      s = "interrupts off";
      break;
    case Op::kIntrOn:
      s = "interrupts on";
      break;
    case Op::kRaise:
      return "!! line " + Name(t.lines, e.obj) + " asserted";
    case Op::kIpi:
      s = "IPI " + Name(t.lines, e.obj) + " -> CPU" + Num(e.a);
      break;
    case Op::kAcquire:
      s = "acquire " + Name(t.locks, e.obj);
      break;
    case Op::kRelease:
      s = "release " + Name(t.locks, e.obj);
      break;
    case Op::kPlace:
      return who + ": placed here";
    case Op::kYield:
      s = "yield";
      break;
    case Op::kMembar:
      s = std::string(BarrierName(static_cast<Barrier>(e.obj)));
      break;
    case Op::kNote:
      s = "note: " + Name(t.notes, e.obj);
      break;
  }
  return who + ": " + s;
}

}  // namespace

std::string Trace::RenderText() const {
  std::string out = " step ";
  for (int k = 0; k < num_cpus; ++k) {
    std::string head = "CPU" + std::to_string(k);
    head.resize(kColumn, ' ');
    out += head;
  }
  out += "\n";
  for (const Event& e : events) {
    char step[16];
    std::snprintf(step, sizeof step, "%5u ", e.step);
    std::string row = step;
    row.append(static_cast<size_t>(e.cpu) * kColumn, ' ');
    row.append(2 * static_cast<size_t>(e.depth), ' ');
    row += Describe(*this, e);
    if (e.op == Op::kSetMask || e.op == Op::kStart) {
      // mask shown by the event itself
    } else if (e.mask != 0) {
      row += "  [mask " + std::to_string(e.mask) + "]";
    }
    if (e.line > 0) {
      row += "  @" + std::string(e.file) + ":" + std::to_string(e.line);
    }
    out += row;
    out += "\n";
  }
  out += "== verdict: ";
  out += VerdictKindName(verdict.kind);
  out += " at step " + std::to_string(verdict.step) + " ==\n";
  if (!verdict.message.empty()) out += verdict.message + "\n";
  out += "signature: " + verdict.signature + "\n";
  return out;
}

std::string Trace::Value(int cell, uint64_t v) const {
  if (IsPointer(*this, cell)) {
    auto it = symbols.find(v);
    if (it != symbols.end()) return it->second;
  }
  return Num(v);
}

std::string DescribeReorder(const Trace& t, const Reorder& r) {
  auto at = [](Loc loc) { return LocText(loc); };
  const std::string cpu = "CPU" + std::to_string(r.cpu) + ": ";
  const std::string later = "'" + Name(t.cells, r.later_cell) + "'";
  const std::string earlier =
      r.earlier_cell >= 0 ? "'" + Name(t.cells, r.earlier_cell) + "'" : "";
  switch (r.kind) {
    case Reorder::kStoreStore:
      return cpu + "the store to " + earlier + " (" + at(r.earlier_loc) +
             ") became visible after the later store to " + later + " (" +
             at(r.later_loc) +
             "); membar_producer (or membar_release) between them forbids it";
    case Reorder::kStoreLoad:
      return cpu + "the load of " + later + " (" + at(r.later_loc) +
             ") was done while the earlier store to " + earlier + " (" +
             at(r.earlier_loc) +
             ") was still in the store buffer; membar_sync between them "
             "forbids it";
    case Reorder::kStaleLoad:
      if (r.earlier_cell < 0) {
        return cpu + "the load of " + later + " (" + at(r.later_loc) +
               ") returned a stale value; membar_consumer (or membar_acquire) "
               "before it forbids reading older than what was visible then";
      }
      return cpu + "the load of " + later + " (" + at(r.later_loc) +
             ") returned a value older than the one visible when " + earlier +
             " was read (" + at(r.earlier_loc) +
             "); membar_consumer (or membar_acquire) between them forbids it";
  }
  return "";
}

uint64_t HashText(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace smp
