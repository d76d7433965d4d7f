#include "repro/minimize.h"

#include <string>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "repro/schedule_io.h"
#include "schedulers/search.h"

namespace smp {
namespace {

proto::Schedule FoundSchedule(const char* target, const char* variant,
                              uint64_t seed = 1) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find(target, variant);
  EXPECT_NE(spec, nullptr);
  SearchOptions o;
  o.seed = seed;
  o.runs = 10000;
  o.lockdep = false;  // the machine's own verdicts, not lockdep's predictions
  SearchResult r = RunSearch(*spec, o);
  EXPECT_EQ(r.findings.size(), 1u);
  return ScheduleOf(*spec, r.findings.at(0));
}

TEST(Minimize, KeepsTheSignatureAndNeverGrows) {
  for (const char* variant : {"abba_deadlock", "lost_wakeup", "racy_counter"}) {
    const proto::Schedule s = FoundSchedule("demo", variant);
    const std::string want = ReplaySchedule(s, nullptr).verdict.signature;
    absl::StatusOr<MinimizeResult> r = Minimize(s);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->verdict.signature, want) << variant;
    EXPECT_LE(r->decisions_after, r->decisions_before) << variant;
    EXPECT_EQ(ReplaySchedule(r->schedule, nullptr).verdict.signature, want);
    EXPECT_EQ(r->depth.total(), r->decisions_after);
  }
}

TEST(Minimize, AbbaNeedsExactlyOnePreemption) {
  absl::StatusOr<MinimizeResult> r = Minimize(FoundSchedule("demo", "abba_deadlock"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict.kind, VerdictKind::kDeadlock);
  EXPECT_EQ(r->depth.preemptions, 1);
  EXPECT_EQ(r->depth.total(), 1);
  EXPECT_GT(r->pct_bound, 0.0);
}

TEST(Minimize, MembarMisuseKeepsItsWeakModel) {
  absl::StatusOr<MinimizeResult> r =
      Minimize(FoundSchedule("membar", "mp_no_producer"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict.kind, VerdictKind::kMembarMisuse);
  EXPECT_EQ(ModelOf(r->schedule), MemoryModel::kPSO);
  EXPECT_GE(r->depth.reorderings, 1);
}

TEST(Minimize, ACleanScheduleHasNothingToKeep) {
  proto::Schedule s;
  s.set_version(2);
  s.set_target("demo");
  s.set_variant("abba_ordered");
  EXPECT_FALSE(Minimize(s).ok());
}

}  // namespace
}  // namespace smp
