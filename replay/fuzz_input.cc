#include "replay/fuzz_input.h"

#include <cstring>

namespace smp::fuzz {
namespace {

uint32_t Read(const uint8_t* data, size_t size, size_t* at, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | (*at < size ? data[*at] : 0);
    ++*at;
  }
  return v;
}

// Folds whatever the message says into something this target runs.
void Normalize(proto::Schedule* s, const TargetInfo& info) {
  s->set_version(2);
  s->set_target(info.target);
  const ScenarioSpec* spec = info.pinned;
  if (spec == nullptr) {
    for (const ScenarioSpec* v : info.variants) {
      if (v->variant == s->variant()) spec = v;
    }
  }
  if (spec == nullptr) {
    size_t h = 0;
    for (char c : s->variant()) h = h * 31 + static_cast<unsigned char>(c);
    spec = info.variants[h % info.variants.size()];
  }
  s->set_variant(spec->variant);
  if (!info.any_model) {  // the scenario's own model and meaning
    s->clear_memory_model();
    s->clear_membar_enter();
  }
  if (!proto::MemoryModel_IsValid(s->memory_model())) s->set_memory_model(proto::MODEL_DEFAULT);
  if (!proto::EnterMeaning_IsValid(s->membar_enter())) s->set_membar_enter(proto::ENTER_DEFAULT);
  if (!proto::Base_IsValid(s->base())) s->set_base(proto::NO_PREEMPTION);
  s->clear_picks();
  for (proto::Decision& d : *s->mutable_decisions()) {
    if (!proto::Action_IsValid(d.action())) d.set_action(proto::RUN);
  }
  // An input may give an execution more steps than the scenario's budget,
  // never fewer: a correct scenario stopped early would be reported as a
  // hang (issue 19).
  if (s->max_steps() <= spec->max_steps || s->max_steps() > 1'000'000) {
    s->set_max_steps(0);
  }
}

}  // namespace

proto::Schedule Decode(const uint8_t* data, size_t size, const TargetInfo& info) {
  proto::Schedule s;
  if (size == 0 || !s.ParseFromArray(data, static_cast<int>(size))) {
    // A decision stream: seed, base and variant selector, then 4 bytes a
    // decision.
    s.Clear();
    size_t at = 0;
    uint64_t seed = Read(data, size, &at, 4);
    seed = (seed << 32) | Read(data, size, &at, 4);
    s.set_seed(seed);
    const uint32_t head = Read(data, size, &at, 2);
    s.set_base((head & 1) ? proto::RANDOM : proto::NO_PREEMPTION);
    s.set_variant(info.variants[(head >> 1) % info.variants.size()]->variant);
    const uint32_t cpus = static_cast<uint32_t>(
        (info.pinned ? info.pinned : info.variants[0])->num_cpus);
    while (at + 4 <= size) {
      const uint32_t w = Read(data, size, &at, 4);
      proto::Decision* d = s.add_decisions();
      d->set_at_cpu((w >> 24) % (cpus + 1));
      d->set_at((w >> 12) & 0xfff);
      d->set_action(static_cast<proto::Action>(((w >> 8) & 0xf) % 5));
      d->set_cpu(((w >> 4) & 0xf) % cpus);
      d->set_arg(w & 0xf);
    }
  }
  Normalize(&s, info);
  return s;
}

const ScenarioSpec& SpecOf(const proto::Schedule& s, const TargetInfo& info) {
  if (info.pinned != nullptr) return *info.pinned;
  for (const ScenarioSpec* v : info.variants) {
    if (v->variant == s.variant()) return *v;
  }
  return *info.variants[0];
}

}  // namespace smp::fuzz
