#include "replay/run_schedule.h"

#include <memory>
#include <optional>
#include <utility>

#include "schedulers/search.h"

namespace smp {

RunConfig RunConfig::Of(const proto::Schedule& schedule) {
  RunConfig c;
  c.spec = &ScenarioOf(schedule);
  c.memory_model = ModelOf(schedule);
  c.enter_meaning = EnterOf(schedule);
  c.num_cpus = c.spec->num_cpus;
  c.max_steps = schedule.max_steps();
  c.detect_races = c.spec->detect_races;
  return c;
}

void RunConfig::ApplyTo(Executor& executor) const {
  executor.set_memory_model(memory_model);
  executor.set_enter_meaning(enter_meaning);
  executor.set_lockdep(lockdep);
  executor.set_races(detect_races);
}

ScheduleRun PrepareExecution(const proto::Schedule& schedule, const RunConfig& config,
                             Executor& executor) {
  config.ApplyTo(executor);
  return SchedulerFor(schedule);
}

ScheduleResult RunSchedule(const proto::Schedule& schedule,
                           const RunOptions& options) {
  ScheduleResult r;
  r.config = RunConfig::Of(schedule);
  std::optional<Executor> own;
  Executor& executor =
      options.executor != nullptr ? *options.executor : own.emplace(*r.config.spec);
  r.run = PrepareExecution(schedule, r.config, executor);
  std::optional<SparseRecorder> recorder;
  Scheduler* scheduler = r.run.scheduler.get();
  if (options.decisions != nullptr) {
    scheduler = &recorder.emplace(*scheduler, r.config.num_cpus);
  }
  const bool record = options.trace != nullptr || options.classify;
  Trace local;
  r.execution = executor.Run(*scheduler, r.config.max_steps,
                             record ? &local : nullptr);
  r.raw = r.execution.verdict;
  if (options.decisions != nullptr) *options.decisions = recorder->decisions();
  if (options.classify) {
    ClassifyMembarMisuse(executor, local, r.config.max_steps, &r.execution.verdict);
    if (options.note_enter_meaning) {
      ScheduleRun again = SchedulerFor(schedule);
      NoteEnterMeaning(executor, *again.scheduler, r.config.max_steps, r.raw,
                       &r.execution.verdict);
    }
  }
  if (options.trace != nullptr) {
    local.verdict = r.execution.verdict;
    *options.trace = std::move(local);
  }
  return r;
}

}  // namespace smp
