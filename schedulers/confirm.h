// A finding, and how a search turns a failing execution into one it can
// trust.
//
// Confirmation is the determinism check the product rests on: the re-run
// must reproduce the same verdict signature, step and decision hash, and two
// recorded re-runs must render byte-identical traces; otherwise the finding
// is replaced by a kNondeterminism verdict naming what differed.
//
// A verdict reached under a weak memory model whose schedule replayed under
// SC (same CPU-level choices, see ProjectionScheduler) is clean becomes
// kMembarMisuse, naming the reorderings that happened and the barrier that
// forbids each.
#ifndef SMPFUZZ_SCHEDULERS_CONFIRM_H_
#define SMPFUZZ_SCHEDULERS_CONFIRM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/verdict.h"
#include "schedulers/schedule_scheduler.h"

namespace smp {

struct Finding {
  Verdict verdict;
  uint64_t execution = 0;       // index within the search, from 0
  uint64_t seed = 0;            // that execution's scheduler seed
  std::vector<uint32_t> picks;  // the dense schedule: replays exactly
  // The same execution as sparse decisions over the no-preemption base
  // (what smpfuzz saves: version 2).
  std::vector<SparseDecision> decisions;
  MemoryModel memory_model = MemoryModel::kSC;  // it was found under
  EnterMeaning enter_meaning = EnterMeaning::kAcquire;
  uint64_t max_steps = 0;       // its step budget (0: the scenario's)
  std::string trace_text;       // rendered from the recorded re-run
  std::string trace_json;       // the same, as Chrome trace-event JSON
};

// Re-runs (picks, seed) twice with recording and checks it reproduces
// `original`. Returns the confirmed finding (or a nondeterminism one).
Finding Confirm(Executor& executor, const Execution& original, uint64_t seed,
                uint64_t max_steps);

// ClassifyMembarMisuse and NoteEnterMeaning: schedulers/membar_misuse.h.

// The finding `found` (confirmed) as the strongest memory model shows it:
// its schedule (found.decisions) is replayed under SC, TSO, PSO in turn,
// up to the model it was found under, and the first that ends with the
// same bug (same verdict kind and signature; for a membar misuse, the same
// kind of failure) is confirmed and returned, with that model's
// explanation and fix. Otherwise `found` itself. The executor's model is
// restored.
Finding StrongestModel(Executor& executor, const Finding& found);

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_CONFIRM_H_
