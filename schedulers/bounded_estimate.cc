#include "schedulers/bounded_estimate.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/executor.h"
#include "core/prng.h"

namespace smp {
namespace {

// The log of a guess at the number of executions below a pick that
// leaves `budget` deviations to spend over `left` more decisions with
// about `spread` alternatives each: sum over j <= budget of
// C(left, j) * spread^j, summed in log space (budgets up to 3 * 64 and
// long executions overflow a double). Only the variance depends on how
// good the guess is, never the mean.
double LogSubtreeGuess(int budget, double left, double spread) {
  double log_term = 0, log_sum = 0;  // j = 0: one execution
  for (int j = 1; j <= budget && j <= left; ++j) {
    log_term += std::log((left - j + 1) / j * spread);
    const double hi = std::max(log_sum, log_term);
    log_sum = hi + std::log(std::exp(log_sum - hi) + std::exp(log_term - hi));
  }
  return log_sum;
}

// Replays the fixed prefix, then descends: at each decision it takes one
// of the allowed picks, with a probability that follows LogSubtreeGuess (a
// costed pick leaves less budget, so a smaller subtree), and multiplies the
// estimate by 1/that probability. Uniform picks (Knuth's original) are
// unbiased too, but their descents almost always spend the budget early,
// and the rare ones that keep it carry most of the tree.
class Probe : public Scheduler {
 public:
  Probe(const std::vector<uint32_t>& prefix, const Bounds& bounds, bool reduce_drains,
        uint64_t horizon, Random& rng)
      : prefix_(prefix),
        bounds_(bounds),
        reduce_drains_(reduce_drains),
        horizon_(horizon),
        rng_(rng) {}

  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override {
    if (depth_ < prefix_.size()) {
      const uint32_t pick = prefix_[depth_++];
      return pick < n ? pick : 0;
    }
    ++depth_;
    alts_.clear();
    AllowedPicks(choices, n, current_cpu, used_, bounds_, reduce_drains_, &alts_);
    const double left =
        depth_ < horizon_ ? static_cast<double>(horizon_ - depth_) : 1.0;
    const double spread = std::max<double>(1, static_cast<double>(alts_.size()) - 1);
    const int budget = bounds_.preemptions + bounds_.interrupts + bounds_.reorderings -
                       used_.preemptions - used_.interrupts - used_.reorderings;
    weights_.clear();
    costs_.clear();
    double top = 0;
    for (uint32_t a : alts_) {
      const Cost c = CostOf(choices, n, current_cpu, a);
      costs_.push_back(c);
      weights_.push_back(
          LogSubtreeGuess(budget - c.preemptions - c.interrupts - c.reorderings, left, spread));
      top = std::max(top, weights_.back());
    }
    // Relative weights: the largest is 1. None may be 0, or its subtree
    // would never be drawn and the mean would lose it: a weight too small
    // for a double is kept at the smallest one.
    double total = 0;
    for (double& w : weights_) {
      w = std::max(std::exp(w - top), std::numeric_limits<double>::min());
      total += w;
    }
    // A uniform draw in [0, total) picks alternative k with probability
    // weights_[k] / total.
    double x = static_cast<double>(rng_.Next() >> 11) * 0x1.0p-53 * total;
    size_t k = 0;
    while (k + 1 < alts_.size() && x >= weights_[k]) x -= weights_[k++];
    leaves_ *= total / weights_[k];
    used_.preemptions += costs_[k].preemptions;
    used_.interrupts += costs_[k].interrupts;
    used_.reorderings += costs_[k].reorderings;
    return alts_[k];
  }

  double leaves() const { return leaves_; }
  uint64_t decisions() const { return depth_; }

 private:
  const std::vector<uint32_t>& prefix_;
  Bounds bounds_;
  bool reduce_drains_;
  uint64_t horizon_;
  Random& rng_;
  size_t depth_ = 0;
  Cost used_;
  std::vector<uint32_t> alts_;
  std::vector<double> weights_;
  std::vector<Cost> costs_;
  double leaves_ = 1;
};

// With `reduce`, stops at the first probe that accessed a cell outside the
// model (*hidden), as the search does.
BoundedEstimate Estimate(const ScenarioSpec& spec, const BoundedOptions& options,
                         uint64_t probes, uint64_t seed, bool reduce, bool* hidden) {
  BoundedEstimate r;
  Executor executor(spec);
  reduce = ConfigureBounded(executor, options, reduce);
  Random rng(seed);
  // The horizon of LogSubtreeGuess: the decisions of the base execution (no
  // budget), then the longest probe so far.
  uint64_t horizon = 1;
  {
    Probe base(options.prefix, Bounds{0, 0, 0}, reduce, 1, rng);
    const Execution e = executor.Run(base, options.max_steps);
    if (reduce && e.hidden_accesses != 0) {
      *hidden = true;
      return r;
    }
    horizon = std::max<uint64_t>(1, base.decisions());
  }
  double sum = 0, sum_squares = 0;
  for (; r.probes < probes; ++r.probes) {
    Probe probe(options.prefix, options.bounds, reduce, horizon, rng);
    const Execution e = executor.Run(probe, options.max_steps);
    if (reduce && e.hidden_accesses != 0) {
      *hidden = true;
      return r;
    }
    r.steps += e.steps;
    horizon = std::max<uint64_t>(horizon, probe.decisions());
    sum += probe.leaves();
    sum_squares += probe.leaves() * probe.leaves();
  }
  if (r.probes != 0) {
    const double n = static_cast<double>(r.probes);
    r.executions = sum / n;
    const double variance =
        r.probes > 1 ? std::max(0.0, (sum_squares - sum * sum / n) / (n - 1)) : 0.0;
    r.standard_error = std::sqrt(variance / n);
  }
  r.drains_reduced = reduce;
  return r;
}

}  // namespace

BoundedEstimate EstimateBounded(const ScenarioSpec& spec, const BoundedOptions& options,
                                uint64_t probes, uint64_t seed) {
  bool hidden = false;
  if (options.reduce_drains) {
    BoundedEstimate r = Estimate(spec, options, probes, seed, /*reduce=*/true, &hidden);
    if (!hidden) return r;
  }
  return Estimate(spec, options, probes, seed, /*reduce=*/false, &hidden);
}

}  // namespace smp
