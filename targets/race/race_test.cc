// The race detector reports each race variant with its two sites and stays
// silent on the twins.
#include <string>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

SearchResult Search(const char* variant, uint64_t runs, uint64_t seed = 11) {
  return target_testing::Search(target_testing::SpecOf("race", variant), seed, runs);
}

TEST(RaceDetector, UnmaskedThreadAndHandlerOnOneCpuRace) {
  SearchResult r = Search("thread_handler_unmasked", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  const Verdict& v = r.findings[0].verdict;
  EXPECT_EQ(v.kind, VerdictKind::kDataRace) << v.message;
  EXPECT_NE(v.message.find("on CPU0: thread t"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("handler 'dev' (level 5)"), std::string::npos);
  EXPECT_NE(v.message.find("Raise the mask to 5"), std::string::npos);
}

TEST(RaceDetector, CrossCpuUnlockedCounterRaces) {
  SearchResult r = Search("cross_cpu_unlocked", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].verdict.kind, VerdictKind::kDataRace)
      << r.findings[0].verdict.message;
  EXPECT_NE(r.findings[0].verdict.message.find("CPU0"), std::string::npos);
  EXPECT_NE(r.findings[0].verdict.message.find("CPU1"), std::string::npos);
}

TEST(RaceDetector, FlagWithoutBarriersRacesEvenUnderSc) {
  SearchResult r = Search("flag_no_barrier", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].verdict.kind, VerdictKind::kDataRace);
  EXPECT_NE(r.findings[0].verdict.message.find("data race on 'data'"),
            std::string::npos);
}

TEST(RaceDetector, TwinsAreSilent) {
  for (const char* variant :
       {"thread_handler_masked", "cross_cpu_locked", "flag_release_acquire"}) {
    SearchResult r = Search(variant, 10000, 3);
    EXPECT_EQ(r.executions, 10000u) << variant;
    for (const Finding& f : r.findings) {
      ADD_FAILURE() << variant << ": " << f.verdict.message;
    }
  }
}

TEST(RaceDetector, CorrectDemoScenariosAreRaceFree) {
  for (const char* variant : {"abba_ordered", "intr_masked", "spinlock_counter",
                              "wakeup_interlocked"}) {
    const ScenarioSpec* spec = ScenarioRegistry::Global().Find("demo", variant);
    ASSERT_NE(spec, nullptr) << variant;
    SearchOptions o;
    o.seed = 5;
    o.runs = 5000;
    o.detect_races = true;
    SearchResult r = RunSearch(*spec, o);
    for (const Finding& f : r.findings) {
      ADD_FAILURE() << variant << ": " << f.verdict.message;
    }
  }
}

TEST(RaceDetector, UnlockedDemoCounterRaces) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find("demo", "racy_counter");
  ASSERT_NE(spec, nullptr);
  SearchOptions o;
  o.seed = 5;
  o.runs = 1000;
  o.detect_races = true;
  SearchResult r = RunSearch(*spec, o);
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_EQ(r.findings[0].verdict.kind, VerdictKind::kDataRace);
}

TEST(RaceDetector, EveryRaceScenarioDeclaresWhatItFinds) {
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget("race")) {
    SearchOptions o;
    o.seed = 99;
    o.runs = 10000;
    SearchResult r = RunSearch(*spec, o);
    const VerdictKind got =
        r.findings.empty() ? VerdictKind::kClean : r.findings[0].verdict.kind;
    EXPECT_EQ(got, spec->expected) << spec->name();
  }
}

}  // namespace
}  // namespace smp
