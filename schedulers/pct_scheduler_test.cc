#include "schedulers/pct_scheduler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "replay/minimize.h"
#include "replay/schedule_io.h"
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

// How many deviations from the no-preemption base a finding needs: the
// decisions left after `smpfuzz minimize`'s own reduction (Minimize), the
// depth it reports.
int NeededDeviations(const ScenarioSpec& spec, const Finding& f) {
  absl::StatusOr<MinimizeResult> r = Minimize(ScheduleOf(spec, f));
  EXPECT_TRUE(r.ok()) << spec.name() << ": " << r.status().message();
  return r.ok() ? r->depth.total() : static_cast<int>(f.decisions.size());
}

// Two estimates of a bug's PCT depth, from the bounded search at the
// smallest cost c = P + I + R <= 2 that reaches the declared verdict:
//   - low = c + 1: one change point per costed deviation;
//   - high = 1 + the deviations from the no-preemption base that the first
//     execution found there needs (NeededDeviations), costed or not. The
//     bounded search's free choices (which CPU runs after one blocks,
//     which route a forced interrupt takes) are free only to it; PCT makes
//     them with priorities, and with a change point when the initial order
//     cannot. High gives PCT a change point for every deviation the
//     execution takes: the guarantee is asserted at it.
// fxp/ack_all costs c = 1 but needs 2 deviations: low 2, high 3, and PCT
// at d = 2 misses it where d = 3 finds it. low = -1 if nothing is found.
struct DepthEstimate {
  int low = -1;
  int high = -1;
};

DepthEstimate DepthOf(const ScenarioSpec& spec) {
  for (int c = 0; c <= 2; ++c) {
    for (int p = c; p >= 0; --p) {
      for (int i = c - p; i >= 0; --i) {
        BoundedOptions o;
        o.bounds = Bounds{p, i, c - p - i};
        o.all_findings = true;
        o.stop_kind = spec.expected;
        o.max_executions = 100000;
        for (const Finding& f : RunBounded(spec, o).findings) {
          if (f.verdict.kind == spec.expected) {
            return DepthEstimate{c + 1, NeededDeviations(spec, f) + 1};
          }
        }
      }
    }
  }
  return DepthEstimate{};
}

struct HitRate {
  uint64_t hits = 0;
  uint64_t agents = 0;     // n
  uint64_t steps = 1;      // k as the paper counts it
  uint64_t decisions = 1;  // k as change points are placed
};

// PCT of depth d on `spec`, `runs` executions from seed 1. A hit is an
// execution whose confirmed verdict is the declared one.
HitRate Measure(const ScenarioSpec& spec, int d, uint64_t runs) {
  Executor executor(spec);
  HitRate r;
  {
    PctScheduler pilot(0, 1, 1);
    executor.Run(pilot);
    r.decisions = std::max<uint64_t>(1, pilot.decisions());
  }
  for (uint64_t i = 0; i < runs; ++i) {
    const uint64_t seed = ExecutionSeed(1, i);
    PctScheduler pct(seed, d, r.decisions);
    const Execution e = executor.Run(pct);
    r.decisions = std::max(r.decisions, pct.decisions());
    r.steps = std::max(r.steps, e.steps);
    r.agents = std::max(r.agents, pct.agents());
    if (e.verdict.clean()) continue;
    r.hits += Confirm(executor, e, seed, 0).verdict.kind == spec.expected;
  }
  return r;
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
         name == "fxp/rx_no_membar_consumer";         // 5 P + 1 R: d = 7
}

// Acceptance: on every bug variant of depth <= 3, the measured hit rate of
// PCT at that depth is at or above 1/(n*k^(d-1)) (n agents, k steps).
// Every variant whose low estimate is at most 3 is measured at its high
// one (DepthOf), which may be 4; where the two differ, the rate at the low
// one is printed beside it, not asserted. Fixed seed.
TEST(PctScheduler, HitRateIsAtLeastTheBoundOnBugsOfDepthUpToThree) {
  constexpr uint64_t kRuns = 2000;
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().All()) {
    if (spec->expected == VerdictKind::kClean || KnownDeeper(spec->name())) continue;
    const DepthEstimate depth = DepthOf(*spec);
    if (depth.low < 0) continue;  // low is at most 3: c <= 2
    const int d = depth.high;
    const HitRate r = Measure(*spec, d, kRuns);
    const double rate = static_cast<double>(r.hits) / kRuns;
    std::string at_low;
    if (depth.low < d) {
      const HitRate low = Measure(*spec, depth.low, kRuns);
      char text[64];
      std::snprintf(text, sizeof text, "%.4f at d = %d", static_cast<double>(low.hits) / kRuns,
                    depth.low);
      at_low = text;
    }
    // k as the paper counts it: steps. Over decisions only (what this
    // implementation places change points among) the bound is tighter, and
    // printed too: a bug with one way to happen sits right at it.
    const double bound = PctScheduler::Bound(r.agents, r.steps, d);
    std::printf("| %s | %d | %llu | %llu | %llu | %.4f | %.3g | %.3g | %s |\n",
                spec->name().c_str(), d, static_cast<unsigned long long>(r.agents),
                static_cast<unsigned long long>(r.steps),
                static_cast<unsigned long long>(r.decisions), rate, bound,
                PctScheduler::Bound(r.agents, r.decisions, d), at_low.c_str());
    // A rate measured on kRuns executions is a sample: the bound is
    // contradicted only when so few hits would be very unlikely (below
    // 1 in 1000) were the true rate the bound. A bug with one way to
    // happen sits right at the bound and lands on either side of it.
    EXPECT_GT(BinomialAtMost(kRuns, r.hits, bound), 1e-3)
        << spec->name() << " d=" << d << ": " << r.hits << " hits in " << kRuns
        << ", bound " << bound;
  }
}

}  // namespace
}  // namespace smp
