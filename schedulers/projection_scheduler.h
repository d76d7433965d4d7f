// Replays the CPU-level choices of a recorded execution under another
// memory model: the same runs, placements and interrupt assertions in the
// same order, with store-buffer drains and stale-value choices dropped.
// This is "the same schedule under SC" that a membar-misuse report is
// checked against. Where the replayed execution offers no matching
// choice (it diverged: a spinner saw a value earlier, say) it takes the
// first choice and moves on.
#ifndef SMPFUZZ_SCHEDULERS_PROJECTION_SCHEDULER_H_
#define SMPFUZZ_SCHEDULERS_PROJECTION_SCHEDULER_H_

#include <cstdint>
#include <vector>

#include "core/scheduler.h"

namespace smp {

class ProjectionScheduler : public Scheduler {
 public:
  explicit ProjectionScheduler(const std::vector<Choice>& log) {
    for (const Choice& c : log) {
      if (c.kind != ChoiceKind::kDrain && c.kind != ChoiceKind::kReadFrom) {
        log_.push_back(c);
      }
    }
  }

  uint32_t Pick(const Choice* choices, uint32_t n, int) override {
    if (next_ >= log_.size()) return 0;
    const Choice& want = log_[next_];
    for (uint32_t i = 0; i < n; ++i) {
      if (choices[i].kind == want.kind && choices[i].cpu == want.cpu &&
          choices[i].arg == want.arg) {
        ++next_;
        return i;
      }
    }
    ++misses_;
    return 0;
  }

  // Decisions at which the recorded choice was not available.
  uint64_t misses() const { return misses_; }

 private:
  std::vector<Choice> log_;
  size_t next_ = 0;
  uint64_t misses_ = 0;
};

// Replays every choice of a recorded execution, drains and stale-value
// choices too, under the same memory model with one reordering forbidden
// (Machine::Options::site_barriers or ::forbidden): "the same schedule with
// one reordering forbidden". Choices match on kind, CPU and arg. With
// Options::forbidden a drain's arg names the store's place in the recorded
// execution's buffer, so every recorded drain is offered (a store drained
// early as a no-op, a forbidden one delayed behind the store it may not
// pass) and the later drains stay aligned. With site barriers a drain the
// barriers already made is skipped. A stale read is kept as stale as the
// barriers still allow; a CPU-level choice that is not offered counts as a
// miss (first choice).
class AlignedReplayScheduler : public Scheduler {
 public:
  explicit AlignedReplayScheduler(const std::vector<Choice>& log) : log_(log) {}

  uint32_t Pick(const Choice* choices, uint32_t n, int) override {
    while (next_ < log_.size()) {
      const Choice& want = log_[next_];
      for (uint32_t i = 0; i < n; ++i) {
        if (choices[i].kind == want.kind && choices[i].cpu == want.cpu &&
            choices[i].arg == want.arg) {
          ++next_;
          return i;
        }
      }
      if (want.kind == ChoiceKind::kReadFrom &&
          choices[0].kind == ChoiceKind::kReadFrom) {
        ++next_;
        return n - 1;  // candidates are newest first: the stalest allowed
      }
      if (want.kind != ChoiceKind::kDrain && want.kind != ChoiceKind::kReadFrom) {
        break;
      }
      ++next_;  // a memory-system choice that no longer exists
    }
    ++misses_;
    return 0;
  }

  uint64_t misses() const { return misses_; }

 private:
  const std::vector<Choice>& log_;
  size_t next_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_PROJECTION_SCHEDULER_H_
