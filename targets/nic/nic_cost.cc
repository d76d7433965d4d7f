// What each discipline costs in scheduling points: the mean points of one
// execution of each correct nic scenario (NIC_FRAMES frames sent, the
// chip interrupting up to NIC_INTRS times, lines coalescing as the
// schedule has them) over random executions (seed 1), and that divided
// by the frames. Prints a markdown table.
//   bazel run --config=opt //targets/nic:nic_cost [-- RUNS]
#include <cstdio>
#include <cstdlib>

#include "core/scenario.h"
#include "schedulers/search.h"

int main(int argc, char** argv) {
  const uint64_t runs = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
  constexpr int kFrames = 3;  // NIC_FRAMES in nic_scenarios.c
  std::printf("| discipline | points per execution (mean of %llu) | per frame |\n",
              static_cast<unsigned long long>(runs));
  std::printf("|---|---|---|\n");
  int status = 0;
  for (const char* variant : {"spl_giant", "mutex", "serializer"}) {
    const smp::ScenarioSpec* spec = smp::ScenarioRegistry::Global().Find("nic", variant);
    if (spec == nullptr) {
      std::fprintf(stderr, "nic_cost: no scenario nic/%s\n", variant);
      return 2;
    }
    smp::SearchOptions o;
    o.seed = 1;
    o.runs = runs;
    const smp::SearchResult r = smp::RunSearch(*spec, o);
    if (!r.findings.empty() || r.executions == 0) {
      std::fprintf(stderr, "nic_cost: nic/%s is not clean\n", variant);
      status = 1;
      continue;
    }
    const double per_exec = static_cast<double>(r.steps) / static_cast<double>(r.executions);
    std::printf("| %s | %.1f | %.1f |\n", variant, per_exec, per_exec / kFrames);
  }
  return status;
}
