// The nic target's acceptance: each discipline's mistakes found with their
// declared verdicts, each discipline's correct build silent under all four
// memory models, and replay byte for byte.
#include <string>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

using target_testing::ExpectFinds;
using target_testing::SpecOf;

TEST(Nic, EachDisciplinesMistakesAreFoundWithTheirVerdicts) {
  for (const char* variant :
       {"spl_giant_no_spl", "spl_giant_no_giant", "mutex_no_lock", "mutex_adaptive",
        "serializer_no_lock", "serializer_crit_only"}) {
    SCOPED_TRACE(variant);
    ExpectFinds(SpecOf("nic", variant), 5, 10000);
  }
}

TEST(Nic, AdaptiveMutexInTheInterruptNamesTheMutex) {
  const Finding f = ExpectFinds(SpecOf("nic", "mutex_adaptive"), 5, 1000);
  EXPECT_NE(f.verdict.message.find("nic0.sc_mtx"), std::string::npos) << f.verdict.message;
}

TEST(Nic, ReplayIsByteIdentical) { target_testing::ExpectByteIdenticalReplay("nic", 20); }

#ifndef SMP_SILENT_RUNS
#define SMP_SILENT_RUNS 2000
#endif

class Silent : public ::testing::TestWithParam<target_testing::SilentCase> {};

TEST_P(Silent, UnderTheModel) {
  target_testing::ExpectSilent(target_testing::SpecOf("nic", GetParam().variant), 5,
                               SMP_SILENT_RUNS, GetParam().model);
}

INSTANTIATE_TEST_SUITE_P(NicScenarios, Silent,
                         ::testing::ValuesIn(target_testing::SilentCases("nic")),
                         target_testing::SilentCaseName);

}  // namespace
}  // namespace smp
