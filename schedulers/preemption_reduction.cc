#include "schedulers/preemption_reduction.h"

#include <cstddef>

namespace smp {
namespace {

bool Movable(PointOp op) { return op != PointOp::kOther; }

// Entries are 2 * resource + (1 if written): two reads commute.
bool Disjoint(const std::vector<int>& a, const std::vector<int>& b) {
  for (int x : a) {
    for (int y : b) {
      if ((x >> 1) == (y >> 1) && ((x | y) & 1)) return false;
    }
  }
  return true;
}

}  // namespace

void PreemptionReduction::Reset() {
  movable_ = false;
  ctx_ = -1;
  cpu_ = -1;
  op_ = PointOp::kOther;
  woke_ = 0;
  touched_.clear();
  watches_.clear();
}

bool PreemptionReduction::OnBlockEnd() {
  // The running block (ctx_'s) is the block a of a watch on its own
  // context, or part of the windows of the others.
  std::size_t kept = 0;
  bool redundant = false;
  for (std::size_t i = 0; i < watches_.size(); ++i) {
    Watch& w = watches_[i];
    if (w.ctx == ctx_) {
      // (1), (3) and (4) of the header; (2) held, or w would be gone.
      redundant = Movable(op_) && (woke_ & w.cpus) == 0 && Disjoint(touched_, w.window);
      continue;  // a ran: the watch is done
    }
    // Something else ran on the watched CPU: (2) fails for good.
    if (w.cpu == cpu_) continue;
    w.cpus |= 1u << cpu_;
    w.window.insert(w.window.end(), touched_.begin(), touched_.end());
    if (kept != i) watches_[kept] = std::move(w);
    ++kept;
  }
  watches_.resize(kept);
  return !redundant;
}

void PreemptionReduction::OnBlockBegin(const BlockEnd& ended, const BlockEnd& began) {
  // A preemption: the context could go on, and another CPU runs.
  if (ended.ctx >= 0 && movable_ && ended.runnable && began.cpu != ended.cpu &&
      Movable(ended.op)) {
    watches_.push_back(Watch{ended.ctx, ended.cpu, 0, {}});
  }
  ctx_ = began.ctx;
  cpu_ = began.cpu;
  op_ = began.op;
  woke_ = 0;
  touched_.clear();
  if (began.cell >= 0) touched_.push_back(2 * began.cell + (began.op == PointOp::kWrite));
}

}  // namespace smp
