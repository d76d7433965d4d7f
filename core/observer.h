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
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_OBSERVER_H_
