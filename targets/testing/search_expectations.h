// Test helpers shared by the targets' tests: the acceptance checks of a
// registered scenario under the random scheduler, with fixed seeds.
//
//  - ExpectFinds: a bug variant is found within `runs` executions, and the
//    first finding has exactly the kind the scenario declares.
//  - ExpectSilent: a correct variant stays clean for `runs` executions.
//  - FirstFindings: executions to the first finding for several seeds (the
//    numbers docs/targets.md tabulates).
//  - ExpectByteIdenticalReplay: every scenario of a target, `runs` random
//    executions each, replayed from their picks to a byte-identical trace.
//  - SilentCases: every correct (kClean) variant of a target crossed with
//    every memory model, as parameters of a TEST_P, so that the generated
//    acceptance suite (acceptance_test.cc) can shard them (each case is one
//    test).
#ifndef SMPFUZZ_TARGETS_TESTING_SEARCH_EXPECTATIONS_H_
#define SMPFUZZ_TARGETS_TESTING_SEARCH_EXPECTATIONS_H_

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "core/trace.h"
#include "gtest/gtest.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"
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

// Same schedule, same build: the same trace, byte for byte, for `runs`
// random executions of every scenario of `target`.
inline void ExpectByteIdenticalReplay(const std::string& target, uint64_t runs) {
  const std::vector<const ScenarioSpec*> specs =
      ScenarioRegistry::Global().ForTarget(target);
  ASSERT_FALSE(specs.empty()) << "no scenario of " << target;
  for (const ScenarioSpec* spec : specs) {
    Executor executor(*spec);
    for (uint64_t i = 0; i < runs; ++i) {
      RandomScheduler random(ExecutionSeed(99, i));
      Trace first;
      const Execution e = executor.Run(random, 0, &first);
      ReplayScheduler replay(e.picks, 0);
      Trace second;
      const Execution again = executor.Run(replay, 0, &second);
      ASSERT_EQ(first.RenderText(), second.RenderText())
          << spec->name() << " execution " << i;
      ASSERT_EQ(e.decision_hash, again.decision_hash) << spec->name();
      ASSERT_EQ(replay.beyond(), 0u) << spec->name();
    }
  }
}

// One silence check: a correct variant under one memory model.
struct SilentCase {
  std::string variant;
  MemoryModel model;
};

// Every kClean variant of `target` (registration is static, so call this
// from a test or a gtest parameter generator, not at static init).
inline std::vector<SilentCase> SilentCases(const std::string& target) {
  std::vector<SilentCase> out;
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget(target)) {
    if (spec->expected != VerdictKind::kClean) continue;
    for (MemoryModel m : {MemoryModel::kSC, MemoryModel::kTSO,
                          MemoryModel::kPSO, MemoryModel::kRelaxed}) {
      out.push_back({spec->variant, m});
    }
  }
  return out;
}

// Test names: "<variant>_<model>".
inline std::string SilentCaseName(
    const ::testing::TestParamInfo<SilentCase>& info) {
  return info.param.variant + "_" +
         std::string(MemoryModelName(info.param.model));
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
