// The uart target's acceptance, the checks docs/porting-a-driver.md tells
// a driver's author to keep: each bug variant found with its declared kind,
// the driver as written silent under all four memory models, and replay
// byte-identical.
#include "gtest/gtest.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

using target_testing::ExpectFinds;
using target_testing::SpecOf;

TEST(Uart, AdaptiveLockInTheInterruptIsLockMisuse) {
  const Finding f = ExpectFinds(SpecOf("uart", "read_adaptive_lock"), 1, 2000);
  EXPECT_NE(f.verdict.message.find("sc_lock"), std::string::npos)
      << f.verdict.message;
}

TEST(Uart, CheckThenSleepUnderTwoHoldsLosesTheWakeup) {
  const Finding f = ExpectFinds(SpecOf("uart", "read_check_unlocked"), 1, 20000);
  EXPECT_NE(f.verdict.message.find("reader"), std::string::npos) << f.verdict.message;
}

TEST(Uart, TheDriverAsWrittenIsSilentUnderEveryModel) {
  target_testing::ExpectSilentUnderEveryModel(SpecOf("uart", "read"), 7, 3000);
}

TEST(Uart, ReplayGivesByteIdenticalTraces) {
  target_testing::ExpectByteIdenticalReplay("uart", 50);
}

}  // namespace
}  // namespace smp
