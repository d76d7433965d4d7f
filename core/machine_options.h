// The options of one Machine (Machine::Options) and the site barriers
// they may name: what an execution is configured with before it starts.
// Split from machine.h, which keeps the machine itself.
#ifndef SMPFUZZ_CORE_MACHINE_OPTIONS_H_
#define SMPFUZZ_CORE_MACHINE_OPTIONS_H_

#include <cstdint>
#include <vector>

#include "core/block_hook.h"
#include "core/loc.h"
#include "core/memory.h"
#include "core/memory_model.h"

namespace smp {

// A barrier the machine puts right before every access made at `site`, on
// any CPU: how a membar-misuse explanation replays an execution with one
// reordering forbidden, to tell whether the failure needs it.
struct SiteBarrier {
  Loc site;
  Barrier kind;
  bool after = false;  // right after the access instead of right before
};

// How one execution runs; Machine::Options.
struct MachineOptions {
  int num_cpus = 2;
  uint64_t max_steps = 100000;
  bool record = false;  // keep a Trace (off on the fast path)
  MemoryModel memory_model = MemoryModel::kSC;
  EnterMeaning enter_meaning = EnterMeaning::kAcquire;
  // Fill in Choice::observed for drain choices (the bounded search's
  // drain reduction asks; it costs a scan of the buffers per decision).
  bool observe_drains = false;
  // Told of every block boundary (core/block_hook.h); it may stop the
  // execution unjudged (pruned()). Must outlive the Machine.
  BlockHook* block_hook = nullptr;
  // Barriers inserted at access sites (null: none). Must outlive the
  // Machine.
  const std::vector<SiteBarrier>* site_barriers = nullptr;
  // Store->store and store->load reorderings of these (cell, site) pairs
  // do not happen (null: none): a drain of the later store while the
  // earlier one is buffered is delayed, never dropped (see below); a
  // later load or RMW first drains the buffer up to the earlier store.
  // Must outlive the Machine.
  //
  // Meant for replaying a recorded schedule with one reordering
  // forbidden (AlignedReplayScheduler). With it set, a kDrain choice's
  // arg is the entry's position in the buffer the recorded execution has
  // at that point, not its index in this one, so recorded drain choices
  // keep naming the same stores: an entry this execution drained early
  // is still offered where the recorded one drains it, as a no-op. The
  // chosen drain of a store that may not pass an earlier one yet keeps
  // the change as invisible as it can: the store waits and drains as
  // soon as the earlier one has, unless another agent may observe its
  // cell at once and not the earlier one's (Choice::observed's test);
  // then the earlier store drains first, now, and this one after it.
  const std::vector<Reorder>* forbidden = nullptr;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_MACHINE_OPTIONS_H_
