// Replays a recorded list of picks; when it runs out, continues as a
// RandomScheduler seeded with `seed`. A pick beyond the number of enabled
// choices is folded into range (so every list replays to *some* execution)
// and counted as a divergence: a schedule recorded on other code.
#ifndef SMPFUZZ_SCHEDULERS_REPLAY_SCHEDULER_H_
#define SMPFUZZ_SCHEDULERS_REPLAY_SCHEDULER_H_

#include <cstdint>
#include <utility>
#include <vector>

#include "core/prng.h"
#include "core/scheduler.h"

namespace smp {

class ReplayScheduler : public Scheduler {
 public:
  ReplayScheduler(std::vector<uint32_t> picks, uint64_t seed)
      : picks_(std::move(picks)), rng_(seed) {}

  uint32_t Pick(const Choice*, uint32_t n, int) override {
    if (next_ < picks_.size()) {
      const uint32_t p = picks_[next_++];
      if (p < n) return p;
      if (first_divergence_ < 0) first_divergence_ = static_cast<int64_t>(next_ - 1);
      return p % n;
    }
    ++beyond_;
    return rng_.Uniform(n);
  }

  // Index of the first pick that was out of range, or -1.
  int64_t first_divergence() const { return first_divergence_; }
  // Decisions taken after the recorded picks ran out.
  uint64_t beyond() const { return beyond_; }

 private:
  std::vector<uint32_t> picks_;
  size_t next_ = 0;
  Random rng_;
  int64_t first_divergence_ = -1;
  uint64_t beyond_ = 0;
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_REPLAY_SCHEDULER_H_
