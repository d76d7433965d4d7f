#include "schedulers/search.h"

#include <algorithm>
#include <memory>

#include "core/prng.h"
#include "core/trace.h"
#include "core/trace_json.h"
#include "schedulers/no_preemption.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/projection_scheduler.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/schedule_scheduler.h"

namespace smp {

uint64_t ExecutionSeed(uint64_t seed, uint64_t index) {
  return Mix64(seed ^ Mix64(index));
}

namespace {

// 1 + the index of the first of kScSearchRuns random SC executions that
// ends with `verdict`'s kind and signature, or 0.
uint64_t ScReaches(Executor& executor, const Verdict& verdict, uint64_t max_steps) {
  const std::string key =
      verdict.signature + "|" + std::to_string(static_cast<int>(verdict.kind)) +
      "|" + std::to_string(executor.switches()) + "|" +
      std::to_string(static_cast<int>(executor.enter_meaning())) + "|" +
      std::to_string(executor.lockdep()) + std::to_string(executor.races()) +
      "|" + std::to_string(max_steps);
  auto& memo = executor.sc_reach_memo();
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

namespace {

// "membar-misuse lost-wakeup thread consumer ..." -> "membar-misuse lost-wakeup".
std::string MisuseOf(const std::string& signature) {
  const size_t first = signature.find(' ');
  if (first == std::string::npos) return signature;
  return signature.substr(0, signature.find(' ', first + 1));
}

bool SameBug(const Verdict& a, const Verdict& b) {
  if (a.kind != b.kind) return false;
  if (a.signature == b.signature) return true;
  // A weaker model may break the same missing barrier elsewhere first (a
  // stale load before the store->load reordering): the same failure kind.
  return a.kind == VerdictKind::kMembarMisuse &&
         MisuseOf(a.signature) == MisuseOf(b.signature);
}

}  // namespace

Finding StrongestModel(Executor& executor, const Finding& found) {
  if (found.verdict.kind == VerdictKind::kNondeterminism) return found;
  const MemoryModel model = executor.memory_model();
  Finding best = found;
  for (MemoryModel m : {MemoryModel::kSC, MemoryModel::kTSO, MemoryModel::kPSO}) {
    if (static_cast<int>(m) >= static_cast<int>(found.memory_model)) break;
    executor.set_memory_model(m);
    ScheduleScheduler replay(BasePolicy::kNoPreemption, 0, found.decisions,
                             executor.spec().num_cpus);
    const Execution e = executor.Run(replay, found.max_steps);
    if (e.verdict.clean()) continue;
    Finding f = Confirm(executor, e, 0, found.max_steps);
    if (SameBug(f.verdict, found.verdict)) {
      f.execution = found.execution;
      best = std::move(f);
      break;
    }
  }
  executor.set_memory_model(model);
  return best;
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

Finding Confirm(Executor& executor, const Execution& original, uint64_t seed,
                uint64_t max_steps) {
  Finding f;
  f.seed = seed;
  f.picks = original.picks;
  f.memory_model = executor.memory_model();
  f.enter_meaning = executor.enter_meaning();
  f.max_steps = max_steps;
  f.switches = executor.switches();
  Trace first, second;
  // The dense re-run, written down as a sparse schedule as it goes...
  ReplayScheduler r1(original.picks, seed);
  SparseRecorder recorder(r1, executor.spec().num_cpus);
  const Execution a = executor.Run(recorder, max_steps, &first);
  f.decisions = recorder.decisions();
  // ...and that sparse schedule replayed: the same execution, or the
  // target (or smpfuzz) is not deterministic.
  ScheduleScheduler r2(BasePolicy::kNoPreemption, 0, f.decisions,
                       executor.spec().num_cpus);
  const Execution b = executor.Run(r2, max_steps, &second);
  std::string text_a = first.RenderText();
  const std::string text_b = second.RenderText();

  std::string what;
  if (a.verdict.kind != original.verdict.kind ||
      a.verdict.signature != original.verdict.signature) {
    what = "the recorded re-run ended with '" + a.verdict.signature +
           "' instead of '" + original.verdict.signature + "'";
  } else if (a.verdict.step != original.verdict.step ||
             a.decision_hash != original.decision_hash) {
    what = "the recorded re-run took different decisions (step " +
           std::to_string(a.verdict.step) + " vs " +
           std::to_string(original.verdict.step) + ")";
  } else if (text_a != text_b || b.decision_hash != a.decision_hash) {
    what = "two recorded re-runs of the same schedule rendered different traces";
  }
  if (what.empty()) {
    f.verdict = a.verdict;
    ClassifyMembarMisuse(executor, first, max_steps, &f.verdict);
    ScheduleScheduler other(BasePolicy::kNoPreemption, 0, f.decisions,
                            executor.spec().num_cpus);
    NoteEnterMeaning(executor, other, max_steps, a.verdict, &f.verdict);
    first.verdict = f.verdict;
    f.trace_text = first.RenderText();
    f.trace_json = RenderChromeTrace(first, executor.spec().name());
  } else {
    f.verdict.kind = VerdictKind::kNondeterminism;
    f.verdict.message =
        "nondeterministic target: " + what +
        ". Something outside the schedule (a clock, an address, a hash-map "
        "order, state kept between executions) decides its behaviour.";
    f.verdict.signature = "nondeterminism";
    f.verdict.step = original.verdict.step;
    f.trace_text = std::move(text_a);
  }
  return f;
}

SearchResult RunSearch(const ScenarioSpec& spec, const SearchOptions& options,
                       const std::function<void(const SearchResult&)>& progress) {
  SearchResult result;
  Executor executor(spec);
  RandomScheduler random(options.seed);
  NoPreemptionScheduler no_preemption;
  if (options.memory_model) executor.set_memory_model(*options.memory_model);
  if (options.enter_meaning) executor.set_enter_meaning(*options.enter_meaning);
  if (options.detect_races) executor.set_races(*options.detect_races);
  executor.set_lockdep(options.lockdep);
  std::vector<std::string> raw_signatures;  // as the fast path saw them
  const bool pct = options.scheduler == SchedulerKind::kPct;
  if (pct) {
    // PCT's k: one no-preemption execution to start with (its decisions
    // are the ones the scheduler is asked about).
    PctScheduler pilot(0, 1, 1);
    executor.Run(pilot, options.max_steps);
    result.pct_steps = pilot.decisions();
  }
  for (uint64_t i = 0; i < options.runs; ++i) {
    const uint64_t seed = ExecutionSeed(options.seed, i);
    Scheduler* scheduler = &no_preemption;
    if (options.scheduler == SchedulerKind::kRandom) {
      random.Reseed(seed);
      scheduler = &random;
    }
    std::optional<PctScheduler> pct_scheduler;
    if (pct) {
      pct_scheduler.emplace(seed, options.depth, result.pct_steps);
      scheduler = &*pct_scheduler;
    }
    const Execution e = executor.Run(*scheduler, options.max_steps);
    if (pct) {
      result.pct_steps = std::max(result.pct_steps, pct_scheduler->decisions());
      result.pct_agents = std::max(result.pct_agents, pct_scheduler->agents());
    }
    ++result.executions;
    result.steps += e.steps;
    if (!e.verdict.clean()) {
      const bool seen = std::find(raw_signatures.begin(), raw_signatures.end(),
                                  e.verdict.signature) != raw_signatures.end();
      if (!seen) {
        raw_signatures.push_back(e.verdict.signature);
        Finding f = Confirm(executor, e, seed, options.max_steps);
        f.execution = i;
        const VerdictKind kind = f.verdict.kind;
        result.findings.push_back(std::move(f));
        if (!options.all_findings) break;
        if (options.stop_kind && kind == *options.stop_kind) break;
      }
    }
    if (progress && (i + 1) % 1000 == 0) progress(result);
  }
  return result;
}

}  // namespace smp
