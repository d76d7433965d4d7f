// kern_dfly's primitives, one known execution each under no preemption
// (kern_dfly_unit.c): critical sections defer interrupts to the outermost
// crit_exit, the MP lock is recursive per CPU and handlers run under it, a
// held serializer defers its handler and a disabled one drops it, IPI
// messages run on their target; and the misuses end with lockdep's or an
// assertion's verdict.
#include "core/executor.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/no_preemption.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

using target_testing::SpecOf;

// Runs the scenario once under no preemption; expects its declared kind.
void ExpectOwnVerdict(const char* variant) {
  const ScenarioSpec& spec = SpecOf("kern_dfly_unit", variant);
  Executor executor(spec);
  NoPreemptionScheduler none;
  const Verdict v = executor.Run(none).verdict;
  EXPECT_EQ(VerdictKindName(v.kind), VerdictKindName(spec.expected)) << v.message;
}

TEST(CritSection, DefersAnInterruptToTheOutermostExit) { ExpectOwnVerdict("crit_defers"); }
TEST(CritSection, UnbalancedExitIsAnAssertion) { ExpectOwnVerdict("crit_unbalanced"); }
TEST(MpLock, IsRecursivePerCpuAndHandlersRunUnderIt) { ExpectOwnVerdict("mplock"); }
TEST(MpLock, ReleasingItUnheldIsLockMisuse) { ExpectOwnVerdict("mplock_unheld"); }
TEST(Serializer, DefersItsHandlerAndDropsItWhenDisabled) { ExpectOwnVerdict("serializer"); }
TEST(Serializer, EnteringItTwiceIsLockMisuse) { ExpectOwnVerdict("serializer_recursion"); }
TEST(Ipiq, MessagesRunOnTheirTarget) { ExpectOwnVerdict("ipiq"); }

}  // namespace
}  // namespace smp
