// No preemption: the running CPU continues until it blocks or finishes;
// then the lowest-numbered CPU that can run does. Interrupt sources fire
// only when nothing else can run. The baseline every scenario must pass.
#ifndef SMPFUZZ_SCHEDULERS_NO_PREEMPTION_H_
#define SMPFUZZ_SCHEDULERS_NO_PREEMPTION_H_

#include "core/scheduler.h"

namespace smp {

class NoPreemptionScheduler : public Scheduler {
 public:
  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override {
    for (uint32_t i = 0; i < n; ++i) {
      if (choices[i].kind == ChoiceKind::kRun && choices[i].cpu == current_cpu) {
        return i;
      }
    }
    return 0;  // choices come CPUs first, sources last
  }
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_NO_PREEMPTION_H_
