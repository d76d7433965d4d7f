// The Scheduler interface: where every decision of an execution comes from.
//
// At each scheduling point the Machine lists the enabled choices in a fixed,
// deterministic order and asks the scheduler to pick one:
//   1. kRun cpu       for each CPU 0..N-1 that can make progress (its top
//                     context is runnable, a thread waits in its run queue,
//                     or an interrupt is deliverable there: running such a
//                     CPU delivers the interrupt first, as hardware does);
//   2. kPlace cpu t   for each idle CPU and each migratable runnable thread
//                     t not on any CPU (in thread-id order);
//   3. kRaise cpu s   for each interrupt source s with assertions left and
//                     each CPU on its route;
//   4. kDrain cpu i   under a weak memory model, for each store-buffer
//                     entry i of CPU cpu that may become visible now.
// A load under the relaxed model that may return an older value is a
// decision of its own: choices kReadFrom cpu s, s = 0 (newest), 1, ...
// The scheduler is asked only when there are at least two choices. An
// execution is therefore fully described by the list of indices picked.
#ifndef SMPFUZZ_CORE_SCHEDULER_H_
#define SMPFUZZ_CORE_SCHEDULER_H_

#include <cstdint>

namespace smp {

enum class ChoiceKind : uint8_t { kRun, kPlace, kRaise, kDrain, kReadFrom };

struct Choice {
  ChoiceKind kind;
  uint8_t cpu;
  uint16_t arg;  // thread (kPlace), source (kRaise), buffer index (kDrain),
                 // staleness (kReadFrom)
  // kDrain only: some agent other than `cpu` may observe the cell of this
  // entry or of a younger one (which may have to drain after it) at once:
  // its next operation accesses the cell, it spins on it, or its own
  // buffer holds a store to it. Under TSO and PSO, a drain that is not
  // observed now is indistinguishable from the same drain made later.
  bool observed = false;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;

  // Returns an index in [0, n). REQUIRES: n >= 2. `current_cpu` is the CPU
  // whose context reached the point (it may have just blocked or finished,
  // so that CPU need not be among the choices), or -1 at the start.
  virtual uint32_t Pick(const Choice* choices, uint32_t n, int current_cpu) = 0;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_SCHEDULER_H_
