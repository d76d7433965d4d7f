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

TEST(Sleep, CorrectVariantsAreSilentUnderEveryModel) {
  for (const char* variant : {"cv_handoff", "cv_loop", "mtsleep_interlocked"}) {
    target_testing::ExpectSilentUnderEveryModel(
        target_testing::SpecOf("sleep", variant), 17, 5000);
  }
}

}  // namespace
}  // namespace smp
