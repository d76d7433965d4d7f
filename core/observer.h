// Observers: detectors that watch an execution's events without being part
// of the machine's semantics (the lock-order / IPL-safety checker, the race
// detector, coverage). An observer is attached before Run() and sees every
// event of that execution in order; it may end the execution with a
// verdict through Machine::Fail (from a context) like target code can.
//
// Events are delivered synchronously on the fiber of the context that
// caused them, after the event took effect, and are never scheduling
// points: an observer must not call operations that are.
#ifndef SMPFUZZ_CORE_OBSERVER_H_
#define SMPFUZZ_CORE_OBSERVER_H_

#include <cstdint>

#include "core/loc.h"
#include "core/memory.h"
#include "core/trace.h"

namespace smp {

class Machine;

// Who did something: the running context as the machine sees it.
struct Actor {
  uint16_t ctx;        // context id (distinct per interrupt delivery)
  int cpu;
  CtxKind kind;
  int level;           // handler's line level; 0 in thread context
  int obj;             // thread id (thread) or line id (handler)
  int mask;            // the CPU's priority mask at the event
  bool intr_enabled;   // the CPU's interrupt-enable flag at the event
  int depth;           // interrupt nesting depth on the CPU (0: thread)
};

enum class LockOp : uint8_t { kAcquire, kTryAcquire, kRelease };
enum class AccessKind : uint8_t { kLoad, kStore, kRmw };

class Observer {
 public:
  virtual ~Observer() = default;
  // A lock annotation (Machine::LockAcquired / LockTryAcquired /
  // LockReleased). For acquisitions the lock is now held by `who`.
  virtual void OnLock(Machine& m, const Actor& who, LockOp op, int lock,
                      Loc loc) {
    (void)m; (void)who; (void)op; (void)lock; (void)loc;
  }
  // A thread is about to park on `chan`.
  virtual void OnPark(Machine& m, const Actor& who, int chan, Loc loc) {
    (void)m; (void)who; (void)chan; (void)loc;
  }
  // A context finished (thread returned, handler returned).
  virtual void OnContextEnd(Machine& m, const Actor& who) {
    (void)m; (void)who;
  }
  // A context starts running its body. For a hard-interrupt handler,
  // `interrupted` is the id of the context it interrupted on that CPU, or
  // -1 if the CPU was idle; -1 for threads.
  virtual void OnContextStart(Machine& m, const Actor& who, int interrupted) {
    (void)m; (void)who; (void)interrupted;
  }
  // A thread became its CPU's running thread (first run, after a wakeup,
  // or placed by the scheduler): everything the CPU did before precedes it.
  virtual void OnPlaced(Machine& m, const Actor& who) { (void)m; (void)who; }
  // `who` made `line` pending on `target_cpu` (an IPI or a device raise
  // from code).
  virtual void OnIpi(Machine& m, const Actor& who, int target_cpu, int line,
                     Loc loc) {
    (void)m; (void)who; (void)target_cpu; (void)line; (void)loc;
  }
  // `who` unparked `chan` / a parked thread resumed after an unpark.
  virtual void OnUnpark(Machine& m, const Actor& who, int chan, Loc loc) {
    (void)m; (void)who; (void)chan; (void)loc;
  }
  virtual void OnWake(Machine& m, const Actor& who, int chan) {
    (void)m; (void)who; (void)chan;
  }
  // A membar executed by `who`.
  virtual void OnBarrier(Machine& m, const Actor& who, Barrier kind, Loc loc) {
    (void)m; (void)who; (void)kind; (void)loc;
  }

  // Memory accesses are reported only to observers that ask for them
  // (they cost a call per access): return true to receive OnAccess.
  virtual bool wants_accesses() const { return false; }
  // `who` accessed `cell` (after the access took effect).
  virtual void OnAccess(Machine& m, const Actor& who, int cell, AccessKind kind,
                        Loc loc) {
    (void)m; (void)who; (void)cell; (void)kind; (void)loc;
  }
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_OBSERVER_H_
