#include "schedulers/membar_misuse.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/prng.h"
#include "schedulers/projection_scheduler.h"
#include "schedulers/random_scheduler.h"

namespace smp {
namespace {

// 1 + the index of the first of kScSearchRuns random SC executions that
// ends with `verdict`'s kind and signature, or 0.
uint64_t ScReaches(Executor& executor, const Verdict& verdict, uint64_t max_steps) {
  const std::string key =
      verdict.signature + "|" + std::to_string(static_cast<int>(verdict.kind)) +
      "|" + std::to_string(static_cast<int>(executor.enter_meaning())) + "|" +
      std::to_string(executor.lockdep()) + std::to_string(executor.races()) +
      "|" + std::to_string(max_steps);
  auto& memo = executor.Attachment<ScReachCache>().reached;
  if (auto it = memo.find(key); it != memo.end()) return it->second;
  const MemoryModel model = executor.memory_model();
  executor.set_memory_model(MemoryModel::kSC);
  RandomScheduler random(0);
  uint64_t hit = 0;
  for (uint64_t i = 0; i < kScSearchRuns && hit == 0; ++i) {
    random.Reseed(ExecutionSeed(0x5c5ea7c4, i));
    const Execution e = executor.Run(random, max_steps);
    if (e.verdict.kind == verdict.kind && e.verdict.signature == verdict.signature) {
      hit = i + 1;
    }
  }
  executor.set_memory_model(model);
  memo.emplace(key, hit);
  return hit;
}

// The one barrier that forbids reordering `r`, put right after its earlier
// access (between the two, and ordering that access only: a barrier right
// before the later one would also forbid the reorderings of every other
// earlier access with it, and could not tell them apart).
SiteBarrier ForbiddingBarrier(const Reorder& r) {
  switch (r.kind) {
    case Reorder::kStoreStore:
      return SiteBarrier{r.earlier_loc, Barrier::kProducer, true};
    case Reorder::kStoreLoad:
      return SiteBarrier{r.earlier_loc, Barrier::kSync, true};
    case Reorder::kStaleLoad:
      break;
  }
  if (r.earlier_cell < 0) return SiteBarrier{r.later_loc, Barrier::kConsumer, false};
  return SiteBarrier{r.earlier_loc, Barrier::kConsumer, true};
}

// Whether the failure `verdict` of the recorded execution `trace` needs
// reordering `r`: the same schedule, under the same model, with the
// barrier that forbids `r` inserted, no longer fails that way.
bool FailureNeeds(Executor& executor, const Trace& trace, const Reorder& r,
                  const Verdict& verdict, uint64_t max_steps) {
  // Store reorderings are forbidden pair by pair (a barrier would forbid
  // its access's reorderings with every later one too); a stale load by
  // the barrier that forbids it.
  if (r.kind == Reorder::kStaleLoad) {
    executor.set_site_barriers({ForbiddingBarrier(r)});
  } else {
    executor.set_forbidden({r});
  }
  AlignedReplayScheduler replay(trace.choices);
  const Execution e = executor.Run(replay, max_steps);
  executor.set_site_barriers({});
  executor.set_forbidden({});
  return e.verdict.kind != verdict.kind ||
         e.verdict.signature != verdict.signature;
}

}  // namespace

void ClassifyMembarMisuse(Executor& executor, const Trace& trace,
                          uint64_t max_steps, Verdict* verdict) {
  if (trace.memory_model == MemoryModel::kSC || trace.reorders.empty()) return;
  const VerdictKind k = verdict->kind;
  if (k != VerdictKind::kAssertion && k != VerdictKind::kDeadlock &&
      k != VerdictKind::kLostWakeup && k != VerdictKind::kHang) {
    return;
  }
  const MemoryModel model = executor.memory_model();
  executor.set_memory_model(MemoryModel::kSC);
  ProjectionScheduler projection(trace.choices);
  const Execution sc = executor.Run(projection, max_steps);
  executor.set_memory_model(model);
  if (!sc.verdict.clean()) return;  // broken under SC too: not about barriers
  // The projection is one SC interleaving. A plain interleaving bug may
  // still be reachable under SC by another: search for it a little.
  if (const uint64_t hit = ScReaches(executor, *verdict, max_steps)) {
    verdict->message += "\n  It fails the same way under SC too (SC search, "
                        "execution " + std::to_string(hit) +
                        "): an interleaving bug, not a missing barrier.";
    return;
  }

  // The distinct reorderings, latest first: the first kChecked of them are
  // each replayed forbidden, and those the failure needs are listed. When
  // none is needed on its own (each has an alternative), the latest
  // kShown are listed as before.
  constexpr size_t kShown = 6;
  constexpr size_t kChecked = 16;
  std::vector<std::string> lines, needed;
  size_t distinct = 0;
  for (auto it = trace.reorders.rbegin(); it != trace.reorders.rend(); ++it) {
    std::string line = DescribeReorder(trace, *it);
    if (std::find(lines.begin(), lines.end(), line) != lines.end()) continue;
    ++distinct;
    if (distinct <= kChecked &&
        FailureNeeds(executor, trace, *it, *verdict, max_steps)) {
      needed.push_back(line);
    }
    lines.push_back(std::move(line));
  }
  const size_t all = lines.size();
  if (lines.size() > kShown) lines.resize(kShown);
  std::string message = "membar misuse under " +
                        std::string(MemoryModelName(trace.memory_model)) + ": " +
                        verdict->message +
                        "\n  The same schedule replayed under SC is clean";
  if (projection.misses() != 0) {
    message += " (" + std::to_string(projection.misses()) +
               " decision(s) had to differ)";
  }
  message += ", so a reordering broke it.";
  if (!needed.empty()) {
    message += " The reordering(s) it needs (the same schedule with the "
               "barrier named inserted no longer fails):";
    for (const std::string& line : needed) message += "\n  - " + line;
    if (all > needed.size()) {
      message += "\n  (" + std::to_string(all - needed.size()) +
                 " other reordering(s) of this execution are not needed)";
    }
  } else {
    message += " No single reordering is needed on its own (forbidding any "
               "one still fails). Reorderings in this execution (latest "
               "first):";
    for (const std::string& line : lines) message += "\n  - " + line;
    if (trace.reorders.size() > lines.size()) {
      message += "\n  (" + std::to_string(trace.reorders.size()) +
                 " reorderings in all)";
    }
  }
  verdict->kind = VerdictKind::kMembarMisuse;
  verdict->reorderings_needed = std::max<int>(1, static_cast<int>(needed.size()));
  verdict->message = std::move(message);
  verdict->signature = "membar-misuse " + verdict->signature;
}

void NoteEnterMeaning(Executor& executor, Scheduler& replay, uint64_t max_steps,
                      const Verdict& raw, Verdict* verdict) {
  if (executor.memory_model() == MemoryModel::kSC) return;
  const EnterMeaning mine = executor.enter_meaning();
  const EnterMeaning other = mine == EnterMeaning::kAcquire
                                 ? EnterMeaning::kStoreBefore
                                 : EnterMeaning::kAcquire;
  executor.set_enter_meaning(other);
  const Execution e = executor.Run(replay, max_steps);
  executor.set_enter_meaning(mine);
  if (e.verdict.kind == raw.kind && e.verdict.signature == raw.signature) return;
  auto name = [](EnterMeaning m) -> std::string {
    return m == EnterMeaning::kAcquire
               ? "acquire meaning (membar_enter: ENTER_ACQUIRE)"
               : "historical store-before-load/store meaning (membar_enter: "
                 "ENTER_STORE_BEFORE)";
  };
  verdict->message += "\n  This verdict depends on membar_enter's meaning: it shows under the " +
                      name(mine) + "; under the " + name(other) +
                      " the same schedule " +
                      (e.verdict.clean() ? std::string("is clean")
                                         : "ends with '" + e.verdict.signature + "'") +
                      ". Code that relies on one meaning is itself a finding "
                      "(use membar_acquire or membar_sync for what it needs).";
}

}  // namespace smp
