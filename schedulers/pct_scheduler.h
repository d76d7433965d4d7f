// PCT: probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
// Nagarakatte, ASPLOS 2010), adapted to the machine's choices.
//
// PCT runs, at every decision, the enabled agent of highest priority. The
// priorities are random and distinct at the start, and d-1 randomly placed
// change points each drop the agent about to run below every other one.
// A bug of depth d (d ordering constraints must hold for it to show) is then
// found by one execution with probability at least 1 / (n * k^(d-1)), for n
// agents and k decisions.
//
// Agents here are what the machine's choices name:
//   - a CPU (kRun cpu and kPlace cpu t both make that CPU progress; threads
//     do not preempt each other, so the CPU stands for its top context);
//   - an interrupt route: (source s, CPU c) for kRaise c s;
//   - a store-buffer slot: (CPU c, entry position i) for kDrain c i;
//   - a stale-value choice: (CPU c, staleness s) for kReadFrom c s.
// So interrupts and reorderings are events with priorities of their own: a
// high-priority route fires as soon as it is enabled, a low one only when
// nothing else is left or after a change point lowered the others. Drains
// and stale loads start in a band below every CPU and route (a store stays
// buffered, a load reads the newest value, as in the no-preemption base):
// their relative order is random, and a change point on a CPU's fresh load
// makes its later loads stale.
//
// Deviations from the paper:
//   - agents get their priority when first seen (a random 64-bit key, which
//     orders them as a uniform random permutation would); n is the number of
//     agents seen;
//   - change points are placed among decision points (the scheduler is not
//     asked where there is one choice), k is the number of decision points
//     the caller estimates (`steps`), and a change lowers the agent about to
//     be picked at that decision.
//
// Deterministic: everything comes from `seed`. Thread-safety: none.
#ifndef SMPFUZZ_SCHEDULERS_PCT_SCHEDULER_H_
#define SMPFUZZ_SCHEDULERS_PCT_SCHEDULER_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/prng.h"
#include "core/scheduler.h"

namespace smp {

class PctScheduler : public Scheduler {
 public:
  // `depth` >= 1: d of PCT (d-1 change points); `steps` >= 1: k, the
  // expected number of decisions of one execution.
  PctScheduler(uint64_t seed, int depth, uint64_t steps);

  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override;

  // Decisions taken so far (use the largest seen as the next `steps`).
  uint64_t decisions() const { return decisions_; }
  // Distinct agents seen so far (n of the bound).
  uint64_t agents() const { return agents_.size(); }

  // The PCT bound 1 / (n * k^(d-1)).
  static double Bound(uint64_t agents, uint64_t steps, int depth);

 private:
  struct Agent {
    uint32_t key;
    uint64_t priority;
  };
  static uint32_t KeyOf(const Choice& c);
  Agent& Find(uint32_t key);
  uint32_t Best(const Choice* choices, uint32_t n);

  Random rng_;
  std::vector<uint64_t> change_points_;  // sorted decision numbers (1-based)
  std::vector<uint64_t> change_values_;  // the priority each one gives
  size_t next_change_ = 0;
  uint64_t decisions_ = 0;
  std::vector<Agent> agents_;  // few: searched linearly
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_PCT_SCHEDULER_H_
