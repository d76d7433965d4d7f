// A seeded search: many executions of one scenario under the random, the
// no-preemption or the PCT scheduler, execution i seeded with
// ExecutionSeed(seed, i), stopping at the first finding (or collecting
// every distinct one). The loop, deduplication and confirmation are the
// one search driver's (schedulers/search_driver.h); findings and their
// confirmation: schedulers/confirm.h.
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
#include "schedulers/confirm.h"
#include "schedulers/membar_misuse.h"
#include "schedulers/search_driver.h"

namespace smp {

// kPct: schedulers/pct_scheduler.h with SearchOptions::depth; k (the
// decisions per execution) is learnt as the search goes: the largest count
// seen so far, starting from one no-preemption execution.
enum class SchedulerKind { kRandom, kNoPreemption, kPct };

// The step budget, the stopping rule, the model and the detectors:
// SearchSettings (schedulers/search_driver.h).
struct SearchOptions : SearchSettings {
  uint64_t seed = 1;
  uint64_t runs = 10000;
  SchedulerKind scheduler = SchedulerKind::kRandom;
  int depth = 3;              // d of kPct
};

// executions, steps and findings: SearchTally (schedulers/search_driver.h).
struct SearchResult : SearchTally {
  // kPct: the n and k of the bound 1/(n*k^(d-1)) after the search (the
  // most agents and decisions one execution had).
  uint64_t pct_agents = 0;
  uint64_t pct_steps = 0;
};

// ExecutionSeed(seed, index): core/prng.h.

// `progress`, if set, is called every 1000 executions.
SearchResult RunSearch(const ScenarioSpec& spec, const SearchOptions& options,
                       const std::function<void(const SearchResult&)>& progress = {});

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_SEARCH_H_
