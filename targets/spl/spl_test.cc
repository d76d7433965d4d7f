// The spl target, through registered scenarios (the kernel's C spl,
// kern/spl.c and kern/spl_lazy.c): first the calls one at a time under no
// preemption (the test-only target spl_unit, checked from inside with
// KASSERT), then the spl scenarios under the random scheduler with fixed
// seeds: every bug variant is found with its declared verdict kind, every
// correct variant stays silent under all four memory models, and every
// execution replays to a byte-identical trace.
#include <cstdint>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/no_preemption.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

using target_testing::ExpectFinds;
using target_testing::SpecOf;

// How long every correct variant must stay silent under each model:
// 10 000 executions in the default test, 100 000 in the *_silence_test
// target (see BUILD.bazel and docs/targets.md).
#ifndef SMP_SILENT_RUNS
#define SMP_SILENT_RUNS 10000
#endif
constexpr uint64_t kSilentRuns = SMP_SILENT_RUNS;

// Runs spl_unit/`variant` once under no preemption and returns the verdict.
Verdict RunOnce(const std::string& variant) {
  Executor executor(SpecOf("spl_unit", variant));
  NoPreemptionScheduler none;
  return executor.Run(none).verdict;
}

// ---------------------------------------------------------------------------
// Levels

TEST(Ipl, NetbsdLevelsAreAHierarchyAndHistoricalOnesAreNot) {
  const Verdict v = RunOnce("levels");
  EXPECT_TRUE(v.clean()) << v.message;
}

// ---------------------------------------------------------------------------
// Hardware masking

TEST(HardSpl, SplraiseNeverLowersAndSplxRestores) {
  const Verdict v = RunOnce("hard_raise");
  EXPECT_TRUE(v.clean()) << v.message;
}

TEST(HardSpl, TheRaiseCanLowerBugLowersTheMask) {
  const Verdict v = RunOnce("hard_raise_lowers");
  EXPECT_EQ(v.kind, VerdictKind::kAssertion);
  EXPECT_NE(v.message.find("splraise never lowers"), std::string::npos)
      << v.message;
}

// ---------------------------------------------------------------------------
// Lazy deferral

TEST(LazySpl, DefersAnInterruptItsLevelBlocksAndReplaysItInSplx) {
  const Verdict v = RunOnce("lazy_defer");
  EXPECT_TRUE(v.clean()) << v.message;
}

TEST(LazySpl, TheNoReplayBugLeavesItPending) {
  const Verdict v = RunOnce("lazy_defer_no_replay");
  EXPECT_EQ(v.kind, VerdictKind::kAssertion);
  EXPECT_NE(v.message.find("splx replays it"), std::string::npos) << v.message;
}

TEST(LazySpl, HistoricalSplbioAndSplnetAreUnordered) {
  Verdict v = RunOnce("unordered_historical");
  EXPECT_TRUE(v.clean()) << v.message;
  v = RunOnce("unordered_ordered");
  EXPECT_TRUE(v.clean()) << v.message;
}

// ---------------------------------------------------------------------------
// The registered scenarios

std::vector<const ScenarioSpec*> Variants(bool bugs) {
  std::vector<const ScenarioSpec*> out;
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget("spl")) {
    if ((spec->expected != VerdictKind::kClean) == bugs) out.push_back(spec);
  }
  return out;
}

TEST(SplScenarios, EveryBugVariantIsFoundWithItsExactVerdict) {
  ASSERT_EQ(Variants(true).size(), 6u);
  for (const ScenarioSpec* spec : Variants(true)) {
    ExpectFinds(*spec, /*seed=*/20261123);
  }
}

TEST(SplScenarios, CorrectVariantsAreTheDeclaredOnes) {
  std::vector<std::string> names;
  for (const ScenarioSpec* spec : Variants(false)) names.push_back(spec->variant);
  EXPECT_EQ(names.size(), 5u);
}

// One test per correct variant and memory model, so the silence target
// can shard.
class Silent : public ::testing::TestWithParam<target_testing::SilentCase> {};

TEST_P(Silent, UnderTheModel) {
  target_testing::ExpectSilent(SpecOf("spl", GetParam().variant), /*seed=*/7,
                               kSilentRuns, GetParam().model);
}

INSTANTIATE_TEST_SUITE_P(SplScenarios, Silent,
                         ::testing::ValuesIn(target_testing::SilentCases("spl")),
                         target_testing::SilentCaseName);

TEST(SplScenarios, SplxWithoutReplayLosesTheDiskInterrupt) {
  const Finding f = ExpectFinds(SpecOf("spl", "splx_no_replay"), 1);
  EXPECT_NE(f.verdict.message.find("thread t0 parked on 'bufwait'"),
            std::string::npos)
      << f.verdict.message;
  // The trace shows the interrupt deferred and no replay.
  EXPECT_NE(f.trace_text.find("cas cpu0.ci_data.cpu_ipending 0 -> "), std::string::npos);
}

TEST(SplScenarios, TheSplxWindowDefersAnInterruptAfterTheLastCheck) {
  const Finding f = ExpectFinds(SpecOf("spl", "splx_window"), 1);
  // After the pending check (with interrupts off) comes "interrupts on",
  // the deferral, and only then the lowering store.
  const size_t on = f.trace_text.rfind("thread t0: interrupts on");
  const size_t pend = f.trace_text.rfind("cas cpu0.ci_data.cpu_ipending 0 -> ");
  const size_t lower = f.trace_text.rfind("thread t0: store cpu0.ci_data.cpu_ilevel_mask = 0");
  ASSERT_NE(pend, std::string::npos) << f.trace_text;
  EXPECT_LT(on, pend) << f.trace_text;
  EXPECT_LT(pend, lower) << f.trace_text;
}

TEST(SplScenarios, ReplayGivesByteIdenticalTraces) {
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget("spl")) {
    Executor executor(*spec);
    for (uint64_t i = 0; i < 200; ++i) {
      RandomScheduler random(ExecutionSeed(31, i));
      Trace first;
      const Execution e = executor.Run(random, 0, &first);
      ReplayScheduler replay(e.picks, 0);
      Trace second;
      executor.Run(replay, 0, &second);
      ASSERT_EQ(first.RenderText(), second.RenderText())
          << spec->name() << " execution " << i;
    }
  }
}

}  // namespace
}  // namespace smp
