// What is particular to fxp; the acceptance every target shares (each bug
// found with its declared kind, each correct variant silent under every
// memory model, replay byte for byte, the corpus) is fxp_test, generated
// by smp_target. The driver is C (if_fxp.c) over the kernel (//kern), the
// chip a C device model (fxp_nic.c).
#include <optional>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

// The acknowledge race is an interleaving bug. Under TSO and PSO the first
// executions that lose the event do so through reorderings whose SC
// projection happens to be clean; SC reaches the same lost wakeup by other
// interleavings, so it must stay a lost wakeup, never membar misuse (it was
// reported as one in every campaign before the SC search was added).
TEST(Fxp, AckAllUnderWeakModelsIsALostWakeupNotMembarMisuse) {
  for (MemoryModel model : {MemoryModel::kTSO, MemoryModel::kPSO}) {
    const ScenarioSpec& spec = target_testing::SpecOf("fxp", "ack_all");
    SearchOptions o;
    o.seed = 31;
    o.runs = 5000;
    o.memory_model = model;
    o.all_findings = true;  // every kind found before the lost wakeup
    o.stop_kind = spec.expected;
    const SearchResult r = RunSearch(spec, o);
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
