// Exhaustive enumeration: every execution of a scenario, depth first.
//
// Stateless: each execution is replayed from the start with a prefix of
// picks, taking the first choice past the prefix; the next prefix is the
// longest one whose last pick has an untried alternative. Nothing but the
// picks is kept between executions, so memory stays flat however large
// the tree. Unbounded: no preemption, interrupt or reordering bound (those
// are the bounded search's, schedulers/bounded.h, which `smpfuzz run
// --scheduler=exhaustive` runs). Meant for programs small enough to
// enumerate whole, such as the memory-model litmus tests
// (core/memory_litmus_test.cc); `max_executions` caps it either way.
#ifndef SMPFUZZ_SCHEDULERS_EXHAUSTIVE_H_
#define SMPFUZZ_SCHEDULERS_EXHAUSTIVE_H_

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "core/executor.h"
#include "core/scheduler.h"

namespace smp {

// Replays `prefix`, then always picks choice 0; remembers every (n, pick).
class DfsScheduler : public Scheduler {
 public:
  explicit DfsScheduler(std::vector<uint32_t> prefix) : prefix_(std::move(prefix)) {}

  uint32_t Pick(const Choice*, uint32_t n, int) override {
    const size_t depth = taken_.size();
    uint32_t pick = depth < prefix_.size() ? prefix_[depth] : 0;
    if (pick >= n) {  // the program is not deterministic under its picks
      diverged_ = true;
      pick = 0;
    }
    taken_.push_back({n, pick});
    return pick;
  }

  // (number of choices, pick) at each decision of the execution.
  const std::vector<std::pair<uint32_t, uint32_t>>& taken() const { return taken_; }
  bool diverged() const { return diverged_; }

 private:
  std::vector<uint32_t> prefix_;
  std::vector<std::pair<uint32_t, uint32_t>> taken_;
  bool diverged_ = false;
};

struct EnumerationResult {
  uint64_t executions = 0;
  bool complete = false;   // every execution was visited
  bool diverged = false;   // a replayed prefix did not fit: nondeterminism
};

// Visits every execution until `visit` returns false or `max_executions`
// have run.
EnumerationResult Enumerate(Executor& executor, uint64_t max_executions,
                            const std::function<bool(const Execution&)>& visit);

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_EXHAUSTIVE_H_
