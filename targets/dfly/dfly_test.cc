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

}  // namespace
}  // namespace smp
