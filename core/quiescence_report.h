// The referee's judgement of an execution that reached quiescence (no
// choice left), with the reports that explain it: a deadlock, a lost
// wakeup, a lost interrupt, or nothing to report.
//
// It reads the machine through a read-only view (Machine::View()) and
// changes nothing: the machine sets the verdict it returns. Its messages
// and signatures are pinned by the regression corpus: change them only
// with it. Context names, the CPU columns and LocText are core/report.h's
// and core/loc.h's.
#ifndef SMPFUZZ_CORE_QUIESCENCE_REPORT_H_
#define SMPFUZZ_CORE_QUIESCENCE_REPORT_H_

#include <optional>
#include <string>
#include <vector>

#include "core/machine_internal.h"
#include "core/verdict.h"

namespace smp {

class QuiescenceReport {
 public:
  explicit QuiescenceReport(const internal::MachineView& machine) : m_(machine) {}

  // The verdict, in this order of precedence (its step is left 0):
  //  - kDeadlock when the top context of some CPU spins: every CPU's
  //    context stack and what each context spins on (with the lock and its
  //    holder when the lock is annotated), then the wait-for cycle, whose
  //    edges are "waits for a lock held by" and "is interrupted by" (a
  //    cycle on one CPU is a self-deadlock), and a CPU-column scenario; or,
  //    with no cycle, that the cells spun on will never change;
  //  - kLostWakeup for the first thread (in declaration order) still
  //    parked, with when its channel was last unparked, the last write to
  //    the cell its wait condition read, and the latest lost update;
  //  - kLostWakeup for the lowest line left pending on the first CPU that
  //    has one (a lost interrupt), with why it cannot be serviced;
  //  - nothing: a clean quiescence (the final check may still fail it).
  std::optional<Verdict> Judge() const;

 private:
  using Context = internal::Context;

  Verdict Deadlock() const;
  Verdict LostWakeup(const internal::Thread& t) const;
  Verdict LostInterrupt(int cpu) const;
  // What blocked context `c` waits for: the context directly above it on
  // its CPU, or the owner of the lock whose cell it spins on (null: none).
  const Context* Blocker(const Context* c) const;
  // "spins on 'CELL' at LOC [lock L, held by ... since LOC]".
  std::string WaitText(const Context* c) const;
  // The lockdep-style picture of a wait-for cycle, one column per CPU.
  std::string ScenarioSummary(const std::vector<const Context*>& cycle) const;

  const internal::MachineView m_;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_QUIESCENCE_REPORT_H_
