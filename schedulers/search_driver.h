// The one search loop. Every search (random, no-preemption, PCT, bounded
// exhaustive, a sequence of saved schedules) is a strategy that says which scheduler runs the next
// execution and what each execution was; the driver runs them and owns
// what is common: counting, deduplication by raw signature, confirmation
// (schedulers/confirm.h), stopping at the first finding or at a kind, the
// execution budget and the progress calls.
//
// The loop, for each execution while fewer than max_executions counted:
//   Next() -> run -> Done(e) -> (counted: dedupe, confirm, maybe stop;
//   progress every 1000 counted) -> Advance() (false: the strategy's space
//   is exhausted, the search is complete).
// A finding that stops the search stops it before Advance(), so a search
// that stopped at a finding is never complete.
#ifndef SMPFUZZ_SCHEDULERS_SEARCH_DRIVER_H_
#define SMPFUZZ_SCHEDULERS_SEARCH_DRIVER_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/executor.h"
#include "core/scheduler.h"
#include "core/verdict.h"
#include "schedulers/confirm.h"

namespace smp {

class SearchStrategy {
 public:
  enum class Outcome {
    kCounted,  // an execution of the search: counted, its verdict judged
    kPruned,   // stopped early by a reduction: its interleaving is covered
    kProbe,    // run only to walk past another shard's part of the space
    kAbandon,  // the search must end now, this execution uncounted
  };
  virtual ~SearchStrategy() = default;
  // The scheduler that runs the next execution; valid until Done().
  virtual Scheduler& Next() = 0;
  // The seed Confirm replays the execution Next() prepared with.
  virtual uint64_t seed() const { return 0; }
  // The step budget of the execution Next() prepared and of its
  // confirmation, when it has its own (a saved schedule's); nullopt: the
  // settings' max_steps.
  virtual std::optional<uint64_t> max_steps() const { return std::nullopt; }
  // What the execution just run was.
  virtual Outcome Done(const Execution& e) = 0;
  // Moves to the next execution; false when there is none.
  virtual bool Advance() { return true; }
  // Around a finding's confirming replays (which must run whole).
  virtual void BeforeConfirm(Executor&) {}
  virtual void AfterConfirm(Executor&) {}
};

// What every search takes, whatever its strategy (SearchOptions and
// BoundedOptions extend it).
struct SearchSettings {
  uint64_t max_steps = 0;      // 0: the scenario's budget
  bool all_findings = false;   // keep going after the first finding
  std::optional<VerdictKind> stop_kind;  // with all_findings: stop at it
  // Judge under this model instead of the scenario's own.
  std::optional<MemoryModel> memory_model;
  // The meaning of membar_enter instead of the scenario's own.
  std::optional<EnterMeaning> enter_meaning;
  // Run the lock-order / IPL-safety checker (core/lockdep.h).
  bool lockdep = true;
  // Run the data race detector or not, instead of the scenario's default.
  std::optional<bool> detect_races;
};

// Makes `executor` judge every later execution as `settings` say.
void ApplySettings(const SearchSettings& settings, Executor& executor);

// What every search reports; each search's result extends it.
struct SearchTally {
  uint64_t executions = 0;  // counted executions
  uint64_t steps = 0;       // over the counted executions
  uint64_t pruned = 0;      // stopped by a reduction (not counted)
  uint64_t probes = 0;      // run for another shard (not counted)
  bool complete = false;    // the strategy's space was exhausted
  bool abandoned = false;   // the strategy gave up (Outcome::kAbandon)
  std::vector<Finding> findings;  // distinct signatures, confirmed, in order found
};

// Runs `strategy` on `executor` into `tally` until `max_executions` are
// counted; `progress`, if set, is called after every 1000th counted
// execution. The executor is configured by the caller (ApplySettings).
void Drive(Executor& executor, SearchStrategy& strategy, uint64_t max_executions,
           const SearchSettings& settings, SearchTally* tally,
           const std::function<void()>& progress = {});

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_SEARCH_DRIVER_H_
