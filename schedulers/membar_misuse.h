// The membar-misuse detector: is a failure under a weak memory model a
// missing barrier?
//
// It judges a verdict after the execution, by more executions of the same
// scenario on the same Executor (each restores the settings it changes):
// the recorded schedule replayed under SC, a short SC search, and the
// schedule replayed with one reordering forbidden at a time. Its own cache
// (ScReachCache) is kept on the Executor (Executor::Attachment), so that
// a confirmation, a StrongestModel pass and the next finding of a
// campaign do not repeat the SC search.
//
// The messages and the "membar-misuse " signature prefix are part of the
// regression corpus: change them only with it.
#ifndef SMPFUZZ_SCHEDULERS_MEMBAR_MISUSE_H_
#define SMPFUZZ_SCHEDULERS_MEMBAR_MISUSE_H_

#include <cstdint>
#include <map>
#include <string>

#include "core/executor.h"
#include "core/scheduler.h"
#include "core/trace.h"
#include "core/verdict.h"

namespace smp {

// Turns `verdict`, reached in the recorded execution `trace`, into
// kMembarMisuse when the memory model was weaker than SC, reorderings
// happened, the same CPU-level schedule replayed under SC is clean, and a
// short SC search of the scenario (kScSearchRuns random executions, fixed
// seeds) does not fail with the same signature: a bug that SC
// interleavings reach too is an interleaving bug, which no barrier fixes,
// and keeps its kind (its message says so).
constexpr uint64_t kScSearchRuns = 4000;
void ClassifyMembarMisuse(Executor& executor, const Trace& trace,
                          uint64_t max_steps, Verdict* verdict);

// Re-runs the execution that ended with `raw` (the verdict before
// ClassifyMembarMisuse) under the other meaning of membar_enter, driven by
// `replay` (a fresh scheduler of the same schedule); if it ends otherwise,
// `verdict`'s message says that it depends on the meaning and which one
// shows it. Nothing under SC, where membar_enter does nothing.
void NoteEnterMeaning(Executor& executor, Scheduler& replay, uint64_t max_steps,
                      const Verdict& raw, Verdict* verdict);

// The classifier's cache on an Executor: whether the short SC search
// reaches a verdict signature (1 + the execution that did, or 0), keyed by
// the signature and every executor setting the search depends on. The
// entries are a pure function of their keys: the cache changes no result,
// only how long a campaign or a minimization takes.
struct ScReachCache {
  std::map<std::string, uint64_t> reached;
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_MEMBAR_MISUSE_H_
