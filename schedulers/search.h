// A search: many executions of one scenario under a scheduler, stopping at
// the first finding (or collecting every distinct one), each finding
// confirmed by re-running its schedule with recording on.
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
#ifndef SMPFUZZ_SCHEDULERS_SEARCH_H_
#define SMPFUZZ_SCHEDULERS_SEARCH_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/prng.h"
#include "core/scenario.h"
#include "core/verdict.h"
#include "schedulers/membar_misuse.h"
#include "schedulers/schedule_scheduler.h"

namespace smp {

// kPct: schedulers/pct_scheduler.h with SearchOptions::depth; k (the
// decisions per execution) is learnt as the search goes: the largest count
// seen so far, starting from one no-preemption execution.
enum class SchedulerKind { kRandom, kNoPreemption, kPct };

struct SearchOptions {
  uint64_t seed = 1;
  uint64_t runs = 10000;
  bool all_findings = false;  // keep going after the first finding
  // With all_findings: stop once a finding of this kind is found.
  std::optional<VerdictKind> stop_kind;
  SchedulerKind scheduler = SchedulerKind::kRandom;
  int depth = 3;              // d of kPct
  uint64_t max_steps = 0;     // 0: the scenario's budget
  // Judge under this model instead of the scenario's own.
  std::optional<MemoryModel> memory_model;
  // The meaning of membar_enter instead of the scenario's own.
  std::optional<EnterMeaning> enter_meaning;
  // Run the lock-order / IPL-safety checker (core/lockdep.h).
  bool lockdep = true;
  // Run the data race detector or not, instead of the scenario's default.
  std::optional<bool> detect_races;
};

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
  uint64_t switches = 0;        // its swarm switches
  std::string trace_text;       // rendered from the recorded re-run
  std::string trace_json;       // the same, as Chrome trace-event JSON
};

struct SearchResult {
  uint64_t executions = 0;
  uint64_t steps = 0;
  std::vector<Finding> findings;  // distinct signatures, in order found
  // kPct: the n and k of the bound 1/(n*k^(d-1)) after the search (the
  // most agents and decisions one execution had).
  uint64_t pct_agents = 0;
  uint64_t pct_steps = 0;
};

// ExecutionSeed(seed, index): core/prng.h.

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

// `progress`, if set, is called every 1000 executions.
SearchResult RunSearch(const ScenarioSpec& spec, const SearchOptions& options,
                       const std::function<void(const SearchResult&)>& progress = {});

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_SEARCH_H_
