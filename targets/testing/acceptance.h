// A target's acceptance suite: the one test smp_target generates for every
// target (<name>_test), from the scenarios the target registers:
//  - every bug variant is found with exactly the kind it declares, by a
//    random search of find_runs executions (seed 1), or failing that by PCT
//    at depth 2 and 3 with the same budget (a bug in a narrow window);
//  - every correct variant stays silent for silent_runs random executions
//    under each of SC, TSO, PSO and relaxed (one test case per variant and
//    model, so Bazel can shard them);
//  - replay_runs random executions of every scenario replay from their
//    picks to a byte-identical trace;
//  - the corpus: seeds replay identically, regressions reproduce their
//    verdicts (targets/testing/corpus_test.cc).
// The budgets come from smp_target's arguments (tools/build_defs/target.bzl)
// as flags: --smp_target=NAME, --smp_find_runs=N, --smp_silent_runs=N,
// --smp_replay_runs=N. A target's own <name>_scenarios_test holds what is
// particular to it (a message's wording, a fix's effect).
#ifndef SMPFUZZ_TARGETS_TESTING_ACCEPTANCE_H_
#define SMPFUZZ_TARGETS_TESTING_ACCEPTANCE_H_

#include <cstdint>
#include <string>

namespace smp::target_testing {

struct AcceptanceFlags {
  std::string target;
  uint64_t find_runs = 10000;
  uint64_t silent_runs = 3000;
  uint64_t replay_runs = 20;
};

// The flags the test binary was started with (set by its main, before
// gtest builds the parameterized cases).
AcceptanceFlags& Acceptance();

}  // namespace smp::target_testing

#endif  // SMPFUZZ_TARGETS_TESTING_ACCEPTANCE_H_
