#include "core/executor.h"

#include <memory>

#include "core/machine.h"

namespace smp {

Execution Executor::Run(Scheduler& scheduler, uint64_t max_steps,
                        Trace* trace) {
  Machine::Options options;
  options.num_cpus = spec_.num_cpus;
  options.max_steps = max_steps != 0 ? max_steps : spec_.max_steps;
  options.record = trace != nullptr;
  options.memory_model = model_;
  options.enter_meaning = enter_;
  options.observe_drains = observe_drains_;
  options.block_hook = block_hook_;
  options.site_barriers = &site_barriers_;
  options.forbidden = &forbidden_;
  Execution result;
  {
    Machine m(pool_, scheduler, options, &machine_storage_);
    if (lockdep_on_) {
      lockdep_.Reset();
      m.AddObserver(&lockdep_);
    }
    if (races_on_) {
      races_.Reset();
      m.AddObserver(&races_);
    }
    for (Observer* o : extra_observers_) m.AddObserver(o);
    std::unique_ptr<Scenario> scenario = spec_.make(m);
    // One pointer captured: the std::function keeps it without allocating.
    struct Final {
      Executor* executor;
      Scenario* scenario;
      Machine* machine;
    } final{this, scenario.get(), &m};
    m.SetFinalCheck([&final] {
      final.scenario->Check(*final.machine);
      if (final.executor->lockdep_on_) final.executor->lockdep_.Finish(*final.machine);
    });
    result.verdict = m.Run();
    result.picks = m.TakePicks();
    result.decision_hash = m.decision_hash();
    result.steps = m.step();
    result.hidden_accesses = m.hidden_accesses();
    result.pruned = m.pruned();
    if (trace != nullptr) *trace = m.TakeTrace();
    // The scenario (and its cells) die before the machine.
    scenario.reset();
  }
  return result;
}

}  // namespace smp
