#include "schedulers/search_driver.h"

#include <algorithm>
#include <string>
#include <utility>

namespace smp {

void ApplySettings(const SearchSettings& settings, Executor& executor) {
  if (settings.memory_model) executor.set_memory_model(*settings.memory_model);
  if (settings.enter_meaning) executor.set_enter_meaning(*settings.enter_meaning);
  if (settings.detect_races) executor.set_races(*settings.detect_races);
  executor.set_lockdep(settings.lockdep);
}

void Drive(Executor& executor, SearchStrategy& strategy, uint64_t max_executions,
           const SearchSettings& options, SearchTally* tally,
           const std::function<void()>& progress) {
  // Signatures as the fast path saw them, before confirmation classifies
  // them: an execution that fails the same way again is not confirmed twice.
  std::vector<std::string> raw_signatures;
  while (tally->executions < max_executions) {
    Scheduler& next = strategy.Next();
    const uint64_t max_steps = strategy.max_steps().value_or(options.max_steps);
    const Execution e = executor.Run(next, max_steps);
    switch (strategy.Done(e)) {
      case SearchStrategy::Outcome::kAbandon:
        tally->abandoned = true;
        return;
      case SearchStrategy::Outcome::kPruned:
        ++tally->pruned;
        break;
      case SearchStrategy::Outcome::kProbe:
        ++tally->probes;
        break;
      case SearchStrategy::Outcome::kCounted: {
        ++tally->executions;
        tally->steps += e.steps;
        if (!e.verdict.clean() &&
            std::find(raw_signatures.begin(), raw_signatures.end(),
                      e.verdict.signature) == raw_signatures.end()) {
          raw_signatures.push_back(e.verdict.signature);
          strategy.BeforeConfirm(executor);
          Finding f = Confirm(executor, e, strategy.seed(), max_steps);
          strategy.AfterConfirm(executor);
          f.execution = tally->executions - 1;
          const VerdictKind kind = f.verdict.kind;
          tally->findings.push_back(std::move(f));
          if (!options.all_findings) return;
          if (options.stop_kind && kind == *options.stop_kind) return;
        }
        if (progress && tally->executions % 1000 == 0) progress();
        break;
      }
    }
    if (!strategy.Advance()) {
      tally->complete = true;
      return;
    }
  }
}

}  // namespace smp
