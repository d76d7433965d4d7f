// lockdep: a lock-order and IPL-safety checker in the spirit of Linux
// lockdep and FreeBSD WITNESS, attached to every execution as an Observer.
//
// It watches the machine's lock annotations (acquire, try-acquire, release),
// parks and context ends, and judges three things:
//
//  1. Lock order (kLockOrder, predictive). Acquiring B while A is held adds
//     the edge A -> B to a lock-order graph. Locks are held per CPU context
//     stack: a handler that takes B while the thread it interrupted holds A
//     adds A -> B as well, since that thread cannot release A until the
//     handler returns. A cycle is a potential deadlock even if this
//     execution did not deadlock. Try-acquisitions never wait, so they add
//     no edge into the lock tried (edges out of it are recorded once it is
//     held). Refinement over lockdep/WITNESS: an edge remembers the locks
//     held in every witness of it ("gates"); a cycle all of whose edges
//     were always witnessed under one common lock cannot close on two CPUs
//     at once and is not reported.
//  2. IPL safety (kIplUnsafe, predictive). A lock taken by a hard interrupt
//     handler at level L, and held somewhere (any context, any CPU) while
//     level L was deliverable on that CPU (interrupts enabled and L above
//     the effective IPL), can self-deadlock when that interrupt comes.
//     Effective IPL: the CPU's priority mask, plus whatever an IPL view
//     (AddIplView: a lazy spl's software level) blocks. "Held" is sampled
//     at every lock event of the holding context. Try-acquisitions in a
//     handler do not count (they cannot spin). Recursive (CPU-owned)
//     locks are exempt: a handler on the holder's CPU re-enters them.
//  3. Misuse (kLockMisuse, immediate, like LOCKDEBUG's panics): recursion
//     on a non-recursive lock by the context holding it, releasing a lock
//     the CPU does not hold, parking while holding a spin lock, taking an
//     adaptive lock in a hard interrupt, a context ending with a lock held.
//
// When reports are made: misuse ends the execution at once (from the
// offending context). Lock-order and IPL-unsafe findings are predictions:
// they are reported by Finish() at clean quiescence only, so an execution
// that actually deadlocks (or loses a wakeup, or fails an assertion) keeps
// that verdict, and a clean one that exposed the hazard gets the
// prediction. Reports name both acquisition sites (file:line) and end with
// a short CPU0/CPU1 scenario a person can follow.
//
// Lock classes: each annotated lock (Machine::AddLock) is its own class.
// Primitives declare attributes with Declare(); undeclared locks are
// non-recursive spin locks. Targets find the checker of their execution
// with Lockdep::Of(machine) (null when it is switched off).
//
// Determinism: only vectors indexed by small ids and sorted scans; nothing
// depends on addresses or hash order. Not a scheduling point anywhere.
//
// Thread-safety: one Lockdep per execution at a time (Reset() between).
#ifndef SMPFUZZ_CORE_LOCKDEP_H_
#define SMPFUZZ_CORE_LOCKDEP_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/loc.h"
#include "core/machine.h"
#include "core/observer.h"
#include "core/verdict.h"

namespace smp {

enum class LockKind : uint8_t {
  kSpin,      // spins; may be taken in any context; must not be slept on
  kAdaptive,  // may sleep; thread (and softint) context only
};

struct LockClass {
  LockKind kind = LockKind::kSpin;
  // Re-entry by the CPU holding it is allowed (kernel_lock): no recursion
  // report, no edges for re-entries, no IPL-safety check.
  bool recursive = false;
};

class Lockdep final : public Observer {
 public:
  Lockdep() { Reset(); }

  // The checker attached to `m`, or null when the execution runs without
  // one. REQUIRES: before or during Run().
  static Lockdep* Of(const Machine& m);

  // Forgets everything (classes, views, graph): ready for a new execution.
  void Reset();

  // Attributes of lock `lock` (a Machine::AddLock id). Not a scheduling
  // point; call at declaration time.
  void Declare(int lock, const LockClass& cls);
  // `view(cpu)` returns extra machine levels blocked on `cpu` (bit L:
  // level L), for IPL implementations that block interrupts in software.
  // Called at lock events of the acting context, with `cpu` its CPU (a
  // view may rely on that: Peek from running code is that CPU's view);
  // must only Peek cells.
  void AddIplView(std::function<uint32_t(int cpu)> view);

  // Annotation from a primitive before it starts waiting for `lock` (as
  // NetBSD's lockdebug_wantlock): catches recursion and adaptive locks in
  // hard interrupts before the context spins on itself. May end the
  // execution (kLockMisuse). Not a scheduling point.
  void Want(Machine& m, int lock, Loc loc = Loc::Here());

  // The predictive verdict of this execution so far (IPL-unsafe first,
  // then lock order), without ending anything.
  std::optional<Verdict> Predict(const Machine& m) const;
  // At clean quiescence (the executor's final check): fails `m` with
  // Predict()'s verdict, if any.
  void Finish(Machine& m);

  // Observer.
  void OnLock(Machine& m, const Actor& who, LockOp op, int lock,
              Loc loc) override;
  void OnPark(Machine& m, const Actor& who, int chan, Loc loc) override;
  void OnContextEnd(Machine& m, const Actor& who) override;

 private:
  static constexpr int kMaxDepth = kMaxLevel + 2;
  static constexpr uint16_t kNoCtx = 0xffff;

  // Where and by whom something happened.
  struct Site {
    Actor who;
    Loc loc;
  };
  struct Held {
    uint16_t ctx;
    int lock;
    int count;   // re-entries of a recursive lock by the same context
    Site site;   // the (first) acquisition
  };
  struct Edge {
    int to;
    uint64_t gates;  // locks held (bit = lock id < 64) in every witness
    Site from;       // acquisition of the held lock
    Site via;        // acquisition of `to` while it was held
  };
  struct ClassState {
    LockClass cls;
    // Hard-interrupt levels it was acquired at (bit L), first site each.
    uint32_t handler_levels = 0;
    std::vector<std::pair<int, Site>> handler_sites;
    // Levels deliverable at some moment it was held (bit L), first site.
    uint32_t held_unblocked = 0;
    std::vector<std::pair<uint32_t, Site>> held_sites;
  };

  ClassState& Class(int lock) {
    if (__builtin_expect(lock >= num_locks_, false)) {
      Grow(lock);
    }
    return classes_[lock];
  }
  // Makes lock ids up to `lock` this execution's (new, undeclared).
  void Grow(int lock);
  // Records that `who` runs now: its CPU's context slots up to its depth.
  void Touch(const Actor& who) {
    uint16_t* s = slots_[who.cpu];
    s[who.depth] = who.ctx;
    for (int d = who.depth + 1; d < kMaxDepth && s[d] != kNoCtx; ++d) {
      s[d] = kNoCtx;
    }
  }
  // True iff held entry `h` belongs to a context on `who`'s CPU at or
  // below `who`.
  bool OnStack(const Held& h, const Actor& who) const;
  int FindOwn(uint16_t ctx, int lock) const;
  int FindOnStack(const Actor& who, int lock) const;
  // Machine levels `who`'s CPU blocks now (bit L: level L).
  uint32_t Blocked(const Actor& who) const {
    if (!who.intr_enabled) return ~0u;
    // Levels 1..mask.
    uint32_t b = who.mask <= 0    ? 0
                 : who.mask >= 31 ? ~1u
                                  : ((1u << (who.mask + 1)) - 1) & ~1u;
    for (const auto& view : views_) b |= view(who.cpu);
    return b;
  }
  void ObserveHeld(const Actor& who, Loc loc);
  // `fresh` levels were deliverable while a lock of class `c` was held.
  void HeldOpen(ClassState& c, uint32_t fresh, const Actor& who, Loc loc);
  // Ends the execution: `who` releases `lock`, which it does not hold.
  void ReleaseNotHeld(Machine& m, const Actor& who, int lock, Loc loc);
  void AddEdge(int from, int to, uint64_t gates, const Site& held,
               const Site& via);
  // Ends the execution with kLockMisuse (returns only on the main fiber).
  void Misuse(Machine& m, std::string message, std::string signature,
              Loc loc);

  std::optional<Verdict> PredictIpl(const Machine& m) const;
  std::optional<Verdict> PredictOrder(const Machine& m) const;
  bool FindCycle(int start, int node, uint64_t gates, std::vector<int>* path,
                 std::vector<const Edge*>* edges, int* budget) const;

  std::vector<std::function<uint32_t(int)>> views_;
  // Lock ids 0..num_locks_-1 are this execution's; entries past them are
  // room kept from earlier executions (Reset, Grow).
  int num_locks_ = 0;
  std::vector<ClassState> classes_;
  std::vector<Held> held_;
  std::vector<std::vector<Edge>> edges_;  // by source lock, sorted by `to`
  uint16_t slots_[kMaxCpus][kMaxDepth];
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_LOCKDEP_H_
