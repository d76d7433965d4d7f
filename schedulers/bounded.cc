#include "schedulers/bounded.h"

#include <algorithm>
#include <optional>
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
  ApplySettings(options, executor);
  return reduce;
}

namespace {

// The bounded tree, depth first, as a strategy of the search driver: each
// execution replays the prefix the previous one's DFS step chose. With a
// reduction on, an execution that accessed a cell outside the model
// abandons the search (the reductions' arguments do not cover it; the
// caller starts again without them).
class BoundedStrategy : public SearchStrategy {
 public:
  BoundedStrategy(const BoundedOptions& options, bool drains, bool preemptions,
                  Executor& executor)
      : options_(options),
        drains_(drains),
        preemptions_(preemptions),
        shards_(std::max<uint32_t>(options.shards, 1)),
        fixed_(options.prefix.size()),
        prefix_(options.prefix) {
    if (preemptions_) executor.set_block_hook(&reduction_);
  }

  Scheduler& Next() override {
    reduction_.Reset();
    dfs_.emplace(prefix_, fixed_, options_.bounds, drains_,
                 preemptions_ ? &reduction_ : nullptr);
    return *dfs_;
  }

  Outcome Done(const Execution& e) override {
    // Unsharded, every execution is owned: no class bookkeeping.
    owned_ = true;
    if (shards_ > 1) {
      // A change at or above the previous class's root starts a new class.
      if (started_ && changed_ <= root_) ++cls_;
      started_ = true;
      root_ = dfs_->FirstCosted();
      // By a hash of the number, not the number: the classes of one
      // decision come in a fixed pattern (one per alternative), and mod n
      // lined the big ones up in one shard.
      owned_ = Mix64(cls_) % shards_ == options_.shard % shards_;
    }
    if ((drains_ || preemptions_) && e.hidden_accesses != 0) return Outcome::kAbandon;
    diverged_ |= dfs_->diverged();
    if (!owned_) return Outcome::kProbe;
    return e.pruned ? Outcome::kPruned : Outcome::kCounted;
  }

  // A class is a subtree, so contiguous in DFS order: another shard's
  // class is left after this one execution of it, by a change at or above
  // its root.
  bool Advance() override {
    return dfs_->Next(owned_ || root_ == SIZE_MAX ? SIZE_MAX : root_ + 1, &prefix_,
                      &changed_);
  }

  // The confirming replays run whole.
  void BeforeConfirm(Executor& executor) override { executor.set_block_hook(nullptr); }
  void AfterConfirm(Executor& executor) override {
    if (preemptions_) executor.set_block_hook(&reduction_);
  }

  bool diverged() const { return diverged_; }

 private:
  const BoundedOptions& options_;
  const bool drains_;
  const bool preemptions_;
  const uint32_t shards_;
  const size_t fixed_;
  std::vector<uint32_t> prefix_;
  PreemptionReduction reduction_;
  std::optional<BoundedDfs> dfs_;
  bool diverged_ = false;
  // Shard classes (see bounded.h), numbered in the order the DFS meets
  // them; the previous execution's class root and the last change.
  uint64_t cls_ = 0;
  size_t root_ = SIZE_MAX;
  size_t changed_ = 0;
  bool started_ = false;
  bool owned_ = true;
};

// One search; with `reduce`, ends early with *hidden set when an execution
// accessed a cell outside the model.
BoundedResult Search(const ScenarioSpec& spec, const BoundedOptions& options,
                     bool reduce, bool* hidden,
                     const std::function<void(const BoundedResult&)>& progress) {
  BoundedResult result;
  Executor executor(spec);
  const bool drains = ConfigureBounded(executor, options, reduce && options.reduce_drains);
  const bool preemptions = reduce && options.reduce_preemptions &&
                           executor.memory_model() == MemoryModel::kSC;
  BoundedStrategy strategy(options, drains, preemptions, executor);
  Drive(executor, strategy, options.max_executions, options, &result, [&] {
    if (progress) progress(result);
  });
  if (result.abandoned) {
    *hidden = true;
    return result;
  }
  result.diverged = strategy.diverged();
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
