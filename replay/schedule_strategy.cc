#include "replay/schedule_strategy.h"

#include <algorithm>
#include <string>
#include <utility>

#include "core/scenario.h"
#include "schedulers/confirm.h"

namespace smp {

ScheduleStrategy::ScheduleStrategy(Executor& executor,
                                   std::vector<const proto::Schedule*> schedules)
    : executor_(executor), schedules_(std::move(schedules)) {}

Scheduler& ScheduleStrategy::Next() {
  const proto::Schedule& schedule = *schedules_[index_];
  config_ = RunConfig::Of(schedule);
  run_ = PrepareExecution(schedule, config_, executor_);
  return *run_.scheduler;
}

std::optional<uint64_t> ScheduleStrategy::max_steps() const {
  return config_.max_steps;
}

SearchStrategy::Outcome ScheduleStrategy::Done(const Execution& e) {
  Replayed r;
  r.raw = e.verdict;
  if (run_.replay != nullptr) {
    r.diverged = run_.replay->first_divergence() >= 0;
  } else if (run_.sparse != nullptr) {
    r.diverged = run_.sparse->ignored() != 0 || run_.sparse->unreached() != 0;
  }
  replayed_.push_back(std::move(r));
  return Outcome::kCounted;
}

bool ScheduleStrategy::Advance() {
  ++index_;
  return index_ < schedules_.size();
}

ScheduleReplayResult ReplaySchedules(const std::vector<proto::Schedule>& schedules) {
  ScheduleReplayResult result;
  result.schedules.resize(schedules.size());
  result.tally.complete = true;
  // The settings (scenario, memory model, membar_enter meaning, step
  // budget) in the order they first appear, each with the indices of its
  // schedules: a raw signature is one finding only under one setting, as
  // in any search (confirmation classifies under the schedule's own model).
  struct Group {
    RunConfig config;
    std::vector<size_t> indices;
  };
  std::vector<Group> groups;
  for (size_t i = 0; i < schedules.size(); ++i) {
    const RunConfig config = RunConfig::Of(schedules[i]);
    auto it = groups.begin();
    while (it != groups.end() &&
           !(it->config.spec == config.spec &&
             it->config.memory_model == config.memory_model &&
             it->config.enter_meaning == config.enter_meaning &&
             it->config.max_steps == config.max_steps)) {
      ++it;
    }
    if (it == groups.end()) it = groups.insert(groups.end(), Group{config, {}});
    it->indices.push_back(i);
  }
  for (const Group& g : groups) {
    const std::vector<size_t>& indices = g.indices;
    std::vector<const proto::Schedule*> group;
    for (size_t i : indices) group.push_back(&schedules[i]);
    Executor executor(*g.config.spec);
    ScheduleStrategy strategy(executor, group);
    SearchSettings settings;
    settings.all_findings = true;
    SearchTally tally;
    Drive(executor, strategy, group.size(), settings, &tally);

    // Execution k of this group is schedule indices[k]; a finding's
    // execution is the first schedule with its raw signature.
    const std::vector<ScheduleStrategy::Replayed>& replayed = strategy.replayed();
    for (size_t k = 0; k < replayed.size(); ++k) {
      ScheduleVerdict& v = result.schedules[indices[k]];
      v.raw = replayed[k].raw;
      v.diverged = replayed[k].diverged;
      v.verdict = v.raw;
      if (v.raw.clean()) continue;
      for (const Finding& f : tally.findings) {
        const std::string& first = replayed[f.execution].raw.signature;
        if (first != v.raw.signature) continue;
        v.verdict = f.verdict;
        v.duplicate = f.execution != k;
        break;
      }
    }
    result.tally.executions += tally.executions;
    result.tally.steps += tally.steps;
    result.tally.complete = result.tally.complete && tally.complete;
    for (Finding& f : tally.findings) {
      f.execution = indices[f.execution];
      result.tally.findings.push_back(std::move(f));
    }
  }
  std::stable_sort(result.tally.findings.begin(), result.tally.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.execution < b.execution; });
  return result;
}

}  // namespace smp
