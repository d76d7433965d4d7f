// The execution trace: a compact record of every event of one execution,
// rendered to text only when asked.
//
// Recording is off on the fast path (a campaign runs millions of
// executions); when an execution ends with a verdict it is re-run with
// recording on. A Trace owns copies of every name it mentions, so it
// outlives the Machine that made it. Rendering is a pure function of the
// events: the same schedule on the same build renders byte-identical text.
#ifndef SMPFUZZ_CORE_TRACE_H_
#define SMPFUZZ_CORE_TRACE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/memory.h"
#include "core/scheduler.h"
#include "core/verdict.h"

namespace smp {

enum class CtxKind : uint8_t { kThread, kHardIntr, kSoftIntr };

enum class Op : uint8_t {
  kStart,       // context starts running (thread start, handler entry)
  kEnd,         // thread returns / handler returns (EOI)
  kLoad,        // obj: cell, a: value read, b: staleness (0: newest)
  kStore,       // obj: cell, a: value written, b: 1 if buffered
  kCas,         // obj: cell, a: old value, b: desired (success iff a==expected)
  kCasFail,     // obj: cell, a: value seen, b: expected
  kSwap,        // obj: cell, a: old value, b: new value
  kAdd,         // obj: cell, a: old value, b: new value
  kSpin,        // obj: cell, a: value it spins while equal to
  kPark,        // obj: channel
  kUnpark,      // obj: channel, a: threads woken
  kSetMask,     // a: new mask, b: old mask
  kIntrOff,     // interrupts disabled on this CPU
  kIntrOn,      // interrupts enabled on this CPU
  kRaise,       // obj: line, a: target CPU (by a source or device)
  kIpi,         // obj: line, a: target CPU
  kAcquire,     // obj: lock
  kRelease,     // obj: lock
  kPlace,       // thread placed on this CPU (migration)
  kYield,
  kMembar,      // obj: Barrier
  kDrain,       // obj: cell, a: value now visible, b: CPU whose buffer
  kNote,        // obj: note index
  kRmw,         // obj: cell, a: old value, b: new value (and/or/xor/min/max)
};

struct Event {
  uint32_t step;
  uint16_t ctx;    // context id (index into Trace::contexts)
  uint8_t cpu;
  Op op;
  uint8_t depth;   // context nesting depth on its CPU (0: thread level)
  uint8_t mask;    // CPU priority mask when the event happened
  int32_t obj;
  uint64_t a;
  uint64_t b;
  const char* file;  // points to a string literal (__builtin_FILE)
  int32_t line;
};

struct TraceContext {
  std::string name;  // "thread writer", "intr bar#2"
  CtxKind kind;
  int level;
};

struct Trace {
  int num_cpus = 0;
  std::vector<Event> events;
  std::vector<TraceContext> contexts;
  std::vector<std::string> cells, locks, lines, channels, notes;
  Verdict verdict;
  MemoryModel memory_model = MemoryModel::kSC;
  std::vector<Reorder> reorders;    // reorderings that happened (weak models)
  std::vector<Choice> choices;      // the choice taken at each decision
  // Cells whose values are addresses (pointer fields of target C), and
  // each address seen in them, in words ("&kmem#2+8", "NULL"): rendered
  // instead of a number that differs from one run to the next.
  std::vector<uint8_t> pointer_cells;
  std::map<uint64_t, std::string> symbols;

  // A value of `cell` as the trace shows it.
  std::string Value(int cell, uint64_t v) const;

  // One row per event, one column per CPU, indented by context nesting, each
  // row ending with its source file:line; the verdict's explanation last.
  std::string RenderText() const;
};

// One reordering in words, naming cells and source lines, and the barrier
// that would have forbidden it.
std::string DescribeReorder(const Trace& trace, const Reorder& r);

// FNV-1a over a string: how tests and the re-run check compare traces.
uint64_t HashText(const std::string& text);

}  // namespace smp

#endif  // SMPFUZZ_CORE_TRACE_H_
