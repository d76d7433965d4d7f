// Version-2 schedules as a Scheduler, and the recorder that writes any
// scheduler's run as one.
//
// A sparse schedule is a base policy plus decisions addressed by
// (CPU that reached the point, that CPU's ordinal of decision points);
// stale-value choices are counted separately from the others. See
// schedulers/schedule.proto and docs/schedules.md.
#ifndef SMPFUZZ_SCHEDULERS_SCHEDULE_SCHEDULER_H_
#define SMPFUZZ_SCHEDULERS_SCHEDULE_SCHEDULER_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/prng.h"
#include "core/scheduler.h"

namespace smp {

enum class BasePolicy : uint8_t { kNoPreemption = 0, kRandom = 1 };

struct SparseDecision {
  uint32_t at_cpu;  // CPU whose context reached the point; num_cpus: start
  uint32_t at;      // that CPU's ordinal (stale-value choices counted apart)
  Choice want;      // the choice to take there
};

// The base policy's pick. kNoPreemption: the current CPU if it can run,
// else the first choice (CPUs come first, sources and drains last).
uint32_t NoPreemptionPick(const Choice* choices, uint32_t n, int current_cpu);

// Counts decision points per (CPU, kind), as both the schedule and the
// recorder address them.
class PointCounter {
 public:
  explicit PointCounter(int num_cpus)
      : num_cpus_(num_cpus), run_(num_cpus + 1, 0), read_(num_cpus + 1, 0) {}
  // Returns (slot, ordinal) of this decision point and advances.
  std::pair<uint32_t, uint32_t> Next(const Choice* choices, int current_cpu) {
    const uint32_t slot =
        (current_cpu < 0 || current_cpu >= num_cpus_) ? num_cpus_ : current_cpu;
    const bool read = choices[0].kind == ChoiceKind::kReadFrom;
    return {slot, (read ? read_ : run_)[slot]++};
  }
  static bool IsRead(const Choice* choices) {
    return choices[0].kind == ChoiceKind::kReadFrom;
  }

 private:
  int num_cpus_;
  std::vector<uint32_t> run_, read_;
};

class ScheduleScheduler : public Scheduler {
 public:
  ScheduleScheduler(BasePolicy base, uint64_t seed,
                    const std::vector<SparseDecision>& decisions, int num_cpus);

  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override;

  // Decisions that took effect / that named a choice not offered there (or
  // a point never reached before a later one).
  uint64_t applied() const { return applied_; }
  uint64_t ignored() const { return ignored_; }
  // The first decision that was ignored (valid iff ignored() > 0).
  const SparseDecision& first_ignored() const { return first_ignored_; }
  // Decisions whose point the execution never reached.
  uint64_t unreached() const;

 private:
  struct Entry {
    uint32_t at;
    Choice want;
  };
  BasePolicy base_;
  Random rng_;
  PointCounter counter_;
  // Per slot, sorted by ordinal: run-kind and read-kind decisions.
  std::vector<std::vector<Entry>> run_, read_;
  std::vector<size_t> run_next_, read_next_;
  uint64_t applied_ = 0;
  uint64_t ignored_ = 0;
  SparseDecision first_ignored_{};
  void Ignore(uint32_t slot, const Entry& e);
};

// Wraps a scheduler and writes its run as sparse decisions over the
// kNoPreemption base: a decision wherever it picked differently.
class SparseRecorder : public Scheduler {
 public:
  SparseRecorder(Scheduler& inner, int num_cpus)
      : inner_(inner), counter_(num_cpus) {}

  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override {
    const auto [slot, at] = counter_.Next(choices, current_cpu);
    const uint32_t pick = inner_.Pick(choices, n, current_cpu);
    const uint32_t base = PointCounter::IsRead(choices)
                              ? 0
                              : NoPreemptionPick(choices, n, current_cpu);
    if (pick != base) decisions_.push_back(SparseDecision{slot, at, choices[pick]});
    return pick;
  }

  const std::vector<SparseDecision>& decisions() const { return decisions_; }

 private:
  Scheduler& inner_;
  PointCounter counter_;
  std::vector<SparseDecision> decisions_;
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_SCHEDULE_SCHEDULER_H_
