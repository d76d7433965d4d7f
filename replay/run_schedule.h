// One execution of a schedule: its configuration as a value, and the one
// function that runs it.
//
// A schedule (schedulers/schedule.proto) fixes everything an execution
// depends on: the scenario, the memory model, the meaning of membar_enter,
// the step budget and the decisions. RunConfig is that
// configuration; RunSchedule is how every path turns a schedule into an
// Execution: `smpfuzz replay` and `minimize`, the fuzz harness, and each
// target's corpus test; a sequence of schedules through the search driver
// is ScheduleStrategy (replay/schedule_strategy.h), built on the same
// PrepareExecution. (`smpfuzz run --prefix` applies a RunConfig to the
// executor its search derives a prefix with.)
//
// Thread safety: none; one execution runs at a time per OS thread.
#ifndef SMPFUZZ_REPLAY_RUN_SCHEDULE_H_
#define SMPFUZZ_REPLAY_RUN_SCHEDULE_H_

#include <cstdint>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "core/trace.h"
#include "replay/schedule_io.h"
#include "schedulers/schedule.pb.h"
#include "schedulers/schedule_scheduler.h"

namespace smp {

// What one execution runs under, apart from its decisions.
struct RunConfig {
  const ScenarioSpec* spec = nullptr;  // target and variant
  MemoryModel memory_model = MemoryModel::kSC;
  EnterMeaning enter_meaning = EnterMeaning::kAcquire;
  int num_cpus = 0;       // the scenario's own: it binds threads to CPUs
  uint64_t max_steps = 0; // 0: the scenario's budget
  // Detectors: lockdep (core/lockdep.h) and the race detector
  // (core/race_detector.h). A schedule does not carry them: Of() gives
  // the executor's defaults (lockdep on, races as the scenario declares).
  bool lockdep = true;
  bool detect_races = false;

  // The configuration `schedule` names (the scenario's own model and
  // meaning where the schedule says default).
  // REQUIRES: ParseSchedule accepted `schedule`, or fuzz::Decode made it.
  static RunConfig Of(const proto::Schedule& schedule);

  // Makes `executor` run every later execution under this configuration.
  // REQUIRES: `executor` runs `*spec`.
  void ApplyTo(Executor& executor) const;
};

struct RunOptions {
  // Record the execution into it (its verdict: the classified one).
  Trace* trace = nullptr;
  // Judge membar misuse as `smpfuzz replay` does (ClassifyMembarMisuse,
  // schedulers/search.h). The execution is recorded for it, with or
  // without `trace`.
  bool classify = false;
  // With `classify`: also say in the message whether the verdict depends
  // on membar_enter's meaning (NoteEnterMeaning: one more replay).
  bool note_enter_meaning = false;
  // If set, receives the execution as sparse decisions over the
  // no-preemption base (what a version-2 schedule holds).
  std::vector<SparseDecision>* decisions = nullptr;
  // Run on this executor (it keeps its observers and caches) instead of
  // a fresh one; RunSchedule configures it (RunConfig::ApplyTo).
  // REQUIRES: it runs the schedule's scenario.
  Executor* executor = nullptr;
};

struct ScheduleResult {
  RunConfig config;
  Execution execution;  // its verdict classified if RunOptions::classify
  Verdict raw;          // the verdict before classification
  ScheduleRun run;      // the scheduler that replayed it (its divergence)
};

// The part of an execution of `schedule` that comes before running it:
// `config` (RunConfig::Of(schedule)) applied to `executor`, and the
// scheduler that replays the schedule's decisions. RunSchedule and
// ScheduleStrategy (replay/schedule_strategy.h) both start here.
// REQUIRES: as RunConfig::Of; `executor` runs `*config.spec`.
ScheduleRun PrepareExecution(const proto::Schedule& schedule, const RunConfig& config,
                             Executor& executor);

// Runs `schedule` once. REQUIRES: as RunConfig::Of.
ScheduleResult RunSchedule(const proto::Schedule& schedule,
                           const RunOptions& options = {});

}  // namespace smp

#endif  // SMPFUZZ_REPLAY_RUN_SCHEDULE_H_
