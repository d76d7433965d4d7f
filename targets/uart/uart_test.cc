// What the uart's findings say. The acceptance docs/porting-a-driver.md
// tells a driver's author to keep (each bug variant found with its
// declared kind, the driver as written silent under all four memory
// models, replay byte-identical, the corpus) is uart_test, which
// smp_target generates for every target.
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

}  // namespace
}  // namespace smp
