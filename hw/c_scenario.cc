// Scenarios written in C (SMP_SCENARIO_C in hw/include/smp/hw.h): each is
// registered with the one ScenarioRegistry, as a Scenario whose set-up and
// final check are the C functions, run with the machine bound for target
// C (hw/hw_state.h).
#include <memory>
#include <string>

#include "core/machine.h"
#include "core/scenario.h"
#include "hw/hw_state.h"
#include "hw/include/smp/hw.h"

namespace smp::hw {
namespace {

class CScenario : public Scenario {
 public:
  CScenario(Machine& m, const smp_scenario* def) : def_(def) {
    HwState::Bind(&m);
    HwState::Of(m);  // restores the target's globals before set-up
    if (def_->setup != nullptr) def_->setup();
  }
  void Check(Machine& m) override {
    if (def_->check == nullptr) return;
    HwState::Bind(&m);
    def_->check();
  }

 private:
  const smp_scenario* def_;
};

}  // namespace
}  // namespace smp::hw

extern "C" void smp_register_scenario(const struct smp_scenario* def) {
  smp::ScenarioDecl decl;
  decl.target = def->target;
  decl.variant = def->variant;
  decl.description = def->description != nullptr ? def->description : "";
  decl.expected = static_cast<smp::VerdictKind>(def->expected);
  if (def->cpus > 0) decl.cpus = def->cpus;               // 0: the default
  if (def->max_steps > 0) decl.max_steps = def->max_steps;
  decl.memory_model = static_cast<smp::MemoryModel>(def->memory_model);
  decl.enter_meaning = static_cast<smp::EnterMeaning>(def->enter_meaning);
  decl.detect_races = def->detect_races != 0;
  smp::ScenarioRegistry::Global().Add(
      smp::SpecOf(decl, [def](smp::Machine& m) -> std::unique_ptr<smp::Scenario> {
        return std::make_unique<smp::hw::CScenario>(m, def);
      }));
}
