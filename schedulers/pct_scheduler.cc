#include "schedulers/pct_scheduler.h"

#include <algorithm>
#include <cmath>

namespace smp {
namespace {

// Initial priorities sit above every change-point priority (1..d-1):
// CPUs, interrupt routes and fresh loads in the upper band, store-buffer
// drains and stale loads in the lower one, so that with no change point a
// store stays buffered until nothing else can happen and a load reads the
// newest value, as the no-preemption base does.
constexpr uint64_t kInitial = uint64_t{1} << 62;
constexpr uint64_t kDelayed = uint64_t{1} << 61;

}  // namespace

PctScheduler::PctScheduler(uint64_t seed, int depth, uint64_t steps) : rng_(seed) {
  steps = std::clamp<uint64_t>(steps, 1, uint64_t{1} << 31);
  const uint64_t changes =
      std::min<uint64_t>(static_cast<uint64_t>(std::max(depth, 1) - 1), steps);
  // Change point i (drawn i-th, distinct positions in [1, k]) lowers the
  // agent it hits to priority i, as in the paper: the pairing of positions
  // and values is random too.
  std::vector<std::pair<uint64_t, uint64_t>> points;
  while (points.size() < changes) {
    const uint64_t at = 1 + uint64_t{rng_.Uniform(static_cast<uint32_t>(steps))};
    bool taken = false;
    for (const auto& p : points) taken |= p.first == at;
    if (!taken) points.push_back({at, points.size() + 1});
  }
  std::sort(points.begin(), points.end());
  for (const auto& p : points) {
    change_points_.push_back(p.first);
    change_values_.push_back(p.second);
  }
}

double PctScheduler::Bound(uint64_t agents, uint64_t steps, int depth) {
  return 1.0 / (static_cast<double>(std::max<uint64_t>(agents, 1)) *
                std::pow(static_cast<double>(std::max<uint64_t>(steps, 1)),
                         std::max(depth, 1) - 1));
}

uint32_t PctScheduler::KeyOf(const Choice& c) {
  // kPlace advances the same CPU as kRun would: one agent.
  const uint32_t kind = c.kind == ChoiceKind::kPlace
                            ? static_cast<uint32_t>(ChoiceKind::kRun)
                            : static_cast<uint32_t>(c.kind);
  const uint32_t arg = c.kind == ChoiceKind::kRun || c.kind == ChoiceKind::kPlace
                           ? 0
                           : c.arg;
  return kind << 24 | static_cast<uint32_t>(c.cpu) << 16 | arg;
}

PctScheduler::Agent& PctScheduler::Find(uint32_t key) {
  for (Agent& a : agents_) {
    if (a.key == key) return a;
  }
  // Independent uniform keys order the agents of a band as a random
  // permutation.
  const auto kind = static_cast<ChoiceKind>(key >> 24);
  const bool delayed = kind == ChoiceKind::kDrain ||
                       (kind == ChoiceKind::kReadFrom && (key & 0xffff) != 0);
  agents_.push_back(Agent{key, (delayed ? kDelayed : kInitial) | (rng_.Next() >> 3)});
  return agents_.back();
}

uint32_t PctScheduler::Best(const Choice* choices, uint32_t n) {
  uint32_t best = 0;
  uint64_t best_priority = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t p = Find(KeyOf(choices[i])).priority;
    // Ties (several choices of one agent: kPlace of several threads) go to
    // the first listed.
    if (i == 0 || p > best_priority) {
      best = i;
      best_priority = p;
    }
  }
  return best;
}

uint32_t PctScheduler::Pick(const Choice* choices, uint32_t n, int) {
  ++decisions_;
  uint32_t pick = Best(choices, n);
  if (next_change_ < change_points_.size() &&
      change_points_[next_change_] == decisions_) {
    Find(KeyOf(choices[pick])).priority = change_values_[next_change_];
    ++next_change_;
    pick = Best(choices, n);
  }
  return pick;
}

}  // namespace smp
