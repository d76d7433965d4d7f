// Scenarios: the unit smpfuzz tests.
//
// A scenario is one workload on one implementation variant of a target:
// it declares CPUs, threads, interrupt lines and sources in its constructor
// (against the Machine it is given), and its final invariants in Check().
// Its expected verdict is part of its declaration: kClean for a correct
// variant, the verdict kind a bug variant must produce otherwise.
//
// Registration: SMP_SCENARIO(Class, named fields) at namespace scope in a
// .cc file of a cc_library with alwayslink = 1 (C: SMP_SCENARIO_C, with the
// same fields).
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

// A scenario's declaration, with named fields: what SMP_SCENARIO takes. The
// fields, their order and their meaning are those of C's SMP_SCENARIO_C
// (struct smp_scenario, hw/include/smp/hw.h), so a scenario is declared
// the same way in either language; give the ones you need, in this order.
struct ScenarioDecl {
  const char* target = "";       // e.g. "demo"
  const char* variant = "";      // e.g. "abba_deadlock"
  const char* description = "";  // one line
  VerdictKind expected = VerdictKind::kClean;
  int cpus = 2;
  uint64_t max_steps = 20000;
  MemoryModel memory_model = MemoryModel::kSC;
  EnterMeaning enter_meaning = EnterMeaning::kAcquire;
  bool detect_races = false;
};

// The spec `decl` declares, made by `make`.
ScenarioSpec SpecOf(const ScenarioDecl& decl,
                    std::function<std::unique_ptr<Scenario>(Machine&)> make);

#define SMP_SCENARIO_CAT2(a, b) a##b
#define SMP_SCENARIO_CAT(a, b) SMP_SCENARIO_CAT2(a, b)

// SMP_SCENARIO(Class, .target = "t", .variant = "v", .description = "...",
//              .expected = VerdictKind::kDeadlock, .cpus = 2, .max_steps = 4000,
//              .memory_model = MemoryModel::kTSO, ...)
// registers `Class` (constructible from Machine&) with the fields of
// ScenarioDecl. A run may override the memory model and the meaning of
// membar_enter (smpfuzz run --model, --membar-enter).
#define SMP_SCENARIO(Class, ...)                                              \
  static ::smp::ScenarioRegistrar SMP_SCENARIO_CAT(smp_scenario_, __LINE__)( \
      ::smp::SpecOf(::smp::ScenarioDecl{__VA_ARGS__},                         \
                    [](::smp::Machine& m) -> std::unique_ptr<::smp::Scenario> { \
                      return std::make_unique<Class>(m);                      \
                    }))

}  // namespace smp

#endif  // SMPFUZZ_CORE_SCENARIO_H_
