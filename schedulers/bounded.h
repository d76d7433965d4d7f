// Bounded exhaustive search: every execution of a scenario with at most P
// preemptions, I interrupt injections and R reorderings, depth first.
//
// What costs what, at a decision with choices C reached by CPU `cur`:
//   - preemption: a kRun of another CPU, or a kPlace, while kRun cur is in
//     C (switching away from a CPU that blocked or finished is free);
//   - interrupt: a kRaise while some kRun or kPlace is in C (a source that
//     fires when nothing else can run is what the no-preemption base does,
//     so it is free; which route it takes is then a free choice);
//   - reordering: a kDrain other than the one the base takes (the base
//     drains only when nothing else can happen, the first entry offered:
//     CPU order, oldest first). So a drain of an entry that is not the
//     oldest of its buffer (PSO store->store reordering) costs one, and so
//     does a drain while some kRun, kPlace or kRaise is in C (a store made
//     visible earlier than the base would, which is what lets another CPU
//     see one store of a pair) or another CPU's buffer drained first; and
//     a kReadFrom with staleness > 0 (a stale load) costs one.
// Everything else is free. The free choice the no-preemption base makes
// (schedulers/schedule_scheduler.h NoPreemptionPick) is tried first at every
// decision, so the first execution is the no-preemption one and every
// execution found is within the bound. The tree is finite: free choices
// only ever pick among CPUs after the running one stopped, or among forced
// raises and drains, all of which the program's own length bounds.
//
// Stateless: each execution is replayed from the start with a prefix of
// picks (schedulers/exhaustive.h does the same, unbounded). Two sound
// reductions prune it: early drains only where observable (under TSO and
// PSO, below) and preemptions that commuted (under SC,
// schedulers/preemption_reduction.h). Free choices are all explored: with
// preemption bounding, sleep sets over them are not sound without the
// extra bookkeeping of bounded POR (Coons et al., OOPSLA 2013), so the
// count is an upper bound on the distinct behaviours.
//
// Sharding: an execution's class is the subtree below its first costed
// pick (after the fixed prefix), that is, the executions that share its
// picks up to and including that one; an execution with no costed pick is
// a class by itself. Classes are numbered in the order the DFS meets them
// and shard i of n owns those whose number hashes (Mix64) to i mod n: the
// classes of one decision come in a fixed pattern, one per alternative,
// and the number itself mod n put the big ones into one shard. A class is a subtree, so
// contiguous in DFS order: a shard runs one uncounted probe execution of
// each class it does not own, to step past it. Every class has spent some
// of the bounds at its root, so none is more than a small part of the
// tree, and neighbours in DFS order are about the same size: the split is
// even to within a class. The union of the shards' executions is the
// unsharded search's, each once. (Numbering the subtrees a fixed depth
// down put most of a preemption-bounded tree into the one subtree that had
// not deviated yet: 83% in one of two shards.)
//
// A fixed prefix of picks is replayed first and never backtracked into; the
// bounds count only the decisions after it.
//
// Drain reduction (under TSO and PSO): a costed drain of CPU c's store to
// cell X is offered only at decisions where some other agent may observe X,
// or the cell of a younger entry of c's buffer that may have to drain after
// it, at once: another CPU's next operation accesses the cell, a context
// spins on it, or another CPU has a buffered store to it. Any bounded
// execution with a costed drain at another decision has a twin in which
// that drain is made later, just before the first such observation (or
// where the base makes it for free). Under TSO and PSO a load returns its
// CPU's own newest store or memory, so every load returns the same value
// in the twin; its verdict is the same, and it costs no more (no other
// pick's cost depends on when a drain happens). So every verdict within the
// bounds is still found, and a clean result still proves the bound. Not
// under the relaxed model: there the stale values a load may return depend
// on the order of commits across cells. The argument needs every access to
// go through the machine; a scenario that Peeks or Pokes a cell while it
// runs is searched without the reduction.
#ifndef SMPFUZZ_SCHEDULERS_BOUNDED_H_
#define SMPFUZZ_SCHEDULERS_BOUNDED_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "core/executor.h"
#include "core/scenario.h"
#include "core/scheduler.h"
#include "core/verdict.h"
#include "schedulers/search.h"
#include "schedulers/search_driver.h"

namespace smp {

struct Bounds {
  int preemptions = 2;
  int interrupts = 1;
  int reorderings = 1;
};

// What a pick costs under the definitions above.
struct Cost {
  int preemptions = 0;
  int interrupts = 0;
  int reorderings = 0;
};
Cost CostOf(const Choice* choices, uint32_t n, int current_cpu, uint32_t pick);

// Appends to `out` the picks the search tries at a decision, with `used`
// spent so far: the base's pick first, then every other one within
// `bounds` (minus, with `reduce_drains`, the unobserved costed drains).
void AllowedPicks(const Choice* choices, uint32_t n, int current_cpu, const Cost& used,
                  const Bounds& bounds, bool reduce_drains, std::vector<uint32_t>* out);

// The step budget, the stopping rule, the model and the detectors:
// SearchSettings (schedulers/search_driver.h).
struct BoundedOptions : SearchSettings {
  Bounds bounds;
  std::vector<uint32_t> prefix;  // fixed dense picks, replayed first
  uint32_t shard = 0;            // this process's shard, < shards
  uint32_t shards = 1;
  uint64_t max_executions = 1000000;
  // Offer a costed drain only where another agent may observe its cell
  // at once (Choice::observed); see "Drain reduction" above. Switched off
  // by itself for a scenario whose code reads or writes cells outside the
  // model while it runs (Peek/Poke).
  bool reduce_drains = true;
  // Under SC, stop an execution whose preemption commuted with everything
  // it let run (schedulers/preemption_reduction.h). Switched off like the
  // drain reduction.
  bool reduce_preemptions = true;
};

// executions (counted: owned and not pruned), probes (run only to walk
// other shards' trees), steps, complete (the bounded tree, this shard's
// part, was exhausted) and findings: SearchTally
// (schedulers/search_driver.h).
struct BoundedResult : SearchTally {
  bool diverged = false;    // a replayed prefix did not fit: nondeterminism
  // The drain reduction was in force for the whole search (a weak memory
  // model, no hidden accesses): executions counts pruned interleavings out.
  bool drains_reduced = false;
  // The preemption reduction was in force for the whole search (SC, no
  // hidden accesses); `pruned` executions were stopped by it (owned ones,
  // not counted in `executions`).
  bool preemptions_reduced = false;
};

// Sets `executor` up as the search runs it (model, membar_enter, races,
// lockdep) and returns whether the drain reduction can be in force: asked
// for (`reduce`), and a TSO or PSO model.
bool ConfigureBounded(Executor& executor, const BoundedOptions& options, bool reduce);

// `progress`, if set, is called every 1000 executions.
BoundedResult RunBounded(const ScenarioSpec& spec, const BoundedOptions& options,
                         const std::function<void(const BoundedResult&)>& progress = {});

// Runs `inner` once and returns its dense picks up to and including the last
// one that differs from the no-preemption base: the part of a schedule that
// makes it what it is, as a prefix to search around.
std::vector<uint32_t> DeviationPrefix(Executor& executor, Scheduler& inner,
                                      uint64_t max_steps);

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_BOUNDED_H_
