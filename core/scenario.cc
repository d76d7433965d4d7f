#include "core/scenario.h"

#include <utility>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace smp {

ScenarioRegistry& ScenarioRegistry::Global() {
  static ScenarioRegistry* registry = new ScenarioRegistry();
  return *registry;
}

ScenarioSpec SpecOf(const ScenarioDecl& decl,
                    std::function<std::unique_ptr<Scenario>(Machine&)> make) {
  ScenarioSpec spec;
  spec.target = decl.target;
  spec.variant = decl.variant;
  spec.description = decl.description;
  spec.expected = decl.expected;
  spec.num_cpus = decl.cpus;
  spec.max_steps = decl.max_steps;
  spec.make = std::move(make);
  spec.memory_model = decl.memory_model;
  spec.enter_meaning = decl.enter_meaning;
  spec.detect_races = decl.detect_races;
  return spec;
}

void ScenarioRegistry::Add(ScenarioSpec spec) {
  if (Find(spec.target, spec.variant) != nullptr) {
    std::fprintf(stderr, "smpfuzz: scenario %s registered twice\n",
                 spec.name().c_str());
    std::abort();
  }
  specs_.push_back(std::make_unique<ScenarioSpec>(std::move(spec)));
}

const ScenarioSpec* ScenarioRegistry::Find(std::string_view target,
                                           std::string_view variant) const {
  for (const auto& s : specs_) {
    if (s->target == target && s->variant == variant) return s.get();
  }
  return nullptr;
}

std::vector<const ScenarioSpec*> ScenarioRegistry::All() const {
  std::vector<const ScenarioSpec*> out;
  for (const auto& s : specs_) out.push_back(s.get());
  std::sort(out.begin(), out.end(), [](const ScenarioSpec* a, const ScenarioSpec* b) {
    return a->target != b->target ? a->target < b->target : a->variant < b->variant;
  });
  return out;
}

std::vector<const ScenarioSpec*> ScenarioRegistry::ForTarget(
    std::string_view target) const {
  std::vector<const ScenarioSpec*> out;
  for (const ScenarioSpec* s : All()) {
    if (s->target == target) out.push_back(s);
  }
  return out;
}

}  // namespace smp
