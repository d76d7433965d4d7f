// The data race detector: happens-before with vector clocks, plus an
// interrupt-priority check for races between a CPU's thread and its own
// interrupt handlers.
//
// Happens-before edges (one vector clock per context; an interrupt
// delivery is a context of its own):
//  - lock release -> later acquire of the same lock (annotations);
//  - a release-like barrier (membar_release, _exit, _producer, _sync)
//    followed by a store, -> a load of that cell followed by an acquire-like
//    barrier (membar_acquire, _consumer, _enter, _sync) in another context;
//  - interrupt delivery (the interrupted context -> the handler) and EOI
//    (the handler -> the context it interrupted);
//  - IPI send -> the handler it delivers;
//  - unpark -> the woken thread's resumption;
//  - a CPU's own order: whatever ran on a CPU before it went idle (a
//    handler delivered to an idle CPU, a thread that parked or returned)
//    precedes the next thread placed on it.
// Two plain accesses (Load/Store) to a cell, one a store, in different
// contexts and unordered by these edges, are a data race (kDataRace).
// Atomic read-modify-writes never race, nor do accesses to lock words
// (AddLock) or to cells marked atomic (Machine::MarkAtomic: flags read and
// written with atomic_load/atomic_store in the real code).
//
// Same CPU: a thread and an interrupt handler on one CPU are always ordered
// by delivery and EOI, yet the handler can run between any two of the
// thread's instructions that do not mask it. So an access by a context
// running with its CPU's mask below L (interrupts enabled) and an access by
// a handler of level L on the same CPU, one a store, with no lock held in
// common, are reported as a race too: raising the mask to L (spl) around
// the access, or a shared lock, makes it silent.
//
// Interrupts blocked in software: a lazy spl (the levels it defers beyond
// the mask) or a critical section (every level while one is open) is told
// to the detector as a view per CPU (AddIplView, the same views lockdep
// reads); an access made while a view blocks level L is as safe from
// level-L handlers on its CPU as one made with the mask at L.
//
// Deviation: only the most recent accesses of each cell are remembered (the
// last store and the last load of each context), as in FastTrack-style
// detectors; a race older than that is missed, never invented. Of several
// remembered accesses an access races with, the lowest context's is
// reported (its load before its store), whatever order they came in: a
// search that lets two loads of a cell commute relies on that.
#ifndef SMPFUZZ_CORE_RACE_DETECTOR_H_
#define SMPFUZZ_CORE_RACE_DETECTOR_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/observer.h"

namespace smp {

class RaceDetector : public Observer {
 public:
  // The race detector attached to `m`, or null.
  static RaceDetector* Of(const Machine& m);

  // Adds a software view of what CPU `cpu` blocks: bit L set, level L's
  // handlers cannot run there now beyond its mask. For this execution
  // (Reset forgets it); call in set-up.
  void AddIplView(std::function<uint32_t(int cpu)> view);

  // Forgets everything: call before each execution. The clocks' storage is
  // kept for the next execution (emptied, not freed), so a run of many
  // executions allocates only while it grows past its largest one.
  void Reset();

  bool wants_accesses() const override { return true; }
  void OnLock(Machine& m, const Actor& who, LockOp op, int lock, Loc loc) override;
  void OnContextStart(Machine& m, const Actor& who, int interrupted) override;
  void OnContextEnd(Machine& m, const Actor& who) override;
  void OnPlaced(Machine& m, const Actor& who) override;
  void OnPark(Machine& m, const Actor& who, int chan, Loc loc) override;
  void OnIpi(Machine& m, const Actor& who, int target_cpu, int line,
             Loc loc) override;
  void OnUnpark(Machine& m, const Actor& who, int chan, Loc loc) override;
  void OnWake(Machine& m, const Actor& who, int chan) override;
  void OnBarrier(Machine& m, const Actor& who, Barrier kind, Loc loc) override;
  void OnAccess(Machine& m, const Actor& who, int cell, AccessKind kind,
                Loc loc) override;

 private:
  using Clock = std::vector<uint32_t>;  // indexed by context id

  struct Access {
    int ctx = -1;
    uint32_t epoch = 0;  // the context's own clock entry at the access
    bool write = false;
    Loc loc;
    Actor who{};
    uint64_t locks = 0;  // locks held (bit i: lock i, for i < 64)
    uint32_t soft = 0;   // levels blocked in software (AddIplView)
  };
  struct Shadow {
    std::vector<Access> recent;  // last store and last load per context
    // The clock published by the last store: releases_[released_ctx]
    // [released_index], or none when the index is -1 (the storing context
    // had passed no release barrier yet).
    int released_ctx = -1;
    int released_index = -1;
  };

  // The context's clock, made (with its own entry at 1 at least) on first
  // use. Inline for the common case: the clock exists.
  Clock& ClockOf(int ctx) {
    if (__builtin_expect(ctx < contexts_, true)) {
      Clock& c = clocks_[ctx];
      if (__builtin_expect(static_cast<int>(c.size()) > ctx && c[ctx] != 0, true)) return c;
    }
    return NewClock(ctx);
  }
  Clock& NewClock(int ctx);
  // Makes room for contexts 0..ctx in the per-context tables (without
  // touching their clocks), so that references into them stay valid until
  // a higher context id is seen.
  void Grow(int ctx);
  static void Join(Clock& into, const Clock& from);
  void Tick(int ctx);  // a new epoch after the context published its clock
  Clock& IdleClock(int cpu);
  // Whether `earlier` happens before the current access of the context
  // whose clock is `now`.
  static bool Ordered(const Access& earlier, const Clock& now) {
    return earlier.ctx < static_cast<int>(now.size()) && now[earlier.ctx] >= earlier.epoch;
  }
  // Reports a race between `earlier` and the current access, and ends the
  // execution.
  void Report(Machine& m, int cell, const Access& earlier, const Access& now,
              bool same_cpu);

  std::vector<Clock> clocks_;
  // Per context: its clock at each release barrier it passed, oldest
  // first; the first release_count_[ctx] entries are this execution's.
  // Kept, not copied, so a store publishes a clock by naming it.
  std::vector<std::vector<Clock>> releases_;
  std::vector<int> release_count_;
  // Per context: the release clocks its loads read since its last acquire
  // barrier, which that barrier joins. Named, not joined at each load: for
  // each storing context only the newest index read (a context's release
  // history only grows), and the storing contexts in the order first read.
  std::vector<std::vector<int>> acquirable_;        // [reader][storer]: index, or -1
  std::vector<std::vector<int>> acquirable_from_;   // [reader]: storers with an index
  std::vector<int> interrupted_;    // per handler context: the context below it
  std::vector<uint64_t> held_;      // per context: locks held
  std::vector<Clock> lock_clocks_;
  std::vector<Clock> chan_clocks_;
  std::vector<Clock> ipi_clocks_;   // per (cpu * kMaxLines + line)
  std::vector<Clock> idle_clocks_;  // per CPU: what ran before it went idle
  std::vector<Shadow> cells_;
  std::vector<std::function<uint32_t(int)>> views_;
  // How many entries of each table above this execution has used; the rest
  // are empty, their storage kept from earlier executions.
  int contexts_ = 0;
  int cells_used_ = 0;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_RACE_DETECTOR_H_
