// Scenarios: the unit smpfuzz tests.
//
// A scenario is one workload on one implementation variant of a target:
// it declares CPUs, threads, interrupt lines and sources in its constructor
// (against the Machine it is given), and its final invariants in Check().
// Its expected verdict is part of its declaration: kClean for a correct
// variant, the verdict kind a bug variant must produce otherwise.
//
// Registration: SMP_SCENARIO (or SMP_SCENARIO_MODEL, SMP_SCENARIO_MODEL_ENTER
// to declare the memory model and membar_enter meaning it is judged under)
// at namespace scope in a .cc file of a cc_library with alwayslink = 1.
// The registry is filled during static initialisation and is constant afterwards; it holds no execution state.
#ifndef SMPFUZZ_CORE_SCENARIO_H_
#define SMPFUZZ_CORE_SCENARIO_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/machine.h"
#include "core/verdict.h"

namespace smp {

class Scenario {
 public:
  virtual ~Scenario() = default;
  // Runs at clean quiescence, outside any context (use Peek, SMP_ASSERT).
  virtual void Check(Machine& m) { (void)m; }
};

struct ScenarioSpec {
  std::string target;       // e.g. "demo"
  std::string variant;      // e.g. "abba_deadlock"
  std::string description;  // one line
  VerdictKind expected = VerdictKind::kClean;
  int num_cpus = 2;
  uint64_t max_steps = 20000;
  std::function<std::unique_ptr<Scenario>(Machine&)> make;
  // The memory model the scenario is judged under by default (a run may
  // override it) and the meaning of membar_enter.
  MemoryModel memory_model = MemoryModel::kSC;
  EnterMeaning enter_meaning = EnterMeaning::kAcquire;
  // Run the data race detector (core/race_detector.h) by default.
  bool detect_races = false;
  // How many swarm switches (Machine::swarm) the scenario reads.
  int num_switches = 0;

  std::string name() const { return target + "/" + variant; }
};

class ScenarioRegistry {
 public:
  static ScenarioRegistry& Global();

  // Aborts on a duplicate name: two scenarios may not share one.
  void Add(ScenarioSpec spec);
  const ScenarioSpec* Find(std::string_view target,
                           std::string_view variant) const;
  // All scenarios sorted by target then variant.
  std::vector<const ScenarioSpec*> All() const;
  std::vector<const ScenarioSpec*> ForTarget(std::string_view target) const;

 private:
  std::vector<std::unique_ptr<ScenarioSpec>> specs_;
};

struct ScenarioRegistrar {
  explicit ScenarioRegistrar(ScenarioSpec spec) {
    ScenarioRegistry::Global().Add(std::move(spec));
  }
};

#define SMP_SCENARIO_CAT2(a, b) a##b
#define SMP_SCENARIO_CAT(a, b) SMP_SCENARIO_CAT2(a, b)

// SMP_SCENARIO_MODEL_ENTER(Class, target, variant, expected, cpus, steps,
//                          model, enter, description)
// registers `Class` (constructible from Machine&) under target/variant,
// judged under memory model `model` (MemoryModel::k...) with membar_enter
// meaning `enter` (EnterMeaning::kAcquire or kStoreBefore). A run may
// override both (smpfuzz run --model, --membar-enter).
#define SMP_SCENARIO_MODEL_ENTER(Class, target, variant, expected, cpus,     \
                                 steps, model, enter, desc)                  \
  static ::smp::ScenarioRegistrar SMP_SCENARIO_CAT(smp_scenario_, __LINE__)( \
      ::smp::ScenarioSpec{                                                  \
          target, variant, desc, expected, cpus, steps,                     \
          [](::smp::Machine& m) -> std::unique_ptr<::smp::Scenario> {       \
            return std::make_unique<Class>(m);                              \
          },                                                                \
          model, enter})

// As SMP_SCENARIO_MODEL_ENTER with membar_enter meaning acquire.
#define SMP_SCENARIO_MODEL(Class, target, variant, expected, cpus, steps, \
                           model, desc)                                   \
  SMP_SCENARIO_MODEL_ENTER(Class, target, variant, expected, cpus, steps, \
                           model, ::smp::EnterMeaning::kAcquire, desc)

// As SMP_SCENARIO_MODEL under sequential consistency.
#define SMP_SCENARIO(Class, target, variant, expected, cpus, steps, desc)  \
  SMP_SCENARIO_MODEL(Class, target, variant, expected, cpus, steps,        \
                     ::smp::MemoryModel::kSC, desc)

}  // namespace smp

#endif  // SMPFUZZ_CORE_SCENARIO_H_
