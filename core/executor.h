// Running one execution of a scenario under a scheduler.
//
// An Executor owns the FiberPool (stacks are reused across executions) and
// the room of the machine's containers (Machine::Storage), and builds a
// fresh Machine and a fresh Scenario object for every execution, so
// execution k leaves nothing behind that changes execution k+1 (what is
// kept is capacity, handed over empty).
//
// Every execution runs with the lock-order / IPL-safety checker (lockdep,
// core/lockdep.h) attached unless set_lockdep(false): it is attached before
// the scenario is built, so the scenario's primitives can declare lock
// classes, and its predictive report is made after the scenario's final
// Check() at clean quiescence only (an actual deadlock or assertion wins).
#ifndef SMPFUZZ_CORE_EXECUTOR_H_
#define SMPFUZZ_CORE_EXECUTOR_H_

#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "core/block_hook.h"
#include "core/fiber.h"
#include "core/lockdep.h"
#include "core/machine.h"
#include "core/race_detector.h"
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
  uint64_t hidden_accesses = 0;  // Peek/Poke while running (Machine)
  bool pruned = false;  // the block hook stopped it: no verdict of its own
};

class Executor {
 public:
  explicit Executor(const ScenarioSpec& spec)
      : spec_(spec),
        model_(spec.memory_model),
        enter_(spec.enter_meaning),
        races_on_(spec.detect_races) {}

  // One execution. `max_steps` 0 means the scenario's budget. With `trace`
  // non-null the execution is recorded into it.
  Execution Run(Scheduler& scheduler, uint64_t max_steps = 0,
                Trace* trace = nullptr);

  // Judge every later execution under this memory model / membar_enter
  // meaning instead of the scenario's own.
  void set_memory_model(MemoryModel model) { model_ = model; }
  void set_enter_meaning(EnterMeaning enter) { enter_ = enter; }
  MemoryModel memory_model() const { return model_; }
  // Attach lockdep to every later execution (the default) or not.
  void set_lockdep(bool on) { lockdep_on_ = on; }
  bool lockdep() const { return lockdep_on_; }
  // Attach the data race detector to every later execution (default: the
  // scenario's ScenarioSpec::detect_races).
  void set_races(bool on) { races_on_ = on; }
  bool races() const { return races_on_; }
  EnterMeaning enter_meaning() const { return enter_; }

  // Attaches `observer` (it must outlive the Executor) to every later
  // execution, after the detectors; it is not reset between executions.
  void AddObserver(Observer* observer) { extra_observers_.push_back(observer); }
  // Mark drain choices observed or not (Machine::Options::observe_drains).
  void set_observe_drains(bool on) { observe_drains_ = on; }
  // Tell `hook` (null: none) of every later execution's block boundaries
  // (Machine::Options::block_hook). It must outlive those executions.
  void set_block_hook(BlockHook* hook) { block_hook_ = hook; }
  // Barriers inserted at access sites in every later execution
  // (Machine::Options::site_barriers); empty: none.
  void set_site_barriers(std::vector<SiteBarrier> barriers) {
    site_barriers_ = std::move(barriers);
  }
  // Reorderings that do not happen in every later execution
  // (Machine::Options::forbidden); empty: none.
  void set_forbidden(std::vector<Reorder> forbidden) {
    forbidden_ = std::move(forbidden);
  }

  // Per-executor state of a component above core (a detector's cache,
  // such as schedulers/membar_misuse.h's), made on first use and kept for
  // the executor's life: one `T` (default-constructible) per type. Core
  // never reads it, so it changes no execution.
  template <typename T>
  T& Attachment() {
    static const char tag = 0;  // a key per T; only looked up, never iterated
    std::shared_ptr<void>& slot = attachments_[&tag];
    if (slot == nullptr) slot = std::make_shared<T>();
    return *static_cast<T*>(slot.get());
  }

  const ScenarioSpec& spec() const { return spec_; }
  FiberPool& pool() { return pool_; }

 private:
  const ScenarioSpec& spec_;
  MemoryModel model_;
  EnterMeaning enter_;
  bool lockdep_on_ = true;
  Lockdep lockdep_;  // reset per execution; outlives each Machine
  bool races_on_;
  RaceDetector races_;
  std::vector<Observer*> extra_observers_;
  bool observe_drains_ = false;
  BlockHook* block_hook_ = nullptr;
  std::vector<SiteBarrier> site_barriers_;
  std::vector<Reorder> forbidden_;
  std::map<const void*, std::shared_ptr<void>> attachments_;
  FiberPool pool_;
  Machine::Storage machine_storage_;  // each Run's machine's room
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_EXECUTOR_H_
