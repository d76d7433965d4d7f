// What is particular to fxp; the acceptance every target shares (each bug
// found with its declared kind, each correct variant silent under every
// memory model, replay byte for byte, the corpus) is fxp_test, generated
// by smp_target. The driver is C (if_fxp.c) over the kernel (//kern), the
// chip a C device model (fxp_nic.c).
#include <optional>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"

namespace smp {
namespace {

SearchResult Search(const char* variant, uint64_t runs,
                    std::optional<MemoryModel> model = std::nullopt) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find("fxp", variant);
  EXPECT_NE(spec, nullptr) << variant;
  SearchOptions o;
  o.seed = 31;
  o.runs = runs;
  o.memory_model = model;
  if (spec != nullptr && spec->expected != VerdictKind::kClean) {
    o.all_findings = true;
    o.stop_kind = spec->expected;
  }
  return RunSearch(*spec, o);
}

// The acknowledge race is an interleaving bug. Under TSO and PSO the first
// executions that lose the event do so through reorderings whose SC
// projection happens to be clean; SC reaches the same lost wakeup by other
// interleavings, so it must stay a lost wakeup, never membar misuse (it was
// reported as one in every campaign before the SC search was added).
TEST(Fxp, AckAllUnderWeakModelsIsALostWakeupNotMembarMisuse) {
  for (MemoryModel model : {MemoryModel::kTSO, MemoryModel::kPSO}) {
    SearchResult r = Search("ack_all", 5000, model);
    bool lost = false;
    for (const Finding& f : r.findings) {
      lost |= f.verdict.kind == VerdictKind::kLostWakeup;
      EXPECT_NE(f.verdict.kind, VerdictKind::kMembarMisuse)
          << MemoryModelName(model) << ": " << f.verdict.message;
    }
    EXPECT_TRUE(lost) << MemoryModelName(model);
  }
}

}  // namespace
}  // namespace smp
