// A Trace as Chrome trace-event JSON, which Perfetto (ui.perfetto.dev) and
// chrome://tracing open.
//
// One process ("smpfuzz <scenario>"), one track per CPU (tid = CPU), the
// step number as the timestamp (in microseconds, so one step reads as
// 1 us). On each CPU track:
//   - duration slices ("B"/"E") for every context: the thread's run, and
//     each interrupt handler nested inside what it interrupted;
//   - instant events for memory operations, barriers, IPIs, park/unpark;
// plus a counter track per CPU for its priority mask ("C"), async slices
// per lock for the time it is held ("b"/"e", category "lock"), instants
// for interrupt lines raised by devices and store-buffer drains, and a
// global instant marking the verdict with its message.
// Deterministic: a function of the trace only.
#ifndef SMPFUZZ_CORE_TRACE_JSON_H_
#define SMPFUZZ_CORE_TRACE_JSON_H_

#include <string>

#include "core/trace.h"

namespace smp {

std::string RenderChromeTrace(const Trace& trace, const std::string& title);

}  // namespace smp

#endif  // SMPFUZZ_CORE_TRACE_JSON_H_
