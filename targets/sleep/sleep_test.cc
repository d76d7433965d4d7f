// Each sleep bug is found with its exact verdict; the correct variants are
// silent under every memory model.
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

SearchResult Search(const char* variant, uint64_t runs,
                    std::optional<MemoryModel> model = std::nullopt) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find("sleep", variant);
  EXPECT_NE(spec, nullptr) << variant;
  SearchOptions o;
  o.seed = 17;
  o.runs = runs;
  o.memory_model = model;
  return RunSearch(*spec, o);
}

TEST(Sleep, CheckUnlockSleepLosesTheWakeup) {
  SearchResult r = Search("check_unlock_sleep", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].verdict.kind, VerdictKind::kLostWakeup)
      << r.findings[0].verdict.message;
  EXPECT_NE(r.findings[0].verdict.message.find("came before it parked"),
            std::string::npos);
}

TEST(Sleep, CvWaitWithoutALoopTakesAnItemThatIsGone) {
  SearchResult r = Search("cv_no_loop", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].verdict.kind, VerdictKind::kAssertion)
      << r.findings[0].verdict.message;
  EXPECT_NE(r.findings[0].verdict.signature.find("an item to take"), std::string::npos);
}

TEST(Sleep, MutexExitWithoutBarrierMissesASleeperUnderTso) {
  SearchResult r = Search("mutex_exit_no_barrier", 10000);
  ASSERT_FALSE(r.findings.empty());
  const Verdict& v = r.findings[0].verdict;
  EXPECT_EQ(v.kind, VerdictKind::kMembarMisuse) << v.message;
  EXPECT_NE(v.message.find("membar_sync"), std::string::npos) << v.message;
}

// How long every correct variant must stay silent under each model:
// 5000 executions here, 100 000 in sleep_silence_test (BUILD.bazel).
#ifndef SMP_SILENT_RUNS
#define SMP_SILENT_RUNS 5000
#endif

class Silent : public ::testing::TestWithParam<target_testing::SilentCase> {};

TEST_P(Silent, UnderTheModel) {
  target_testing::ExpectSilent(
      target_testing::SpecOf("sleep", GetParam().variant), 17,
      SMP_SILENT_RUNS, GetParam().model);
}

INSTANTIATE_TEST_SUITE_P(SleepScenarios, Silent,
                         ::testing::ValuesIn(target_testing::SilentCases("sleep")),
                         target_testing::SilentCaseName);

}  // namespace
}  // namespace smp
