#include "schedulers/bounded_estimate.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/bounded.h"

namespace smp {
namespace {

const ScenarioSpec& Spec(const std::string& target, const std::string& variant) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find(target, variant);
  EXPECT_NE(spec, nullptr) << target << "/" << variant;
  return *spec;
}

TEST(BoundedEstimate, SameSeedSameEstimate) {
  BoundedOptions o;
  const BoundedEstimate a = EstimateBounded(Spec("demo", "intr_masked"), o, 200, 7);
  const BoundedEstimate b = EstimateBounded(Spec("demo", "intr_masked"), o, 200, 7);
  EXPECT_EQ(a.executions, b.executions);
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.probes, 200u);
}

TEST(BoundedEstimate, OneLeafIsEstimatedExactly) {
  // With no budget race/thread_handler_masked has no choice to make: the
  // search runs the base alone, and every probe says 1.
  BoundedOptions o;
  o.bounds = Bounds{0, 0, 0};
  const ScenarioSpec& spec = Spec("race", "thread_handler_masked");
  const BoundedResult exact = RunBounded(spec, o);
  ASSERT_TRUE(exact.complete);
  ASSERT_EQ(exact.executions, 1u);
  const BoundedEstimate e = EstimateBounded(spec, o, 100, 1);
  EXPECT_EQ(e.executions, 1.0);
  EXPECT_EQ(e.standard_error, 0.0);
}

// A budget of 3 * 64 and a long execution overflow a double in the
// subtree guess unless it is kept in logs: the estimate stays finite.
TEST(BoundedEstimate, HugeBudgetsStayFinite) {
  BoundedOptions o;
  o.bounds = Bounds{64, 64, 64};
  const BoundedEstimate e = EstimateBounded(Spec("demo", "spinlock_counter"), o, 20, 1);
  EXPECT_TRUE(std::isfinite(e.executions)) << e.executions;
  EXPECT_GT(e.executions, 1.0);
}

// The estimate lands near the count the search runs, on scenarios small
// enough to exhaust: within four standard errors, and the error itself
// within a quarter of the count. Covers SC, PSO with the drain reduction
// (spinlock_fixed) and the relaxed model (seqlock_fixed). Under SC the
// count is the search's without the preemption reduction.
TEST(BoundedEstimate, MatchesTheExhaustedCount) {
  struct Case {
    const char* target;
    const char* variant;
  };
  for (const Case& c : {Case{"demo", "intr_masked"}, Case{"spin_mutex", "lock_order"},
                        Case{"membar", "spinlock_fixed"}, Case{"membar", "seqlock_fixed"}}) {
    const ScenarioSpec& spec = Spec(c.target, c.variant);
    BoundedOptions o;  // P=2, I=1, R=1
    const BoundedResult reduced = RunBounded(spec, o);
    o.reduce_preemptions = false;  // the tree the estimator sizes
    const BoundedResult exact = RunBounded(spec, o);
    ASSERT_TRUE(exact.complete) << spec.name();
    ASSERT_TRUE(exact.findings.empty()) << spec.name();
    // What it sizes bounds the reduced search: each stopped execution
    // stands for at least one of the tree's.
    EXPECT_LE(reduced.executions + reduced.pruned, exact.executions) << spec.name();
    const BoundedEstimate e = EstimateBounded(spec, o, 4000, 1);
    const double n = static_cast<double>(exact.executions);
    std::printf("%s: exhausted at %.0f, estimated %.0f +- %.0f\n", spec.name().c_str(), n,
                e.executions, e.standard_error);
    EXPECT_EQ(e.drains_reduced, exact.drains_reduced) << spec.name();
    EXPECT_LT(std::fabs(e.executions - n), 4 * e.standard_error + 1e-9)
        << spec.name() << ": estimate " << e.executions << " +- " << e.standard_error
        << ", exhausted at " << n;
    EXPECT_LT(e.standard_error, n / 4) << spec.name();
  }
}

}  // namespace
}  // namespace smp
