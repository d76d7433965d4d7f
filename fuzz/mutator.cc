#include "fuzz/mutator.h"

#include <algorithm>

namespace smp::fuzz {
namespace {

constexpr int kMaxDecisions = 24;

// Ordinals are small in practice: most bugs need a preemption within the
// first few dozen points of a CPU.
uint32_t SomeOrdinal(Random& rng) {
  return rng.OneIn(4) ? rng.Uniform(256) : rng.Uniform(32);
}

void RandomDecision(proto::Decision* d, Random& rng, uint32_t cpus) {
  d->set_at_cpu(rng.Uniform(cpus + 1));
  d->set_at(SomeOrdinal(rng));
  // Mostly preemptions; interrupts, drains and stale reads less often.
  static constexpr proto::Action kWeighted[] = {
      proto::RUN,   proto::RUN,   proto::RUN,   proto::RUN,  proto::RAISE,
      proto::RAISE, proto::DRAIN, proto::DRAIN, proto::PLACE, proto::READ_FROM};
  d->set_action(kWeighted[rng.Uniform(10)]);
  d->set_cpu(rng.Uniform(cpus));
  d->set_arg(d->action() == proto::RUN ? 0 : rng.Uniform(4));
}

}  // namespace

void Mutate(proto::Schedule* s, Random& rng, const TargetInfo& info) {
  const ScenarioSpec& spec = SpecOf(*s, info);
  const uint32_t cpus = static_cast<uint32_t>(spec.num_cpus);
  auto* ds = s->mutable_decisions();
  const int n = ds->size();
  // Bugs need few decisions (their depth); keep schedules short, which also
  // keeps decoding cheap: past kMaxDecisions an insert becomes a delete.
  uint32_t op = rng.Uniform(13);
  if (op <= 1 && n >= kMaxDecisions) op = 2;
  switch (op) {
    case 0:
    case 1: {  // insert
      proto::Decision d;
      RandomDecision(&d, rng, cpus);
      *ds->Add() = d;
      // Keep a stable, readable order: by CPU, then ordinal.
      std::stable_sort(ds->begin(), ds->end(),
                       [](const proto::Decision& a, const proto::Decision& b) {
                         return a.at_cpu() != b.at_cpu() ? a.at_cpu() < b.at_cpu()
                                                          : a.at() < b.at();
                       });
      break;
    }
    case 2:
    case 3:  // delete
      if (n > 0) {
        ds->erase(ds->begin() + rng.Uniform(n));
      }
      break;
    case 4:
    case 5:  // move
      if (n > 0) {
        proto::Decision& d = (*ds)[rng.Uniform(n)];
        const int delta = static_cast<int>(rng.Uniform(9)) - 4;
        d.set_at(static_cast<uint32_t>(std::max(0, static_cast<int>(d.at()) + delta)));
      }
      break;
    case 6:  // retarget
      if (n > 0) {
        proto::Decision& d = (*ds)[rng.Uniform(n)];
        if (rng.OneIn(2)) {
          d.set_cpu(rng.Uniform(cpus));
        } else if (rng.OneIn(2)) {
          d.set_arg(rng.Uniform(4));
        } else {
          d.set_at_cpu(rng.Uniform(cpus + 1));
        }
      }
      break;
    case 7:  // duplicate one point later
      if (n > 0) {
        proto::Decision d = (*ds)[rng.Uniform(n)];
        d.set_at(d.at() + 1);
        *ds->Add() = d;
      }
      break;
    case 8:
      s->set_seed(rng.OneIn(2) ? rng.Next() : s->seed() + 1);
      break;
    case 9:
      s->set_base(s->base() == proto::RANDOM ? proto::NO_PREEMPTION : proto::RANDOM);
      break;
    case 10:
      if (info.any_model) {
        s->set_memory_model(static_cast<proto::MemoryModel>(rng.Uniform(5)));
      }
      break;
    case 11:
      if (info.any_model) {
        s->set_membar_enter(rng.OneIn(2) ? proto::ENTER_ACQUIRE
                                         : proto::ENTER_STORE_BEFORE);
      }
      break;
    case 12:
      if (info.pinned == nullptr) {
        s->set_variant(info.variants[rng.Uniform(
                                         static_cast<uint32_t>(info.variants.size()))]
                           ->variant);
      } else if (n > 0) {
        ds->erase(ds->begin() + rng.Uniform(n));
      }
      break;
  }
}

proto::Schedule CrossOver(const proto::Schedule& a, const proto::Schedule& b,
                          Random& rng) {
  proto::Schedule out = a;
  out.clear_decisions();
  const int cut_a = a.decisions_size() == 0 ? 0 : rng.Uniform(a.decisions_size() + 1);
  const int cut_b = b.decisions_size() == 0 ? 0 : rng.Uniform(b.decisions_size() + 1);
  for (int i = 0; i < cut_a; ++i) *out.add_decisions() = a.decisions(i);
  for (int i = cut_b; i < b.decisions_size() && out.decisions_size() < kMaxDecisions;
       ++i) {
    *out.add_decisions() = b.decisions(i);
  }
  if (rng.OneIn(2)) out.set_seed(b.seed());
  return out;
}

}  // namespace smp::fuzz
