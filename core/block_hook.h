// The block hook: what a search that reasons about commuting steps sees of
// an execution (schedulers/preemption_reduction.h is the one user).
//
// A block is what one context does from a scheduling point to its next
// one: the operation announced at the point (its PointOp and cell), then
// the code after it up to the next point, atomically. At every decision
// boundary the machine calls OnBlockEnd before anything is picked there
// (the hook may stop the execution then, so nothing below that boundary is
// explored), and OnBlockBegin once it knows what runs next; together they
// show the hook every block of the execution in order. Within a block it
// reports what else the block touches that the point did not announce: a
// cell read without a point of its own (SpinWhile's check), a lock
// annotation, a spinner made runnable, a look at the CPU's pending
// interrupts.
//
// Calls are made on the fiber of the context concerned (or the main
// fiber), are never scheduling points, and must not call operations that
// are.
#ifndef SMPFUZZ_CORE_BLOCK_HOOK_H_
#define SMPFUZZ_CORE_BLOCK_HOOK_H_

#include <cstdint>

namespace smp {

// What the operation waiting at a context's scheduling point does.
enum class PointOp : uint8_t {
  kOther,  // anything else (IPI, park, unpark, a context's start)
  // Nothing another CPU's code can tell apart: a yield, a barrier under
  // SC, a change of this CPU's mask or interrupt-enable flag (what they
  // decide is delivered here, and that shows only when this CPU runs).
  kLocal,
  kLoad,   // a load of the point's cell
  kWrite,  // a store or atomic read-modify-write of the point's cell
};

// One side of a decision boundary.
struct BlockEnd {
  int ctx = -1;      // context id; -1: none (the start of the execution)
  int cpu = -1;
  PointOp op = PointOp::kOther;  // its pending operation (what runs next)
  int cell = -1;     // the operation's cell, -1: none
  bool runnable = false;  // it can continue from here (not blocked, not done)
};

class BlockHook {
 public:
  virtual ~BlockHook() = default;
  // The running block is over: its context reached a point, blocked or
  // finished. Nothing has been picked at this boundary yet. Return false to stop the execution here, unjudged: the machine
  // then reports it pruned.
  virtual bool OnBlockEnd() = 0;
  // After the pick at that boundary: `began` runs next, after `ended`'s
  // block (ctx -1 at the start of the execution).
  virtual void OnBlockBegin(const BlockEnd& ended, const BlockEnd& began) = 0;
  // The running block read `cell` without a scheduling point for it.
  virtual void OnExtraRead(int cell) = 0;
  // The running block annotated lock `lock` (acquired or released).
  virtual void OnLockAnnotation(int lock) = 0;
  // The running block made a spinning context on `cpu` runnable.
  virtual void OnSpinnerWoken(int cpu) = 0;
  // The running block read state that other CPUs change outside cells
  // (its CPU's pending interrupts: Machine::PendingAbove).
  virtual void OnOpaqueRead() = 0;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_BLOCK_HOOK_H_
