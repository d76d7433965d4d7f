#include "schedulers/search.h"

#include <algorithm>
#include <memory>

#include "core/prng.h"
#include "core/trace.h"
#include "schedulers/no_preemption.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"

namespace smp {

uint64_t ExecutionSeed(uint64_t seed, uint64_t index) {
  return Mix64(seed ^ Mix64(index));
}

Finding Confirm(Executor& executor, const Execution& original, uint64_t seed,
                uint64_t max_steps) {
  Finding f;
  f.seed = seed;
  f.picks = original.picks;
  Trace first, second;
  ReplayScheduler r1(original.picks, seed);
  const Execution a = executor.Run(r1, max_steps, &first);
  ReplayScheduler r2(original.picks, seed);
  const Execution b = executor.Run(r2, max_steps, &second);
  std::string text_a = first.RenderText();
  const std::string text_b = second.RenderText();

  std::string what;
  if (a.verdict.kind != original.verdict.kind ||
      a.verdict.signature != original.verdict.signature) {
    what = "the recorded re-run ended with '" + a.verdict.signature +
           "' instead of '" + original.verdict.signature + "'";
  } else if (a.verdict.step != original.verdict.step ||
             a.decision_hash != original.decision_hash) {
    what = "the recorded re-run took different decisions (step " +
           std::to_string(a.verdict.step) + " vs " +
           std::to_string(original.verdict.step) + ")";
  } else if (text_a != text_b) {
    what = "two recorded re-runs rendered different traces";
  }
  if (what.empty()) {
    f.verdict = a.verdict;
    f.trace_text = std::move(text_a);
  } else {
    f.verdict.kind = VerdictKind::kNondeterminism;
    f.verdict.message =
        "nondeterministic target: " + what +
        ". Something outside the schedule (a clock, an address, a hash-map "
        "order, state kept between executions) decides its behaviour.";
    f.verdict.signature = "nondeterminism";
    f.verdict.step = original.verdict.step;
    f.trace_text = std::move(text_a);
  }
  return f;
}

SearchResult RunSearch(const ScenarioSpec& spec, const SearchOptions& options,
                       const std::function<void(const SearchResult&)>& progress) {
  SearchResult result;
  Executor executor(spec);
  RandomScheduler random(options.seed);
  NoPreemptionScheduler no_preemption;
  for (uint64_t i = 0; i < options.runs; ++i) {
    const uint64_t seed = ExecutionSeed(options.seed, i);
    Scheduler* scheduler = &no_preemption;
    if (options.scheduler == SchedulerKind::kRandom) {
      random.Reseed(seed);
      scheduler = &random;
    }
    const Execution e = executor.Run(*scheduler, options.max_steps);
    ++result.executions;
    result.steps += e.steps;
    if (!e.verdict.clean()) {
      const bool seen = std::any_of(
          result.findings.begin(), result.findings.end(),
          [&](const Finding& f) { return f.verdict.signature == e.verdict.signature; });
      if (!seen) {
        Finding f = Confirm(executor, e, seed, options.max_steps);
        f.execution = i;
        result.findings.push_back(std::move(f));
        if (!options.all_findings) break;
      }
    }
    if (progress && (i + 1) % 1000 == 0) progress(result);
  }
  return result;
}

}  // namespace smp
