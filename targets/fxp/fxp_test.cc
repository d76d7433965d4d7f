// Every fxp bug is found with its exact verdict; the correct variants are
// silent under every memory model.
#include <string>
#include <utility>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

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

TEST(Fxp, BugsAreFoundWithTheirVerdicts) {
  const std::pair<const char*, VerdictKind> bugs[] = {
      {"no_membar_producer", VerdictKind::kMembarMisuse},
      {"ack_all", VerdictKind::kLostWakeup},
      {"start_without_lock", VerdictKind::kDataRace},
      {"init_with_lock_held", VerdictKind::kDeadlock},
      {"stop_without_lock", VerdictKind::kDataRace},
  };
  for (const auto& [variant, kind] : bugs) {
    SearchResult r = Search(variant, 10000);
    bool found = false;
    for (const Finding& f : r.findings) found |= f.verdict.kind == kind;
    EXPECT_TRUE(found) << variant << " not found as " << VerdictKindName(kind);
  }
}

TEST(Fxp, CorrectVariantsAreSilentUnderEveryModel) {
  for (const char* variant : {"send", "ioctl_reset", "stop_during_traffic"}) {
    target_testing::ExpectSilentUnderEveryModel(
        target_testing::SpecOf("fxp", variant), 31, 2000);
  }
}

}  // namespace
}  // namespace smp
