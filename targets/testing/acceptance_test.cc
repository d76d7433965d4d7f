// The generated half of a target's acceptance suite: see acceptance.h.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/acceptance.h"
#include "targets/testing/search_expectations.h"

namespace smp::target_testing {

AcceptanceFlags& Acceptance() {
  static AcceptanceFlags flags;
  return flags;
}

namespace {

std::vector<std::string> BugVariants() {
  std::vector<std::string> out;
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget(Acceptance().target)) {
    if (spec->expected != VerdictKind::kClean) out.push_back(spec->variant);
  }
  return out;
}

TEST(Acceptance, TargetHasScenarios) {
  EXPECT_FALSE(ScenarioRegistry::Global().ForTarget(Acceptance().target).empty())
      << "no scenario registers target '" << Acceptance().target << "'";
}

class BugVariant : public ::testing::TestWithParam<std::string> {};

// As `smpfuzz run` searches a bug variant: past other findings (lockdep's
// predictions, say) until one of the declared kind shows.
TEST_P(BugVariant, IsFoundWithItsDeclaredKind) {
  const ScenarioSpec& spec = SpecOf(Acceptance().target, GetParam());
  SearchOptions o;
  o.seed = 1;
  o.runs = Acceptance().find_runs;
  o.all_findings = true;
  o.stop_kind = spec.expected;
  auto declared = [&](const SearchResult& r) {
    for (const Finding& f : r.findings) {
      if (f.verdict.kind == spec.expected) return true;
    }
    return false;
  };
  SearchResult r = RunSearch(spec, o);
  for (int depth = 2; !declared(r) && depth <= 3; ++depth) {
    o.scheduler = SchedulerKind::kPct;
    o.depth = depth;
    r = RunSearch(spec, o);
  }
  std::string seen;
  for (const Finding& f : r.findings) {
    seen += "\n  " + std::string(VerdictKindName(f.verdict.kind)) + ": " + f.verdict.signature;
  }
  EXPECT_TRUE(declared(r)) << spec.name() << ": no " << VerdictKindName(spec.expected)
                           << " in " << o.runs
                           << " random executions, nor by PCT at depth 2 or 3; found:"
                           << seen;
}

// gtest wants at least one case; a target may have no bug variant.
INSTANTIATE_TEST_SUITE_P(Target, BugVariant, ::testing::ValuesIn(BugVariants()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(BugVariant);

class CorrectVariant : public ::testing::TestWithParam<SilentCase> {};

TEST_P(CorrectVariant, IsSilentUnderTheModel) {
  ExpectSilent(SpecOf(Acceptance().target, GetParam().variant), /*seed=*/7,
               Acceptance().silent_runs, GetParam().model);
}

INSTANTIATE_TEST_SUITE_P(Target, CorrectVariant,
                         ::testing::ValuesIn(SilentCases(Acceptance().target)),
                         SilentCaseName);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CorrectVariant);

TEST(Acceptance, ReplayIsByteIdentical) {
  ExpectByteIdenticalReplay(Acceptance().target, Acceptance().replay_runs);
}

bool ParseCount(const std::string& arg, const char* flag, uint64_t* out) {
  const std::string prefix = std::string(flag) + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  char* end = nullptr;
  *out = std::strtoull(arg.c_str() + prefix.size(), &end, 10);
  if (*end != '\0' || *out == 0) {
    std::fprintf(stderr, "%s wants a positive count, not '%s'\n", flag,
                 arg.c_str() + prefix.size());
    std::exit(2);
  }
  return true;
}

}  // namespace
}  // namespace smp::target_testing

// The flags are read before gtest builds the parameterized cases, which
// depend on the target.
int main(int argc, char** argv) {
  smp::target_testing::AcceptanceFlags& flags = smp::target_testing::Acceptance();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--smp_target=", 0) == 0) {
      flags.target = arg.substr(13);
    } else {
      smp::target_testing::ParseCount(arg, "--smp_find_runs", &flags.find_runs) ||
          smp::target_testing::ParseCount(arg, "--smp_silent_runs", &flags.silent_runs) ||
          smp::target_testing::ParseCount(arg, "--smp_replay_runs", &flags.replay_runs);
    }
  }
  if (flags.target.empty()) {
    std::fprintf(stderr, "usage: %s --smp_target=NAME [--smp_find_runs=N] "
                 "[--smp_silent_runs=N] [--smp_replay_runs=N]\n", argv[0]);
    return 2;
  }
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
