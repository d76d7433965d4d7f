// ScheduleStrategy through the search driver: corpus schedules counted,
// deduplicated by signature, confirmed, a clean one silent, each verdict
// the one `smpfuzz replay FILE` (RunSchedule with classification) gives.
#include "replay/schedule_strategy.h"

#include <string>
#include <vector>

#include "core/executor.h"
#include "core/verdict.h"
#include "gtest/gtest.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "schedulers/search_driver.h"

namespace smp {
namespace {

// Tests run at the workspace root of their runfiles: corpus/ is there.
proto::Schedule Load(const std::string& path) {
  absl::StatusOr<proto::Schedule> s = ReadScheduleFile(path);
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? *s : proto::Schedule();
}

constexpr char kLostWakeup[] = "corpus/demo/regressions/lost_wakeup.textproto";
constexpr char kAbba[] = "corpus/demo/regressions/abba_deadlock.textproto";
constexpr char kOrdered[] = "corpus/demo/seed-abba_ordered.textproto";
constexpr char kRace[] = "corpus/race/regressions/flag_no_barrier.textproto";
constexpr char kMembar[] = "corpus/membar/regressions/mp_no_producer.textproto";

TEST(ScheduleStrategy, DriveCountsEveryScheduleAndConfirmsEachSignatureOnce) {
  // One scenario's schedules on one executor: lost_wakeup twice, and the
  // same again after abba_deadlock's (another variant of demo).
  const proto::Schedule lost = Load(kLostWakeup);
  Executor executor(ScenarioOf(lost));
  ScheduleStrategy strategy(executor, {&lost, &lost, &lost});
  SearchSettings settings;
  settings.all_findings = true;
  SearchTally tally;
  Drive(executor, strategy, 10, settings, &tally);
  EXPECT_EQ(tally.executions, 3u);
  EXPECT_TRUE(tally.complete);
  ASSERT_EQ(tally.findings.size(), 1u);
  EXPECT_EQ(tally.findings[0].execution, 0u);
  EXPECT_EQ(tally.findings[0].verdict.kind, VerdictKind::kLostWakeup);
  ASSERT_EQ(strategy.replayed().size(), 3u);
  for (const ScheduleStrategy::Replayed& r : strategy.replayed()) {
    EXPECT_EQ(r.raw.signature, tally.findings[0].verdict.signature);
    EXPECT_FALSE(r.diverged);
  }
}

TEST(ScheduleStrategy, StopsAtTheFirstFindingUnlessAllFindings) {
  const proto::Schedule lost = Load(kLostWakeup);
  Executor executor(ScenarioOf(lost));
  ScheduleStrategy strategy(executor, {&lost, &lost});
  SearchTally tally;
  Drive(executor, strategy, 10, SearchSettings(), &tally);
  EXPECT_EQ(tally.executions, 1u);
  EXPECT_FALSE(tally.complete);
  EXPECT_EQ(tally.findings.size(), 1u);
}

TEST(ReplaySchedules, EachScheduleEndsAsRunScheduleSaysUnderItsOwnSettings) {
  // Three scenarios (demo, race, membar under PSO), a clean schedule and a
  // duplicate, in an order that interleaves the scenarios.
  const std::vector<proto::Schedule> schedules = {
      Load(kLostWakeup), Load(kRace),   Load(kOrdered),
      Load(kAbba),       Load(kMembar), Load(kLostWakeup)};
  const ScheduleReplayResult r = ReplaySchedules(schedules);
  ASSERT_EQ(r.schedules.size(), schedules.size());
  EXPECT_EQ(r.tally.executions, schedules.size());
  EXPECT_TRUE(r.tally.complete);

  const VerdictKind expected[] = {VerdictKind::kLostWakeup, VerdictKind::kDataRace,
                                  VerdictKind::kClean,      VerdictKind::kLockOrder,
                                  VerdictKind::kMembarMisuse, VerdictKind::kLostWakeup};
  for (size_t i = 0; i < schedules.size(); ++i) {
    SCOPED_TRACE(i);
    RunOptions options;
    options.classify = true;
    const ScheduleResult alone = RunSchedule(schedules[i], options);
    EXPECT_EQ(r.schedules[i].verdict.kind, expected[i]);
    EXPECT_EQ(r.schedules[i].verdict.kind, alone.execution.verdict.kind);
    EXPECT_EQ(r.schedules[i].verdict.signature, alone.execution.verdict.signature);
    EXPECT_EQ(r.schedules[i].raw.signature, alone.raw.signature);
    EXPECT_FALSE(r.schedules[i].diverged);
    EXPECT_EQ(r.schedules[i].duplicate, i == 5);
  }
  // Four distinct findings, in schedule order, each named by the first
  // schedule that shows it; the clean one and the duplicate add none.
  ASSERT_EQ(r.tally.findings.size(), 4u);
  EXPECT_EQ(r.tally.findings[0].execution, 0u);
  EXPECT_EQ(r.tally.findings[1].execution, 1u);
  EXPECT_EQ(r.tally.findings[2].execution, 3u);
  EXPECT_EQ(r.tally.findings[3].execution, 4u);
  EXPECT_EQ(r.tally.findings[3].memory_model, MemoryModel::kPSO);
}

TEST(ScheduleStrategy, NamesASchedulesDivergence) {
  // A decision no execution of lost_wakeup reaches: replayed, but diverged.
  proto::Schedule edited = Load(kLostWakeup);
  proto::Decision* d = edited.add_decisions();
  d->set_at_cpu(0);
  d->set_at(1000000);
  d->set_action(proto::RUN);
  d->set_cpu(1);
  const ScheduleReplayResult r = ReplaySchedules({edited});
  ASSERT_EQ(r.schedules.size(), 1u);
  EXPECT_TRUE(r.schedules[0].diverged);
}

}  // namespace
}  // namespace smp
