// Schedule minimization: the smallest schedule that still produces the
// same verdict signature, and the bug's depth.
//
// Steps, each kept only if the replayed verdict keeps the same signature:
//  1. normalize: any schedule (version 1 picks, a RANDOM base) is rewritten
//     as sparse decisions over the NO_PREEMPTION base (the recorder);
//  2. strengthen the memory model: SC, then TSO, then PSO, the first that
//     keeps the signature (a membar-misuse signature keeps its model);
//  3. delta-debug the decisions (ddmin: drop halves, quarters, ... single
//     decisions), which drops preemptions, interrupts and reorderings;
//  4. move each remaining decision to the earliest point that still works
//     (a binary search on its ordinal), then ddmin again if that helped.
// There are no step deltas to shrink in this format (decisions are
// addressed per CPU, see docs/schedules.md), and the CPU count is the
// scenario's own (threads are bound to CPUs by the scenario).
//
// Depth: the decisions left, by kind: preemptions (RUN, PLACE), interrupts
// (RAISE), reorderings (DRAIN, READ_FROM); for a membar misuse, reorderings
// are at least the ones its verdict says the failure needs, since the base
// makes store->load reorderings with no decision. PCT (Burckhardt et al., ASPLOS
// 2010) finds a bug of depth d with probability at least 1 / (n * k^(d-1))
// for n contexts and k steps; with one change point per deviation from
// the no-preemption base on top of the initial priorities, their sum plus
// 1 is a depth that suffices (an upper estimate: the initial order may
// make some deviations by itself), and the bound is reported with it for
// the minimized execution's n and k.
#ifndef SMPFUZZ_REPLAY_MINIMIZE_H_
#define SMPFUZZ_REPLAY_MINIMIZE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "schedulers/schedule.pb.h"
#include "schedulers/search.h"

namespace smp {

struct Depth {
  int preemptions = 0;
  int interrupts = 0;
  int reorderings = 0;
  int total() const { return preemptions + interrupts + reorderings; }
};

struct MinimizeResult {
  proto::Schedule schedule;     // minimized (version 2)
  Verdict verdict;              // what it reproduces
  std::string trace_text;
  std::string trace_json;
  int decisions_before = 0;     // after normalization
  int decisions_after = 0;
  uint64_t executions = 0;      // replays spent
  Depth depth;
  uint64_t contexts = 0;        // n of the PCT bound
  uint64_t steps = 0;           // k of the PCT bound
  double pct_bound = 0;
};

// Replays `schedule` (any version) with membar classification
// (RunSchedule, replay/run_schedule.h); `trace` may be null. With a
// trace, the verdict also says whether it depends on membar_enter's
// meaning.
Execution ReplaySchedule(const proto::Schedule& schedule, Trace* trace);

// Fails if `schedule` (valid) does not produce a verdict at all.
// `max_executions` bounds the replays (the result is then the smallest
// found so far).
absl::StatusOr<MinimizeResult> Minimize(const proto::Schedule& schedule,
                                        uint64_t max_executions = 20000);

// The finding a (minimized) schedule reproduces, for SaveFinding.
Finding FindingOf(const MinimizeResult& result);

}  // namespace smp

#endif  // SMPFUZZ_REPLAY_MINIMIZE_H_
