// Prints, for every registered bug variant of the given targets (all
// targets without arguments), the executions to its first finding under
// the random scheduler for seeds 1..5 and their median, as a Markdown
// table (docs/targets.md). For variants lockdep predicts (lock_order,
// ipl_unsafe), the same without lockdep: how long until a schedule hits
// the actual failure. With --mix, also how the verdicts of 2000 plain
// executions are distributed.
//
//   bazel run --config=opt //targets/testing:first_findings -- spl spin_mutex
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

constexpr uint64_t kRuns = 10000;

std::string Row(const std::vector<target_testing::FirstFinding>& found,
                std::string* kinds) {
  std::string runs;
  std::map<std::string, int> count;
  for (const auto& f : found) {
    runs += (runs.empty() ? "" : ", ") +
            (f.executions == 0 ? std::string(">") + std::to_string(kRuns)
                               : std::to_string(f.executions));
    ++count[std::string(VerdictKindName(f.kind))];
  }
  kinds->clear();
  for (const auto& [k, n] : count) {
    *kinds += (kinds->empty() ? "" : ", ") + k +
              (n > 1 ? " x" + std::to_string(n) : "");
  }
  return runs;
}

int Main(int argc, char** argv) {
  bool mix = false;
  std::vector<std::string> targets;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mix") {
      mix = true;
    } else {
      targets.push_back(a);
    }
  }
  const std::vector<uint64_t> seeds = {1, 2, 3, 4, 5};
  std::printf(
      "| scenario | expects | executions to first finding, seeds 1-5 | "
      "median | without lockdep: median (found) |\n|---|---|---|---|---|\n");
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().All()) {
    if (!targets.empty() && std::find(targets.begin(), targets.end(),
                                      spec->target) == targets.end()) {
      continue;
    }
    if (spec->expected == VerdictKind::kClean) continue;
    std::string kinds;
    const auto on = target_testing::FirstFindings(*spec, seeds, kRuns);
    const std::string runs = Row(on, &kinds);
    std::string off_text = "";
    if (spec->expected == VerdictKind::kLockOrder ||
        spec->expected == VerdictKind::kIplUnsafe) {
      const auto off =
          target_testing::FirstFindings(*spec, seeds, kRuns, /*lockdep=*/false);
      std::string off_kinds;
      const std::string off_runs = Row(off, &off_kinds);
      (void)off_runs;
      const uint64_t median = target_testing::Median(off);
      off_text = (median == 0 ? ">" + std::to_string(kRuns)
                              : std::to_string(median)) +
                 " (" + off_kinds + ")";
    }
    std::printf("| %s | %s | %s | %llu | %s |\n", spec->name().c_str(),
                std::string(VerdictKindName(spec->expected)).c_str(),
                runs.c_str(),
                static_cast<unsigned long long>(target_testing::Median(on)),
                off_text.c_str());
    if (kinds != std::string(VerdictKindName(spec->expected)) + " x5") {
      std::printf("|  (first findings: %s) | | | | |\n", kinds.c_str());
    }
    if (mix) {
      Executor executor(*spec);
      RandomScheduler random(1);
      std::map<std::string, int> verdicts;
      for (uint64_t i = 0; i < 2000; ++i) {
        random.Reseed(ExecutionSeed(777, i));
        ++verdicts[std::string(
            VerdictKindName(executor.Run(random).verdict.kind))];
      }
      std::printf("|  (mix of 2000: ");
      for (const auto& [k, n] : verdicts) std::printf("%s %d ", k.c_str(), n);
      std::printf(") | | | | |\n");
    }
  }
  return 0;
}

}  // namespace
}  // namespace smp

int main(int argc, char** argv) { return smp::Main(argc, argv); }
