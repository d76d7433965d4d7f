// What the dfly findings say. The acceptance every target shares (each bug
// found with its declared kind, each correct twin silent under all four
// memory models, replay byte for byte, the corpus) is dfly_test, generated
// by smp_target.
#include <string>
#include <utility>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

using target_testing::ExpectFinds;
using target_testing::SpecOf;

TEST(Dfly, CriticalSectionWithoutTheMpLockLosesAnUpdate) {
  const Finding f = ExpectFinds(SpecOf("dfly", "crit_no_mplock"), 21, 5000);
  EXPECT_NE(f.verdict.message.find("update was lost"), std::string::npos)
      << f.verdict.message;
}

// The plain store shows two ways: it wipes the hold of a handler that
// started in between (the handler runs on after stop's teardown: the
// declared assertion), or it brings back the hold of one that finished in
// between (nobody holds the serializer and stop spins on it: a deadlock).
// The search goes on past the deadlock to the declared kind.
TEST(Dfly, DisableFlagWithoutALockedCycleLetsTheHandlerRunOn) {
  SearchOptions o;
  o.seed = 21;
  o.runs = 20000;
  o.all_findings = true;
  o.stop_kind = VerdictKind::kAssertion;
  const SearchResult r = RunSearch(SpecOf("dfly", "defer_plain_flag"), o);
  bool assertion = false;
  for (const Finding& f : r.findings) {
    EXPECT_TRUE(f.verdict.kind == VerdictKind::kAssertion ||
                f.verdict.kind == VerdictKind::kDeadlock)
        << f.verdict.message;
    assertion |= f.verdict.kind == VerdictKind::kAssertion;
  }
  EXPECT_TRUE(assertion) << "defer_plain_flag not found as an assertion";
}

// The race detector knows a critical section blocks its CPU's interrupts
// (smp_crit_view): the twins that protect per-CPU data with one alone are
// silent under it, and the variant that drops the MP lock is a race.
TEST(Dfly, TheRaceDetectorCountsCriticalSections) {
  SearchOptions o;
  o.seed = 21;
  o.runs = 2000;
  o.detect_races = true;
  for (const char* twin : {"crit_mplock", "start_ipiq", "netisr_local"}) {
    const SearchResult r = RunSearch(SpecOf("dfly", twin), o);
    EXPECT_EQ(r.executions, 2000u) << twin;
    for (const Finding& f : r.findings) ADD_FAILURE() << twin << ": " << f.verdict.message;
  }
  const SearchResult r = RunSearch(SpecOf("dfly", "crit_no_mplock"), o);
  ASSERT_FALSE(r.findings.empty());
  EXPECT_EQ(r.findings[0].verdict.kind, VerdictKind::kDataRace) << r.findings[0].verdict.message;
}

}  // namespace
}  // namespace smp
