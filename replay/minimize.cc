#include "replay/minimize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/trace_json.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"

namespace smp {
namespace {

// Replays and returns the verdict signature (empty when clean).
class Oracle {
 public:
  explicit Oracle(uint64_t budget) : budget_(budget) {}

  bool Exhausted() const { return used_ >= budget_; }
  uint64_t used() const { return used_; }

  std::string Signature(const proto::Schedule& s) {
    ++used_;
    return ReplaySchedule(s, nullptr).verdict.signature;
  }

 private:
  uint64_t budget_;
  uint64_t used_ = 0;
};

// Rewrites any schedule as sparse decisions over NO_PREEMPTION.
proto::Schedule Normalize(const proto::Schedule& s) {
  std::vector<SparseDecision> decisions;
  RunOptions options;
  options.decisions = &decisions;
  RunSchedule(s, options);
  proto::Schedule out = s;
  out.set_version(2);
  out.clear_picks();
  out.set_base(proto::NO_PREEMPTION);
  SetDecisions(decisions, &out);
  return out;
}

proto::Schedule WithDecisions(const proto::Schedule& s,
                              const std::vector<proto::Decision>& ds) {
  proto::Schedule out = s;
  out.clear_decisions();
  for (const proto::Decision& d : ds) *out.add_decisions() = d;
  return out;
}

// Classic ddmin over the decision list.
std::vector<proto::Decision> DeltaDebug(const proto::Schedule& base,
                                        std::vector<proto::Decision> ds,
                                        const std::string& want, Oracle& oracle) {
  size_t chunks = 2;
  while (ds.size() >= 1 && !oracle.Exhausted()) {
    const size_t n = ds.size();
    chunks = std::min(chunks, n);
    const size_t size = (n + chunks - 1) / chunks;
    bool reduced = false;
    for (size_t start = 0; start < n && !oracle.Exhausted(); start += size) {
      std::vector<proto::Decision> rest;
      for (size_t i = 0; i < n; ++i) {
        if (i < start || i >= start + size) rest.push_back(ds[i]);
      }
      if (oracle.Signature(WithDecisions(base, rest)) == want) {
        ds = std::move(rest);
        chunks = std::max<size_t>(chunks - 1, 2);
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      if (chunks >= n) break;
      chunks = std::min(n, chunks * 2);
    }
  }
  return ds;
}

}  // namespace

Execution ReplaySchedule(const proto::Schedule& s, Trace* trace) {
  RunOptions options;
  options.trace = trace;
  options.classify = true;
  // What a person reads, not every oracle replay, says whether the
  // verdict depends on membar_enter's meaning.
  options.note_enter_meaning = trace != nullptr;
  return RunSchedule(s, options).execution;
}

absl::StatusOr<MinimizeResult> Minimize(const proto::Schedule& input,
                                        uint64_t max_executions) {
  Oracle oracle(max_executions);
  const std::string want = oracle.Signature(input);
  if (want == "clean") {
    return absl::FailedPreconditionError(
        "the schedule replays clean: there is no verdict to keep");
  }
  MinimizeResult r;
  proto::Schedule best = Normalize(input);
  if (oracle.Signature(best) != want) {
    // The sparse rewrite must replay exactly; if it does not, keep the
    // input as it is (and say nothing was removed).
    best = input;
  }
  r.decisions_before = best.decisions_size();
  if (best.version() == 2 && best.base() == proto::NO_PREEMPTION) {
    best.set_seed(0);  // unused by this base: noise in the file
  }

  // Strengthen the memory model.
  if (ModelOf(best) != MemoryModel::kSC) {
    for (proto::MemoryModel m : {proto::SC, proto::TSO, proto::PSO}) {
      if (static_cast<int>(m) - 1 >= static_cast<int>(ModelOf(best))) break;
      proto::Schedule tried = best;
      tried.set_memory_model(m);
      if (oracle.Signature(tried) == want) {
        best = tried;
        break;
      }
    }
  }
  // Decisions.
  std::vector<proto::Decision> ds(best.decisions().begin(), best.decisions().end());
  ds = DeltaDebug(best, ds, want, oracle);
  bool moved = false;
  for (size_t i = 0; i < ds.size() && !oracle.Exhausted(); ++i) {
    uint32_t lo = 0, hi = ds[i].at();  // hi works; find the smallest that does
    while (lo < hi && !oracle.Exhausted()) {
      const uint32_t mid = lo + (hi - lo) / 2;
      std::vector<proto::Decision> tried = ds;
      tried[i].set_at(mid);
      if (oracle.Signature(WithDecisions(best, tried)) == want) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    if (hi != ds[i].at()) {
      ds[i].set_at(hi);
      moved = true;
    }
  }
  if (moved) ds = DeltaDebug(best, ds, want, oracle);
  best = WithDecisions(best, ds);

  Trace trace;
  const Execution e = ReplaySchedule(best, &trace);
  r.schedule = best;
  r.verdict = e.verdict;
  r.trace_text = trace.RenderText();
  r.trace_json = RenderChromeTrace(trace, ScenarioOf(best).name());
  r.decisions_after = best.decisions_size();
  r.executions = oracle.used() + 1;
  for (const proto::Decision& d : best.decisions()) {
    switch (d.action()) {
      case proto::RUN:
      case proto::PLACE:
        ++r.depth.preemptions;
        break;
      case proto::RAISE:
        ++r.depth.interrupts;
        break;
      default:
        ++r.depth.reorderings;
        break;
    }
  }
  // The base policy makes some reorderings by itself (it drains only when
  // nothing else can run, so stores sit buffered past later loads): count
  // those the failure needs too, not only the DRAIN / READ_FROM decisions.
  r.depth.reorderings = std::max(r.depth.reorderings, e.verdict.reorderings_needed);
  r.contexts = trace.contexts.size();
  r.steps = e.steps;
  // One change point per deviation, on top of the initial priorities.
  const int d = r.depth.total() + 1;
  r.pct_bound = 1.0 / (static_cast<double>(std::max<uint64_t>(1, r.contexts)) *
                       std::pow(static_cast<double>(std::max<uint64_t>(1, r.steps)),
                                d - 1));
  return r;
}

Finding FindingOf(const MinimizeResult& r) {
  Finding f;
  f.verdict = r.verdict;
  f.seed = r.schedule.seed();
  f.decisions = DecisionsOf(r.schedule);
  f.memory_model = ModelOf(r.schedule);
  f.enter_meaning = EnterOf(r.schedule);
  f.max_steps = r.schedule.max_steps();
  f.trace_text = r.trace_text;
  f.trace_json = r.trace_json;
  return f;
}

}  // namespace smp
