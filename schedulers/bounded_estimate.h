// How many executions a bounded exhaustive search would run, estimated
// before running it: Knuth's estimator of the size of a backtrack tree
// (D. E. Knuth, "Estimating the efficiency of backtrack programs", Math.
// Comp. 29, 1975).
//
// One probe is one execution that walks down the search's own tree
// (schedulers/bounded.h: the same allowed picks, bounds, prefix and drain
// reduction) taking a uniformly random allowed pick at every decision;
// the product of the numbers of allowed picks along the way is an unbiased
// estimate of the number of leaves, that is, of executions. The mean over
// probes is the estimate, with its standard error. On trees whose
// branching is uneven the variance is large, and the estimate tends to
// undershoot with few probes: the error is a guide, not a bound.
//
// Deterministic: the probes' picks come from `seed` alone. Thread-safety:
// none.
#ifndef SMPFUZZ_SCHEDULERS_BOUNDED_ESTIMATE_H_
#define SMPFUZZ_SCHEDULERS_BOUNDED_ESTIMATE_H_

#include <cstdint>

#include "core/scenario.h"
#include "schedulers/bounded.h"

namespace smp {

struct BoundedEstimate {
  uint64_t probes = 0;
  uint64_t steps = 0;           // over all probes
  double executions = 0;        // the estimate: mean over probes
  double standard_error = 0;    // of that mean
  bool drains_reduced = false;  // the search would run with the reduction
};

// `probes` random descents of the tree RunBounded(spec, options) would
// walk (its shard settings are ignored: the estimate is of the whole tree).
BoundedEstimate EstimateBounded(const ScenarioSpec& spec, const BoundedOptions& options,
                                uint64_t probes, uint64_t seed);

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_BOUNDED_ESTIMATE_H_
