#include "core/trace_json.h"

#include <cstdio>
#include <vector>

namespace smp {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string Name(const std::vector<std::string>& table, int id) {
  if (id >= 0 && static_cast<size_t>(id) < table.size()) return table[id];
  return "#" + std::to_string(id);
}

// A cell's value: a number, or for a pointer cell the address in words
// (Trace::symbols), since the number differs from run to run.
std::string Val(const Trace& t, int cell, uint64_t v) {
  if (cell >= 0 && static_cast<size_t>(cell) < t.pointer_cells.size() &&
      t.pointer_cells[cell] != 0) {
    return t.Value(cell, v);
  }
  return std::to_string(v);
}

class Writer {
 public:
  void Event(const std::string& ph, const std::string& name, uint64_t ts, int tid,
             const std::string& extra = "") {
    out_ += first_ ? "\n" : ",\n";
    first_ = false;
    out_ += "{\"ph\":" + Quote(ph) + ",\"name\":" + Quote(name) +
            ",\"pid\":1,\"tid\":" + std::to_string(tid) +
            ",\"ts\":" + std::to_string(ts) + extra + "}";
  }
  std::string& out() { return out_; }

 private:
  std::string out_;
  bool first_ = true;
};

std::string Where(const Event& e) {
  if (e.line <= 0) return "";
  return ",\"args\":{\"at\":" + Quote(std::string(e.file) + ":" + std::to_string(e.line)) + "}";
}

}  // namespace

std::string RenderChromeTrace(const Trace& t, const std::string& title) {
  Writer w;
  w.out() = "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"scenario\":" + Quote(title) +
            "},\"traceEvents\":[";
  w.Event("M", "process_name", 0, 0,
          ",\"args\":{\"name\":" + Quote("smpfuzz " + title) + "}");
  for (int k = 0; k < t.num_cpus; ++k) {
    w.Event("M", "thread_name", 0, k, ",\"args\":{\"name\":\"CPU" + std::to_string(k) + "\"}");
  }
  std::vector<int> mask(t.num_cpus, 0);
  // Open context slices per CPU, so the file closes every one it opens.
  std::vector<std::vector<std::string>> open(t.num_cpus);
  uint64_t last = 0;
  for (const Event& e : t.events) {
    const uint64_t ts = e.step;
    last = ts;
    const int cpu = e.cpu < t.num_cpus ? e.cpu : 0;
    const std::string who =
        e.ctx < t.contexts.size() ? t.contexts[e.ctx].name : std::string("device");
    if (e.ctx < t.contexts.size() && e.mask != mask[cpu]) {
      mask[cpu] = e.mask;
      w.Event("C", "mask CPU" + std::to_string(cpu), ts, cpu,
              ",\"args\":{\"mask\":" + std::to_string(e.mask) + "}");
    }
    switch (e.op) {
      case Op::kStart:
        open[cpu].push_back(who);
        w.Event("B", who, ts, cpu);
        break;
      case Op::kEnd:
        if (!open[cpu].empty()) {
          w.Event("E", open[cpu].back(), ts, cpu);
          open[cpu].pop_back();
        }
        break;
      case Op::kAcquire:
        w.Event("b", Name(t.locks, e.obj), ts, cpu,
                ",\"cat\":\"lock\",\"id\":" + std::to_string(e.obj) + Where(e));
        break;
      case Op::kRelease:
        w.Event("e", Name(t.locks, e.obj), ts, cpu,
                ",\"cat\":\"lock\",\"id\":" + std::to_string(e.obj));
        break;
      case Op::kRaise:
        w.Event("i", "line " + Name(t.lines, e.obj) + " raised", ts, cpu,
                ",\"s\":\"t\",\"cat\":\"interrupt\"");
        break;
      case Op::kDrain:
        w.Event("i", Name(t.cells, e.obj) + " = " + Val(t, e.obj, e.a) + " visible", ts,
                cpu, ",\"s\":\"t\",\"cat\":\"memory\"" + Where(e));
        break;
      case Op::kMembar:
        w.Event("i", std::string(BarrierName(static_cast<Barrier>(e.obj))), ts, cpu,
                ",\"s\":\"t\",\"cat\":\"barrier\"" + Where(e));
        break;
      case Op::kLoad:
      case Op::kStore:
      case Op::kCas:
      case Op::kCasFail:
      case Op::kSwap:
      case Op::kAdd:
      case Op::kSpin: {
        static const char* const kVerb[] = {"", "", "load", "store", "cas", "cas fails",
                                            "swap", "add", "spin on"};
        const int i = static_cast<int>(e.op);
        w.Event("i", std::string(kVerb[i]) + " " + Name(t.cells, e.obj) + " " +
                         Val(t, e.obj, e.a),
                ts, cpu, ",\"s\":\"t\",\"cat\":\"memory\"" + Where(e));
        break;
      }
      case Op::kRmw:
        w.Event("i", "rmw " + Name(t.cells, e.obj) + " " + Val(t, e.obj, e.a), ts,
                cpu, ",\"s\":\"t\",\"cat\":\"memory\"" + Where(e));
        break;
      case Op::kIpi:
        w.Event("i", "IPI " + Name(t.lines, e.obj) + " -> CPU" + std::to_string(e.a), ts,
                cpu, ",\"s\":\"t\",\"cat\":\"interrupt\"" + Where(e));
        break;
      case Op::kPark:
      case Op::kUnpark:
        w.Event("i", std::string(e.op == Op::kPark ? "park " : "unpark ") +
                         Name(t.channels, e.obj),
                ts, cpu, ",\"s\":\"t\",\"cat\":\"sleep\"" + Where(e));
        break;
      case Op::kSetMask:
      case Op::kIntrOff:
      case Op::kIntrOn:
      case Op::kPlace:
      case Op::kYield:
      case Op::kNote:
        break;  // the mask counter and the slices say it
    }
  }
  const uint64_t end = std::max<uint64_t>(last, t.verdict.step);
  for (int k = 0; k < t.num_cpus; ++k) {
    while (!open[k].empty()) {  // contexts still running at the verdict
      w.Event("E", open[k].back(), end, k);
      open[k].pop_back();
    }
  }
  w.Event("i", "verdict: " + std::string(VerdictKindName(t.verdict.kind)), end, 0,
          ",\"s\":\"g\",\"args\":{\"signature\":" + Quote(t.verdict.signature) +
              ",\"message\":" + Quote(t.verdict.message) + "}");
  w.out() += "\n]}\n";
  return w.out();
}

}  // namespace smp
