#include "schedulers/bounded.h"

#include <algorithm>
#include <string>

#include "core/prng.h"
#include "schedulers/preemption_reduction.h"
#include "schedulers/schedule_scheduler.h"

namespace smp {
namespace {

bool AnyProgress(const Choice* choices, uint32_t n) {
  for (uint32_t i = 0; i < n; ++i) {
    if (choices[i].kind == ChoiceKind::kRun || choices[i].kind == ChoiceKind::kPlace) {
      return true;
    }
  }
  return false;
}

uint32_t BasePick(const Choice* choices, uint32_t n, int current_cpu) {
  return PointCounter::IsRead(choices) ? 0 : NoPreemptionPick(choices, n, current_cpu);
}

bool Within(const Cost& used, const Cost& more, const Bounds& b) {
  return used.preemptions + more.preemptions <= b.preemptions &&
         used.interrupts + more.interrupts <= b.interrupts &&
         used.reorderings + more.reorderings <= b.reorderings;
}

// Replays a prefix of picks, then takes the base pick; at every decision
// past the fixed prefix it lists the picks the bounds still allow, base
// first, for the next backtrack.
class BoundedDfs : public Scheduler {
 public:
  // `reduction`, if set, is told which picks it may move (those past the
  // fixed prefix).
  BoundedDfs(const std::vector<uint32_t>& prefix, size_t fixed, const Bounds& bounds,
             bool reduce_drains, PreemptionReduction* reduction)
      : prefix_(prefix),
        fixed_(fixed),
        bounds_(bounds),
        reduce_drains_(reduce_drains),
        reduction_(reduction) {}

  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override {
    const size_t depth = nodes_.size();
    if (reduction_ != nullptr) reduction_->set_movable(depth >= fixed_);
    Node node;
    node.begin = static_cast<uint32_t>(alts_.size());
    if (depth < fixed_) {
      uint32_t pick = prefix_[depth];
      if (pick >= n) {
        diverged_ = true;
        pick = 0;
      }
      alts_.push_back(pick);
      node.count = 1;
      nodes_.push_back(node);
      return pick;
    }
    AllowedPicks(choices, n, current_cpu, used_, bounds_, reduce_drains_, &alts_);
    node.count = static_cast<uint32_t>(alts_.size()) - node.begin;
    if (depth < prefix_.size()) {
      const auto first = alts_.begin() + node.begin;
      const auto it = std::find(first, alts_.end(), prefix_[depth]);
      if (it == alts_.end()) {
        diverged_ = true;  // the prefix was recorded on another program
      } else {
        node.position = static_cast<uint32_t>(it - first);
      }
    }
    const uint32_t pick = alts_[node.begin + node.position];
    const Cost c = CostOf(choices, n, current_cpu, pick);
    used_.preemptions += c.preemptions;
    used_.interrupts += c.interrupts;
    used_.reorderings += c.reorderings;
    node.costed = c.preemptions + c.interrupts + c.reorderings != 0;
    nodes_.push_back(node);
    return pick;
  }

  // The next prefix in DFS order whose first changed decision is shallower
  // than `limit`, or false when there is none.
  bool Next(size_t limit, std::vector<uint32_t>* prefix, size_t* changed) const {
    for (size_t i = std::min(nodes_.size(), limit); i-- > fixed_;) {
      const Node& node = nodes_[i];
      if (node.position + 1 < node.count) {
        prefix->clear();
        for (size_t j = 0; j < i; ++j) {
          prefix->push_back(alts_[nodes_[j].begin + nodes_[j].position]);
        }
        prefix->push_back(alts_[node.begin + node.position + 1]);
        *changed = i;
        return true;
      }
    }
    return false;
  }

  bool diverged() const { return diverged_; }

  // The first decision past the fixed prefix whose pick cost something
  // (the root of this execution's shard class), or SIZE_MAX if none did.
  size_t FirstCosted() const {
    for (size_t i = fixed_; i < nodes_.size(); ++i) {
      if (nodes_[i].costed) return i;
    }
    return SIZE_MAX;
  }

 private:
  struct Node {
    uint32_t begin = 0;     // into alts_
    uint32_t count = 0;     // allowed picks at this decision
    uint32_t position = 0;  // which of them was taken
    bool costed = false;    // the pick taken spent some of the bounds
  };
  const std::vector<uint32_t>& prefix_;
  size_t fixed_;
  Bounds bounds_;
  bool reduce_drains_;
  PreemptionReduction* reduction_;
  Cost used_;
  std::vector<Node> nodes_;
  std::vector<uint32_t> alts_;
  bool diverged_ = false;
};

// Records the dense picks and where the last non-base one was.
class DeviationRecorder : public Scheduler {
 public:
  explicit DeviationRecorder(Scheduler& inner) : inner_(inner) {}
  uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) override {
    const uint32_t pick = inner_.Pick(choices, n, current_cpu);
    picks_.push_back(pick);
    if (pick != BasePick(choices, n, current_cpu)) last_ = picks_.size();
    return pick;
  }
  std::vector<uint32_t> Prefix() const {
    return std::vector<uint32_t>(picks_.begin(), picks_.begin() + last_);
  }

 private:
  Scheduler& inner_;
  std::vector<uint32_t> picks_;
  size_t last_ = 0;
};

}  // namespace

void AllowedPicks(const Choice* choices, uint32_t n, int current_cpu, const Cost& used,
                  const Bounds& bounds, bool reduce_drains, std::vector<uint32_t>* out) {
  const uint32_t base = BasePick(choices, n, current_cpu);
  out->push_back(base);
  for (uint32_t i = 0; i < n; ++i) {
    if (i == base) continue;
    const Cost cost = CostOf(choices, n, current_cpu, i);
    if (!Within(used, cost, bounds)) continue;
    // An unobserved costed drain has a later twin (see bounded.h).
    if (reduce_drains && choices[i].kind == ChoiceKind::kDrain && cost.reorderings != 0 &&
        !choices[i].observed) {
      continue;
    }
    out->push_back(i);
  }
}

Cost CostOf(const Choice* choices, uint32_t n, int current_cpu, uint32_t pick) {
  Cost cost;
  const Choice& c = choices[pick];
  switch (c.kind) {
    case ChoiceKind::kRun:
    case ChoiceKind::kPlace: {
      if (c.kind == ChoiceKind::kRun && c.cpu == current_cpu) break;
      for (uint32_t i = 0; i < n; ++i) {
        if (choices[i].kind == ChoiceKind::kRun && choices[i].cpu == current_cpu) {
          cost.preemptions = 1;
        }
      }
      break;
    }
    case ChoiceKind::kRaise:
      cost.interrupts = AnyProgress(choices, n) ? 1 : 0;
      break;
    case ChoiceKind::kDrain:
      // Free only as the base's own pick: the first drain offered when
      // nothing else can happen.
      cost.reorderings = pick == 0 ? 0 : 1;
      break;
    case ChoiceKind::kReadFrom:
      cost.reorderings = c.arg != 0 ? 1 : 0;
      break;
  }
  return cost;
}

bool ConfigureBounded(Executor& executor, const BoundedOptions& options, bool reduce) {
  if (options.memory_model) executor.set_memory_model(*options.memory_model);
  // Under the relaxed model which stale values a load may return depends
  // on the order of commits across cells: moving a drain is visible there.
  const MemoryModel model = executor.memory_model();
  reduce = reduce && (model == MemoryModel::kTSO || model == MemoryModel::kPSO);
  executor.set_observe_drains(reduce);
  if (options.enter_meaning) executor.set_enter_meaning(*options.enter_meaning);
  if (options.detect_races) executor.set_races(*options.detect_races);
  executor.set_lockdep(options.lockdep);
  return reduce;
}

namespace {

// One search; with `reduce`, returns early with *hidden set when an
// execution accessed a cell outside the model (the reductions' arguments
// do not cover it, and the caller starts again without them).
BoundedResult Search(const ScenarioSpec& spec, const BoundedOptions& options,
                     bool reduce, bool* hidden,
                     const std::function<void(const BoundedResult&)>& progress) {
  BoundedResult result;
  Executor executor(spec);
  const bool drains = ConfigureBounded(executor, options, reduce && options.reduce_drains);
  PreemptionReduction reduction;
  const bool preemptions = reduce && options.reduce_preemptions &&
                           executor.memory_model() == MemoryModel::kSC;
  if (preemptions) executor.set_block_hook(&reduction);
  const uint32_t shards = std::max<uint32_t>(options.shards, 1);
  const size_t fixed = options.prefix.size();
  std::vector<uint32_t> prefix = options.prefix;
  std::vector<std::string> raw_signatures;
  // Shard classes (see bounded.h), numbered in the order the DFS meets
  // them; the previous execution's class root and the last change.
  uint64_t cls = 0;
  size_t root = SIZE_MAX;
  size_t changed = 0;
  bool started = false;
  while (result.executions < options.max_executions) {
    reduction.Reset();
    BoundedDfs dfs(prefix, fixed, options.bounds, drains, preemptions ? &reduction : nullptr);
    const Execution e = executor.Run(dfs, options.max_steps);
    // Unsharded, every execution is owned: no class bookkeeping.
    bool owned = true;
    if (shards > 1) {
      // A change at or above the previous class's root starts a new class.
      if (started && changed <= root) ++cls;
      started = true;
      root = dfs.FirstCosted();
      // By a hash of the number, not the number: the classes of one
      // decision come in a fixed pattern (one per alternative), and mod n
      // lined the big ones up in one shard.
      owned = Mix64(cls) % shards == options.shard % shards;
    }
    if ((drains || preemptions) && e.hidden_accesses != 0) {
      *hidden = true;
      return result;
    }
    result.diverged |= dfs.diverged();
    if (owned && e.pruned) {
      ++result.pruned;
    } else if (owned) {
      ++result.executions;
      result.steps += e.steps;
      if (!e.verdict.clean() &&
          std::find(raw_signatures.begin(), raw_signatures.end(),
                    e.verdict.signature) == raw_signatures.end()) {
        raw_signatures.push_back(e.verdict.signature);
        executor.set_block_hook(nullptr);  // the confirming replay runs whole
        Finding f = Confirm(executor, e, 0, options.max_steps);
        if (preemptions) executor.set_block_hook(&reduction);
        f.execution = result.executions - 1;
        const VerdictKind kind = f.verdict.kind;
        result.findings.push_back(std::move(f));
        if (!options.all_findings) break;
        if (options.stop_kind && kind == *options.stop_kind) break;
      }
      if (progress && result.executions % 1000 == 0) progress(result);
    } else {
      ++result.probes;
    }
    // A class is a subtree, so contiguous in DFS order: another shard's
    // class is left after this one execution of it, by a change at or
    // above its root.
    if (!dfs.Next(owned || root == SIZE_MAX ? SIZE_MAX : root + 1, &prefix, &changed)) {
      result.complete = true;
      break;
    }
  }
  result.drains_reduced = drains;
  result.preemptions_reduced = preemptions;
  return result;
}

}  // namespace

BoundedResult RunBounded(const ScenarioSpec& spec, const BoundedOptions& options,
                         const std::function<void(const BoundedResult&)>& progress) {
  bool hidden = false;
  if (options.reduce_drains || options.reduce_preemptions) {
    BoundedResult r = Search(spec, options, /*reduce=*/true, &hidden, progress);
    if (!hidden) return r;
  }
  return Search(spec, options, /*reduce=*/false, &hidden, progress);
}

std::vector<uint32_t> DeviationPrefix(Executor& executor, Scheduler& inner,
                                      uint64_t max_steps) {
  DeviationRecorder recorder(inner);
  executor.Run(recorder, max_steps);
  return recorder.Prefix();
}

}  // namespace smp
