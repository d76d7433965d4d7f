// Running one execution of a scenario under a scheduler.
//
// An Executor owns the FiberPool (stacks are reused across executions) and
// builds a fresh Machine and a fresh Scenario object for every execution,
// so execution k leaves nothing behind that changes execution k+1.
#ifndef SMPFUZZ_CORE_EXECUTOR_H_
#define SMPFUZZ_CORE_EXECUTOR_H_

#include <cstdint>
#include <vector>

#include "core/fiber.h"
#include "core/scenario.h"
#include "core/scheduler.h"
#include "core/trace.h"
#include "core/verdict.h"

namespace smp {

struct Execution {
  Verdict verdict;
  std::vector<uint32_t> picks;  // replaying these reproduces the execution
  uint64_t decision_hash = 0;
  uint64_t steps = 0;
};

class Executor {
 public:
  explicit Executor(const ScenarioSpec& spec)
      : spec_(spec), model_(spec.memory_model), enter_(spec.enter_meaning) {}

  // One execution. `max_steps` 0 means the scenario's budget. With `trace`
  // non-null the execution is recorded into it.
  Execution Run(Scheduler& scheduler, uint64_t max_steps = 0,
                Trace* trace = nullptr);

  // Judge every later execution under this memory model / membar_enter
  // meaning instead of the scenario's own.
  void set_memory_model(MemoryModel model) { model_ = model; }
  void set_enter_meaning(EnterMeaning enter) { enter_ = enter; }
  MemoryModel memory_model() const { return model_; }

  const ScenarioSpec& spec() const { return spec_; }
  FiberPool& pool() { return pool_; }

 private:
  const ScenarioSpec& spec_;
  MemoryModel model_;
  EnterMeaning enter_;
  FiberPool pool_;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_EXECUTOR_H_
