#include "schedulers/schedule_scheduler.h"

#include <algorithm>

namespace smp {

uint32_t NoPreemptionPick(const Choice* choices, uint32_t n, int current_cpu) {
  for (uint32_t i = 0; i < n; ++i) {
    if (choices[i].kind == ChoiceKind::kRun && choices[i].cpu == current_cpu) {
      return i;
    }
  }
  return 0;
}

ScheduleScheduler::ScheduleScheduler(BasePolicy base, uint64_t seed,
                                     const std::vector<SparseDecision>& decisions,
                                     int num_cpus)
    : base_(base),
      rng_(seed),
      counter_(num_cpus),
      run_(num_cpus + 1),
      read_(num_cpus + 1),
      run_next_(num_cpus + 1, 0),
      read_next_(num_cpus + 1, 0) {
  for (const SparseDecision& d : decisions) {
    if (d.at_cpu > static_cast<uint32_t>(num_cpus)) {  // no such CPU
      ++ignored_;
      continue;
    }
    auto& lists = d.want.kind == ChoiceKind::kReadFrom ? read_ : run_;
    lists[d.at_cpu].push_back(Entry{d.at, d.want});
  }
  // Stable: of two decisions at one point, the first listed wins.
  for (auto* lists : {&run_, &read_}) {
    for (auto& list : *lists) {
      std::stable_sort(list.begin(), list.end(),
                       [](const Entry& a, const Entry& b) { return a.at < b.at; });
    }
  }
}

uint32_t ScheduleScheduler::Pick(const Choice* choices, uint32_t n,
                                 int current_cpu) {
  const bool read = PointCounter::IsRead(choices);
  const auto [slot, at] = counter_.Next(choices, current_cpu);
  // The base policy draws at every point, so the random stream stays
  // aligned whether or not a decision overrides this one.
  uint32_t pick;
  if (base_ == BasePolicy::kRandom) {
    pick = rng_.Uniform(n);
  } else {
    pick = read ? 0 : NoPreemptionPick(choices, n, current_cpu);
  }
  std::vector<Entry>& list = (read ? read_ : run_)[slot];
  size_t& next = (read ? read_next_ : run_next_)[slot];
  while (next < list.size() && list[next].at < at) {
    Ignore(slot, list[next]);  // a second decision at an already-decided point
    ++next;
  }
  if (next < list.size() && list[next].at == at) {
    const Entry& e = list[next++];
    for (uint32_t i = 0; i < n; ++i) {
      if (choices[i].kind == e.want.kind && choices[i].cpu == e.want.cpu &&
          choices[i].arg == e.want.arg) {
        ++applied_;
        return i;
      }
    }
    Ignore(slot, e);
  }
  return pick;
}

void ScheduleScheduler::Ignore(uint32_t slot, const Entry& e) {
  if (ignored_++ == 0) first_ignored_ = SparseDecision{slot, e.at, e.want};
}

uint64_t ScheduleScheduler::unreached() const {
  uint64_t n = 0;
  for (size_t slot = 0; slot < run_.size(); ++slot) {
    n += run_[slot].size() - run_next_[slot];
    n += read_[slot].size() - read_next_[slot];
  }
  return n;
}

}  // namespace smp
