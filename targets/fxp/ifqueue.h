// A per-protocol input queue (NetBSD's ifqueue / pktqueue in the role of
// ipintrq): a bounded FIFO of frame ids with its own spin mutex at
// IPL_NET, filled by a driver's interrupt handler and drained by the
// protocol's softnet handler.
//
// Contract: Enqueue/Dequeue REQUIRE the queue's lock (Lock/Unlock), held
// by the caller; Enqueue on a full queue drops the frame (IF_DROP) and
// returns false. The cells are plain (non-atomic): an access without the
// lock is a data race the detector reports.
//
// Scheduling points: every call (mask, lock word, the cells).
#ifndef SMPFUZZ_TARGETS_FXP_IFQUEUE_H_
#define SMPFUZZ_TARGETS_FXP_IFQUEUE_H_

#include <memory>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"
#include "targets/fxp/ipl_mutex.h"

namespace smp::fxp {

class IfQueue {
 public:
  // Declaration time: a queue of `capacity` slots named `name`, locked at
  // machine level `ipl`.
  IfQueue(Machine& m, const std::string& name, int capacity, int ipl);

  void Lock(Loc loc = Loc::Here()) { mtx_.Enter(loc); }
  void Unlock(Loc loc = Loc::Here()) { mtx_.Exit(loc); }
  // REQUIRES: the lock.
  bool Enqueue(int id, Loc loc = Loc::Here());
  // REQUIRES: the lock. False if empty.
  bool Dequeue(int* id, Loc loc = Loc::Here());

  int drops() const { return drops_.Peek(); }

 private:
  IplMutex mtx_;
  const int capacity_;
  std::vector<std::unique_ptr<Shared<int>>> slot_;
  Shared<int> head_, len_, drops_;
};

}  // namespace smp::fxp

#endif  // SMPFUZZ_TARGETS_FXP_IFQUEUE_H_
