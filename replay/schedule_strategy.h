// Saved schedules as a search: the search driver's strategy whose
// executions are a given sequence of schedules, each replayed as
// RunSchedule replays it (replay/run_schedule.h: the schedule's own
// memory model, membar_enter meaning, step budget and decisions; lockdep
// on, races as the scenario declares). Through Drive
// (schedulers/search_driver.h) the schedules get what every search gets:
// counting, deduplication by raw signature, confirmation (two recorded
// replays that must agree byte for byte, schedulers/confirm.h) and the
// stopping rule. `smpfuzz replay DIR` is its user: "which of my findings
// still reproduce?".
//
// It lives in replay/, not schedulers/, because it turns schedules into
// executions with replay/'s pieces (RunConfig, PrepareExecution), and
// replay/ depends on schedulers/, never the other way round.
//
// Thread safety: none; one strategy, its executor and its schedules on
// one OS thread.
#ifndef SMPFUZZ_REPLAY_SCHEDULE_STRATEGY_H_
#define SMPFUZZ_REPLAY_SCHEDULE_STRATEGY_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "core/executor.h"
#include "core/scheduler.h"
#include "core/verdict.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "schedulers/schedule.pb.h"
#include "schedulers/search_driver.h"

namespace smp {

// Execution i is schedules[i], for i from 0; every execution is counted
// (Outcome::kCounted), so a finding's Finding::execution is the index of
// the schedule that showed it first. The space is complete after the last
// schedule.
class ScheduleStrategy : public SearchStrategy {
 public:
  // What one schedule's execution was.
  struct Replayed {
    Verdict raw;            // as it ended, before classification
    bool diverged = false;  // it named choices this build does not offer
                            // there, or points it never reached (recorded
                            // on other code, or edited): `replay FILE`
                            // says which
  };

  // REQUIRES: `schedules` is not empty; ParseSchedule accepted each, and
  // each names `executor`'s scenario; they and `executor` outlive this.
  ScheduleStrategy(Executor& executor, std::vector<const proto::Schedule*> schedules);

  // Configures the executor for the current schedule (PrepareExecution)
  // and returns the scheduler that replays it.
  Scheduler& Next() override;
  // The current schedule's budget (0: the scenario's).
  std::optional<uint64_t> max_steps() const override;
  Outcome Done(const Execution& e) override;
  bool Advance() override;

  // One entry per schedule run so far, in order.
  const std::vector<Replayed>& replayed() const { return replayed_; }

 private:
  // Constant after construction.
  Executor& executor_;
  const std::vector<const proto::Schedule*> schedules_;

  size_t index_ = 0;  // the current schedule
  RunConfig config_;  // its configuration
  ScheduleRun run_;   // its scheduler, valid from Next() to Done()
  std::vector<Replayed> replayed_;
};

// What one schedule of ReplaySchedules ended as.
struct ScheduleVerdict {
  // Clean, or the confirmed finding's verdict (classified: a membar
  // misuse is reported as one, as `smpfuzz replay FILE` does; a
  // nondeterminism verdict if its confirmation failed). A schedule whose
  // raw signature an earlier one with the same scenario, memory model,
  // membar_enter meaning and step budget already showed shares that one's
  // finding, as in any search: it is not confirmed twice.
  Verdict verdict;
  Verdict raw;         // as the execution ended, before classification
  bool diverged = false;
  bool duplicate = false;  // its finding is an earlier schedule's
};

struct ScheduleReplayResult {
  std::vector<ScheduleVerdict> schedules;  // in the order given
  // Added up over the scenarios: executions (one per schedule), steps and
  // the distinct confirmed findings (distinct within each scenario), in
  // the order the schedules show them, each Finding::execution the index
  // in `schedules` of the first that shows it; complete when every
  // schedule ran.
  SearchTally tally;
};

// Replays every schedule through Drive with a ScheduleStrategy, keeping
// every finding (SearchSettings::all_findings): one executor and one
// Drive per setting (scenario, memory model, membar_enter meaning, step
// budget), in the order they first appear.
// REQUIRES: ParseSchedule accepted each schedule.
ScheduleReplayResult ReplaySchedules(const std::vector<proto::Schedule>& schedules);

}  // namespace smp

#endif  // SMPFUZZ_REPLAY_SCHEDULE_STRATEGY_H_
