// Seeded random scheduling: every pick uniform among the enabled choices,
// drawn from the project PRNG. The same seed gives the same execution.
#ifndef SMPFUZZ_SCHEDULERS_RANDOM_SCHEDULER_H_
#define SMPFUZZ_SCHEDULERS_RANDOM_SCHEDULER_H_

#include "core/prng.h"
#include "core/scheduler.h"

namespace smp {

class RandomScheduler : public Scheduler {
 public:
  explicit RandomScheduler(uint64_t seed) : rng_(seed) {}
  void Reseed(uint64_t seed) { rng_.Seed(seed); }

  uint32_t Pick(const Choice*, uint32_t n, int) override {
    return rng_.Uniform(n);
  }

 private:
  Random rng_;
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_RANDOM_SCHEDULER_H_
