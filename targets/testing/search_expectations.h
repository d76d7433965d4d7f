// Test helpers shared by the targets' tests: the acceptance checks of a
// registered scenario under the random scheduler, with fixed seeds.
//
//  - ExpectFinds: a bug variant is found within `runs` executions, and the
//    first finding has exactly the kind the scenario declares.
//  - ExpectSilent: a correct variant stays clean for `runs` executions.
//  - FirstFindings: executions to the first finding for several seeds (the
//    numbers docs/targets.md tabulates).
#ifndef SMPFUZZ_TARGETS_TESTING_SEARCH_EXPECTATIONS_H_
#define SMPFUZZ_TARGETS_TESTING_SEARCH_EXPECTATIONS_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"

namespace smp::target_testing {

inline const ScenarioSpec& SpecOf(const std::string& target,
                                  const std::string& variant) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find(target, variant);
  if (spec == nullptr) {
    ADD_FAILURE() << "no scenario " << target << "/" << variant;
    std::abort();
  }
  return *spec;
}

inline SearchResult Search(const ScenarioSpec& spec, uint64_t seed,
                           uint64_t runs, bool lockdep = true,
                           std::optional<MemoryModel> model = std::nullopt) {
  SearchOptions o;
  o.seed = seed;
  o.runs = runs;
  o.lockdep = lockdep;
  o.memory_model = model;
  return RunSearch(spec, o);
}

// Returns the finding (empty verdict if none).
inline Finding ExpectFinds(const ScenarioSpec& spec, uint64_t seed,
                           uint64_t runs = 10000) {
  const SearchResult r = Search(spec, seed, runs);
  if (r.findings.empty()) {
    ADD_FAILURE() << spec.name() << ": nothing found in " << r.executions
                  << " executions (seed " << seed << ")";
    return Finding{};
  }
  const Finding& f = r.findings[0];
  EXPECT_EQ(VerdictKindName(f.verdict.kind), VerdictKindName(spec.expected))
      << spec.name() << " (seed " << seed << ", execution " << f.execution
      << "):\n" << f.verdict.message;
  return f;
}

inline void ExpectSilent(const ScenarioSpec& spec, uint64_t seed,
                         uint64_t runs,
                         std::optional<MemoryModel> model = std::nullopt) {
  const SearchResult r = Search(spec, seed, runs, true, model);
  const std::string under =
      model ? " under " + std::string(MemoryModelName(*model)) : "";
  EXPECT_EQ(r.executions, runs) << spec.name() << under;
  for (const Finding& f : r.findings) {
    ADD_FAILURE() << spec.name() << under << " (seed " << seed << ", execution "
                  << f.execution << "): " << f.verdict.message << "\n"
                  << f.trace_text;
  }
}

// ExpectSilent under each of SC, TSO, PSO and relaxed.
inline void ExpectSilentUnderEveryModel(const ScenarioSpec& spec, uint64_t seed,
                                        uint64_t runs) {
  for (MemoryModel m : {MemoryModel::kSC, MemoryModel::kTSO, MemoryModel::kPSO,
                        MemoryModel::kRelaxed}) {
    ExpectSilent(spec, seed, runs, m);
  }
}

struct FirstFinding {
  uint64_t seed;
  uint64_t executions;  // up to and including the finding; 0: none
  VerdictKind kind;
};

inline std::vector<FirstFinding> FirstFindings(
    const ScenarioSpec& spec, const std::vector<uint64_t>& seeds,
    uint64_t runs = 10000, bool lockdep = true) {
  std::vector<FirstFinding> out;
  for (uint64_t seed : seeds) {
    const SearchResult r = Search(spec, seed, runs, lockdep);
    if (r.findings.empty()) {
      out.push_back({seed, 0, VerdictKind::kClean});
    } else {
      out.push_back({seed, r.findings[0].execution + 1,
                     r.findings[0].verdict.kind});
    }
  }
  return out;
}

inline uint64_t Median(std::vector<FirstFinding> v) {
  std::sort(v.begin(), v.end(), [](const FirstFinding& a, const FirstFinding& b) {
    return a.executions < b.executions;
  });
  return v.empty() ? 0 : v[v.size() / 2].executions;
}

}  // namespace smp::target_testing

#endif  // SMPFUZZ_TARGETS_TESTING_SEARCH_EXPECTATIONS_H_
