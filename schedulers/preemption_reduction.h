// Preemption reduction for the bounded search under SC: an execution in
// which a preemption changed nothing is stopped as soon as that is known,
// and with it every execution that shares its picks so far.
//
// The twin. Say the search preempted context c at a decision p past its
// fixed prefix: c was runnable, and another CPU ran next. Let a be c's next
// block (the operation waiting at its point and the code after it, up to
// its next point; core/block_hook.h) and W everything that ran between p
// and a. Suppose
//   (1) a's operation is a load, a store, a read-modify-write, a yield, a
//       barrier or a change of c's CPU's own mask or interrupt-enable flag
//       (not an IPI, a park or an unpark), and a did not look at its CPU's
//       pending interrupts;
//   (2) nothing in W ran on c's CPU (no interrupt was delivered there);
//   (3) no block of W touched a cell or lock that a touches, one of the two
//       writing it (a lock annotation counts as a write, a spin check as a
//       read); and
//   (4) a made no spinning context runnable on a CPU that ran in W.
// Then every execution E = α·[p]·W·a·γ has a twin E' = α·a·[p']·W·γ that
// runs a first and preempts c at its next point p' instead. Under SC, (3)
// means every block of W reads what it read in E and so does a, and every
// cell's writes and every lock's annotations keep their order: the final
// state, lockdep's view and the race detector's (per-cell, per-lock,
// per-context and per-CPU state, where at most two loads of one cell trade
// places, and its report does not depend on that order) and so the
// verdict are the same. (2) and (1) keep interrupt delivery on c's CPU
// where it was: nothing is delivered there inside W, and a's mask change,
// if any, only decides what is delivered when c's CPU runs next, after W
// in both. E' is within the bounds: p' costs a preemption only if c is
// still runnable there; by (3) and (4) a wakes or blocks nobody that runs
// in W, so the choices and costs inside W are the same, and c's CPU can
// run all through W in E, so a raise there costs no less in E. So E is
// redundant, and the machine stops it when a's block ends, before the
// pick there (the block hook returns false), which prunes the subtree
// below its picks so far.
//
// The twin may be pruned in turn, for another of its preemptions. It takes
// the base pick at p (the one AllowedPicks lists first) where E took a
// later one, with the same picks before p, so it comes strictly earlier in
// the search's depth-first order, a finite total order; and it costs no
// more in each bound. So following twins ends at an execution the search
// runs to the end, with the same verdict: a clean reduced search still
// proves the bound, and every verdict within the bound is still found.
//
// What the argument needs of the code between points: it shares state with
// other CPUs only through cells, locks and the machine's operations (not
// through Machine::step(), say, which counts decisions and differs in the
// twin).
//
// Only under SC: under a weak model a store's block only buffers it, and
// when it becomes visible is a drain decision of its own. Like the drain
// reduction, the argument needs every access that another CPU could tell
// apart to go through the machine; a scenario that Peeks or Pokes cells
// while it runs is searched without it.
#ifndef SMPFUZZ_SCHEDULERS_PREEMPTION_REDUCTION_H_
#define SMPFUZZ_SCHEDULERS_PREEMPTION_REDUCTION_H_

#include <cstdint>
#include <vector>

#include "core/block_hook.h"

namespace smp {

class PreemptionReduction : public BlockHook {
 public:
  // Forgets the previous execution: call before each.
  void Reset();
  // Whether a preemption made at the next block boundary may be moved:
  // its pick lies past the search's fixed prefix (the twin must keep it).
  void set_movable(bool on) { movable_ = on; }

  bool OnBlockEnd() override;
  void OnBlockBegin(const BlockEnd& ended, const BlockEnd& began) override;
  void OnExtraRead(int cell) override { touched_.push_back(2 * cell); }
  void OnLockAnnotation(int lock) override { touched_.push_back(2 * (kLockBase + lock) + 1); }
  void OnSpinnerWoken(int cpu) override { woke_ |= 1u << cpu; }
  void OnOpaqueRead() override { op_ = PointOp::kOther; }

 private:
  // Locks and cells share one numbering of what a block touches.
  static constexpr int kLockBase = 1 << 20;
  // A preempted context whose next block has not run yet.
  struct Watch {
    int ctx;
    int cpu;
    uint32_t cpus;            // the CPUs that ran a block since (bit k: CPUk)
    std::vector<int> window;  // what their blocks touched: see Disjoint
  };

  bool movable_ = false;
  // The running block.
  int ctx_ = -1;
  int cpu_ = -1;
  PointOp op_ = PointOp::kOther;
  uint32_t woke_ = 0;  // CPUs where it made a spinner runnable
  std::vector<int> touched_;
  std::vector<Watch> watches_;
};

}  // namespace smp

#endif  // SMPFUZZ_SCHEDULERS_PREEMPTION_REDUCTION_H_
