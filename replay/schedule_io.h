// Reading and writing schedules, and turning them into executions.
//
// A schedule file is a Schedule message (schedulers/schedule.proto) in
// text format (what smpfuzz writes: readable, hand-editable) or binary
// (what libFuzzer keeps). Reading checks everything a replay relies on:
// the version, that the target and variant are registered, sane sizes.
// Every problem is an absl::Status whose message says which and why.
#ifndef SMPFUZZ_REPLAY_SCHEDULE_IO_H_
#define SMPFUZZ_REPLAY_SCHEDULE_IO_H_

#include <memory>
#include <string>
#include <vector>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/scenario.h"
#include "schedulers/schedule.pb.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/schedule_scheduler.h"
#include "schedulers/search.h"

namespace smp {

constexpr uint32_t kScheduleVersion = 2;  // written; 1 and 2 are read

// Parses `bytes` as text format, else as binary; then validates it.
absl::StatusOr<proto::Schedule> ParseSchedule(std::string_view bytes);
absl::StatusOr<proto::Schedule> ReadScheduleFile(const std::string& path);

// The scenario a valid schedule names. REQUIRES: ParseSchedule accepted it.
const ScenarioSpec& ScenarioOf(const proto::Schedule& schedule);
// The memory model and membar_enter meaning the schedule runs under (the
// scenario's own where the schedule says default).
MemoryModel ModelOf(const proto::Schedule& schedule);
EnterMeaning EnterOf(const proto::Schedule& schedule);

// The schedule that replays `finding` of `spec` (version 2: its sparse
// decisions over the no-preemption base).
proto::Schedule ScheduleOf(const ScenarioSpec& spec, const Finding& finding);

// Sparse decisions <-> their proto form.
std::vector<SparseDecision> DecisionsOf(const proto::Schedule& schedule);
void SetDecisions(const std::vector<SparseDecision>& decisions,
                  proto::Schedule* schedule);

// A scheduler that replays `schedule` (either version). REQUIRES: valid.
// `replay` is set for version 1 (to report divergence), `sparse` for 2.
struct ScheduleRun {
  std::unique_ptr<Scheduler> scheduler;
  const ReplayScheduler* replay = nullptr;
  const ScheduleScheduler* sparse = nullptr;
};
ScheduleRun SchedulerFor(const proto::Schedule& schedule);

std::string ScheduleToText(const proto::Schedule& schedule);
absl::Status WriteFile(const std::string& path, std::string_view contents);
// Writes `contents` to a temporary file beside `path` (named by host and
// process, so writers on different machines sharing the folder never
// collide) and renames it onto `path`: a reader, on this machine or over
// a shared file system, sees the old file or the whole new one, never
// part of it. The temporary file is removed on failure.
absl::Status WriteFileAtomic(const std::string& path, std::string_view contents);
// The name WriteFileAtomic and SaveFinding give their temporary files and
// folders beside `path`: `path`.tmp.<host>.<pid>.
std::string TempPathBeside(const std::string& path);

}  // namespace smp

#endif  // SMPFUZZ_REPLAY_SCHEDULE_IO_H_
