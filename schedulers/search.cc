#include "schedulers/search.h"

#include <algorithm>
#include <memory>

#include <optional>

#include "core/prng.h"
#include "schedulers/no_preemption.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/search_driver.h"

namespace smp {

namespace {

// Random, no-preemption and PCT: execution i runs with seed
// ExecutionSeed(options.seed, i); PCT learns its k (the decisions per
// execution) as it goes, from one no-preemption pilot execution on.
class SeededStrategy : public SearchStrategy {
 public:
  SeededStrategy(const SearchOptions& options, SearchResult* result)
      : options_(options), result_(result), random_(options.seed) {}

  Scheduler& Next() override {
    seed_ = ExecutionSeed(options_.seed, index_);
    switch (options_.scheduler) {
      case SchedulerKind::kRandom:
        random_.Reseed(seed_);
        return random_;
      case SchedulerKind::kNoPreemption:
        return no_preemption_;
      case SchedulerKind::kPct:
        pct_.emplace(seed_, options_.depth, result_->pct_steps);
        return *pct_;
    }
    return no_preemption_;
  }
  uint64_t seed() const override { return seed_; }
  Outcome Done(const Execution&) override {
    if (pct_) {
      result_->pct_steps = std::max(result_->pct_steps, pct_->decisions());
      result_->pct_agents = std::max(result_->pct_agents, pct_->agents());
    }
    return Outcome::kCounted;
  }
  bool Advance() override {
    ++index_;
    return true;
  }

 private:
  const SearchOptions& options_;
  SearchResult* result_;
  RandomScheduler random_;
  NoPreemptionScheduler no_preemption_;
  std::optional<PctScheduler> pct_;
  uint64_t index_ = 0;
  uint64_t seed_ = 0;
};

}  // namespace

SearchResult RunSearch(const ScenarioSpec& spec, const SearchOptions& options,
                       const std::function<void(const SearchResult&)>& progress) {
  SearchResult result;
  Executor executor(spec);
  ApplySettings(options, executor);
  if (options.scheduler == SchedulerKind::kPct) {
    // PCT's k: one no-preemption execution to start with (its decisions
    // are the ones the scheduler is asked about).
    PctScheduler pilot(0, 1, 1);
    executor.Run(pilot, options.max_steps);
    result.pct_steps = pilot.decisions();
  }
  SeededStrategy strategy(options, &result);
  Drive(executor, strategy, options.runs, options, &result, [&] {
    if (progress) progress(result);
  });
  return result;
}

}  // namespace smp
