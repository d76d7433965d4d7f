#include "schedulers/confirm.h"

#include <utility>

#include "core/trace.h"
#include "core/trace_json.h"
#include "schedulers/membar_misuse.h"
#include "schedulers/replay_scheduler.h"

namespace smp {

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

Finding Confirm(Executor& executor, const Execution& original, uint64_t seed,
                uint64_t max_steps) {
  Finding f;
  f.seed = seed;
  f.picks = original.picks;
  f.memory_model = executor.memory_model();
  f.enter_meaning = executor.enter_meaning();
  f.max_steps = max_steps;
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

}  // namespace smp
