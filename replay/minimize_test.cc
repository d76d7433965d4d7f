#include "replay/minimize.h"

#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "core/trace.h"
#include "gtest/gtest.h"
#include "replay/findings.h"
#include "replay/schedule_io.h"
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

// Issue 19: the no-preemption base keeps stores buffered by itself, so a
// store->load bug needs no DRAIN decision; its depth still counts the
// reordering the verdict says it needs.
TEST(Minimize, DepthCountsAReorderingTheBaseMadeByItself) {
  absl::StatusOr<MinimizeResult> r =
      Minimize(FoundSchedule("sleep", "mutex_exit_no_barrier"));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->verdict.kind, VerdictKind::kMembarMisuse);
  int explicit_reorderings = 0;
  for (const proto::Decision& d : r->schedule.decisions()) {
    explicit_reorderings += d.action() == proto::DRAIN || d.action() == proto::READ_FROM;
  }
  EXPECT_EQ(explicit_reorderings, 0);
  // Over kern's mutex(9) both CPUs run the same mutex_exit, and this
  // schedule needs the store->load reordering of each (forbidding either
  // one cures it): the count is what the verdict lists, never 0.
  EXPECT_GE(r->depth.reorderings, 1);
  EXPECT_EQ(r->depth.reorderings, r->verdict.reorderings_needed);
  EXPECT_NE(MinimizeSummary(*r).find(std::to_string(r->depth.reorderings) +
                                     " reordering(s)"),
            std::string::npos)
      << MinimizeSummary(*r);
}

// Dekker with membar_enter between each store and load: correct under the
// historical "store before load/store" meaning, broken under acquire.
class EnterDekker : public Scenario {
 public:
  explicit EnterDekker(Machine& m) : m_(m), x_(m, "x"), y_(m, "y") {
    for (int t = 0; t < 2; ++t) {
      m.AddThread(t == 0 ? "left" : "right", t, [this, t] {
        (t == 0 ? x_ : y_).Store(1);
        m_.Membar(Barrier::kEnter);
        seen_[t] = (t == 0 ? y_ : x_).Load();
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, seen_[0] == 1 || seen_[1] == 1, "one side sees the other");
  }

 private:
  Machine& m_;
  Shared<int> x_, y_;
  int seen_[2] = {};
};
SMP_SCENARIO(EnterDekker, .target = "minimize_test", .variant = "enter_dekker",
             .description = "Dekker relying on the historical membar_enter",
             .expected = VerdictKind::kMembarMisuse, .cpus = 2, .max_steps = 200,
             .memory_model = MemoryModel::kTSO);

// Issue 19: a verdict that depends on membar_enter's meaning says so, and
// which meaning shows it, in a search's finding and in a replay.
TEST(Minimize, ExplanationSaysTheVerdictDependsOnMembarEnter) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find("minimize_test",
                                                             "enter_dekker");
  ASSERT_NE(spec, nullptr);
  SearchOptions o;
  o.runs = 2000;
  const SearchResult r = RunSearch(*spec, o);
  ASSERT_EQ(r.findings.size(), 1u);
  const std::string want = "depends on membar_enter's meaning";
  const std::string& message = r.findings[0].verdict.message;
  EXPECT_NE(message.find(want), std::string::npos) << message;
  EXPECT_NE(message.find("shows under the acquire meaning"), std::string::npos)
      << message;
  Trace trace;
  const Execution e = ReplaySchedule(ScheduleOf(*spec, r.findings[0]), &trace);
  EXPECT_EQ(e.verdict.kind, VerdictKind::kMembarMisuse);
  EXPECT_NE(e.verdict.message.find(want), std::string::npos) << e.verdict.message;
  // The historical meaning is clean: nothing to say about the other one.
  o.enter_meaning = EnterMeaning::kStoreBefore;
  EXPECT_TRUE(RunSearch(*spec, o).findings.empty());
  // A verdict that does not depend on it says nothing.
  const ScenarioSpec* mp = ScenarioRegistry::Global().Find("membar", "mp_no_producer");
  ASSERT_NE(mp, nullptr);
  o.enter_meaning.reset();
  const SearchResult m = RunSearch(*mp, o);
  ASSERT_FALSE(m.findings.empty());
  EXPECT_EQ(m.findings[0].verdict.message.find(want), std::string::npos);
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
