#include "schedulers/pct_scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/bounded.h"
#include "schedulers/search.h"

namespace smp {
namespace {

const ScenarioSpec& Spec(const char* target, const char* variant) {
  const ScenarioSpec* s = ScenarioRegistry::Global().Find(target, variant);
  if (s == nullptr) std::abort();
  return *s;
}

TEST(PctScheduler, SameSeedSameExecution) {
  Executor executor(Spec("demo", "racy_counter"));
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    PctScheduler a(seed, 3, 60), b(seed, 3, 60);
    EXPECT_EQ(executor.Run(a).picks, executor.Run(b).picks) << seed;
  }
}

TEST(PctScheduler, DepthOneRunsEachCpuToItsEnd) {
  // No change points: the highest-priority CPU never yields to another
  // while it can run, so the unlocked increments never interleave.
  SearchOptions o;
  o.scheduler = SchedulerKind::kPct;
  o.depth = 1;
  o.runs = 2000;
  EXPECT_TRUE(RunSearch(Spec("demo", "racy_counter"), o).findings.empty());
  o.depth = 2;
  EXPECT_FALSE(RunSearch(Spec("demo", "racy_counter"), o).findings.empty());
}

// The number of costed deviations a bug needs: the smallest c = P + I + R
// at which the bounded search finds the declared verdict, or -1 above 2.
// Its PCT depth is c + 1: one change point per preemption, interrupt or
// reordering, on top of the initial priorities.
int DepthOf(const ScenarioSpec& spec) {
  for (int c = 0; c <= 2; ++c) {
    for (int p = c; p >= 0; --p) {
      for (int i = c - p; i >= 0; --i) {
        BoundedOptions o;
        o.bounds = Bounds{p, i, c - p - i};
        o.all_findings = true;
        o.stop_kind = spec.expected;
        o.max_executions = 100000;
        for (const Finding& f : RunBounded(spec, o).findings) {
          if (f.verdict.kind == spec.expected) return c;
        }
      }
    }
  }
  return -1;
}

// P(X <= hits) for X ~ Binomial(n, p), summed in log space (the terms
// underflow a double for n in the thousands).
double BinomialAtMost(uint64_t n, uint64_t hits, double p) {
  if (p <= 0) return 1;
  if (p >= 1) return hits >= n ? 1 : 0;
  double log_term = static_cast<double>(n) * std::log1p(-p);  // i = 0
  double log_sum = log_term;
  for (uint64_t i = 0; i < hits && i < n; ++i) {
    log_term += std::log(static_cast<double>(n - i) / static_cast<double>(i + 1)) +
                std::log(p) - std::log1p(-p);
    const double hi = std::max(log_sum, log_term);
    log_sum = hi + std::log(std::exp(log_sum - hi) + std::exp(log_term - hi));
  }
  return std::min(1.0, std::exp(log_sum));
}

TEST(PctScheduler, BinomialTailIsRight) {
  EXPECT_NEAR(BinomialAtMost(2, 0, 0.5), 0.25, 1e-12);
  EXPECT_NEAR(BinomialAtMost(2, 1, 0.5), 0.75, 1e-12);
  EXPECT_NEAR(BinomialAtMost(2000, 666, 1.0 / 3), 0.49, 0.02);
  EXPECT_LT(BinomialAtMost(2000, 0, 0.01), 1e-8);
}

// Bug variants known to be deeper than 3 (their minimized regressions in
// corpus/ need more deviations), left out without the bounded searches
// DepthOf would spend on them: in the fxp scenarios those cost minutes.
bool KnownDeeper(const std::string& name) {
  return name == "softint/splx_no_replay_softint" ||  // 3 interrupts: d = 4
         name == "fxp/no_membar_producer" ||          // 4 P + 1 R: d = 6
         name == "fxp/rx_no_membar_consumer" ||       // 5 P + 1 R: d = 7
         // One preemption from the no-preemption base, yet PCT d=2 and
         // d=3 find it in none of 100 000 executions, d=4 after 17 361,
         // d=5 after 962: c + 1 undercounts it (docs/schedulers.md).
         name == "fxp/ack_all";
}

// Acceptance: on every bug variant of depth <= 3, the measured hit rate of
// PCT at that depth is at or above 1/(n*k^(d-1)) (n agents, k steps). A hit is an execution
// whose (confirmed) verdict is the declared one. Fixed seed.
TEST(PctScheduler, HitRateIsAtLeastTheBoundOnBugsOfDepthUpToThree) {
  constexpr uint64_t kRuns = 2000;
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().All()) {
    if (spec->expected == VerdictKind::kClean || KnownDeeper(spec->name())) continue;
    const int c = DepthOf(*spec);
    if (c < 0) continue;
    const int d = c + 1;
    Executor executor(*spec);
    uint64_t k = 1, n = 0, hits = 0, steps = 1;
    {
      PctScheduler pilot(0, 1, 1);
      executor.Run(pilot);
      k = std::max<uint64_t>(1, pilot.decisions());
    }
    for (uint64_t i = 0; i < kRuns; ++i) {
      const uint64_t seed = ExecutionSeed(1, i);
      PctScheduler pct(seed, d, k);
      const Execution e = executor.Run(pct);
      k = std::max(k, pct.decisions());
      steps = std::max(steps, e.steps);
      n = std::max(n, pct.agents());
      if (e.verdict.clean()) continue;
      hits += Confirm(executor, e, seed, 0).verdict.kind == spec->expected;
    }
    const double rate = static_cast<double>(hits) / kRuns;
    // k as the paper counts it: steps. Over decisions only (what this
    // implementation places change points among) the bound is tighter, and
    // printed too: a bug with one way to happen sits right at it.
    const double bound = PctScheduler::Bound(n, steps, d);
    std::printf("| %s | %d | %llu | %llu | %llu | %.4f | %.3g | %.3g |\n",
                spec->name().c_str(), d, static_cast<unsigned long long>(n),
                static_cast<unsigned long long>(steps),
                static_cast<unsigned long long>(k), rate, bound,
                PctScheduler::Bound(n, k, d));
    // A rate measured on kRuns executions is a sample: the bound is
    // contradicted only when so few hits would be very unlikely (below
    // 1 in 1000) were the true rate the bound. A bug with one way to
    // happen sits right at the bound and lands on either side of it.
    EXPECT_GT(BinomialAtMost(kRuns, hits, bound), 1e-3)
        << spec->name() << " d=" << d << ": " << hits << " hits in " << kRuns
        << ", bound " << bound;
  }
}

}  // namespace
}  // namespace smp
