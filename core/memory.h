// The memory system: how weak the machine's memory is, under the
// schedule's control.
//
// Models (per execution):
//  - kSC       every access takes effect at once, in program order.
//  - kTSO      x86-like: each CPU has a FIFO store buffer; a CPU reads its
//              own buffered stores (forwarding); buffered stores drain to
//              memory one at a time, oldest first. Store->load reordering
//              (the SB / Dekker outcome) is possible.
//  - kPSO      SPARC-PSO-like: as TSO, but stores to different cells may
//              drain in any order (per-cell order is kept: coherence).
//  - kRelaxed  PSO plus stale loads: a load not forwarded from the CPU's
//              own buffer may return any value of the cell that coherence
//              still allows (not older than what this CPU already saw of
//              that cell, and not overwritten before this CPU's last
//              load->load barrier). ARM/Alpha-like load->load reordering.
//              Deviation: a load is never satisfied by a store that comes
//              later than it in another CPU's program order, so the LB
//              litmus outcome (load->store reordering) is not produced.
// Every drain and every stale-value choice is a scheduler decision, so a
// weak execution replays exactly. Coherence (one order of writes per cell)
// always holds.
//
// Barriers (membar_ops(3)): membar_producer and membar_release order the
// CPU's earlier stores before its later ones (store->store; load->store
// needs nothing here, loads never wait); membar_consumer and
// membar_acquire make later loads see at least what was visible at the
// barrier (load->load); membar_sync drains the buffer (store->load) and
// does both. membar_exit is release under both readings. membar_enter is
// either acquire (NetBSD since 2022) or the historical "store before
// load/store" (drain), chosen per execution: code whose correctness
// depends on which one holds shows as a difference between the two.
// Deviation: the historical membar_enter also bounds later loads by what
// was visible at the barrier (a load after it is not performed before it);
// this model has no delayed loads, so the earlier loads it leaves
// unordered on hardware are never seen to pass it (load->load is ordered).
//
// Atomic read-modify-writes are atomic on the cell's latest value and
// order nothing else (atomic_ops(3)): they drain only the CPU's buffered
// stores to the same cell and those before its last store->store barrier.
// Under TSO they drain the whole buffer, as a locked x86 instruction does,
// because TSO promises that stores become visible in program order.
//
// Interrupt delivery does not drain a CPU's store buffer: the handler runs
// on the same CPU and sees the buffer through forwarding, as on hardware
// whose interrupts are not serialising for the store buffer.
//
// Thread-safety: one Memory per Machine.
#ifndef SMPFUZZ_CORE_MEMORY_H_
#define SMPFUZZ_CORE_MEMORY_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/loc.h"
#include "core/memory_model.h"

namespace smp {

// Word, MemoryModel, Barrier, EnterMeaning and their names:
// core/memory_model.h.

// A reordering that happened in an execution (recorded while tracing):
// what membar misuse reports are made of.
struct Reorder {
  enum Kind : uint8_t {
    kStoreStore,  // store to `later` became visible before store to `earlier`
    kStoreLoad,   // load of `later` done before the store to `earlier` was visible
    kStaleLoad,   // load of `later` returned an old value; `earlier` was the
                  // CPU's previous load (of another cell)
  };
  Kind kind;
  int cpu;
  int earlier_cell;
  Loc earlier_loc;
  int later_cell;
  Loc later_loc;
};

class Memory {
 public:
  static constexpr int kHistory = 4;  // values kept per cell for stale loads

  struct Entry {
    int cell;
    Word value;
    uint32_t epoch;  // store->store barriers executed before this store
    Loc loc;
  };

  Memory(MemoryModel model, EnterMeaning enter, int num_cpus);
  // Under SC, one CPU: holds nothing until Reset.
  Memory() : Memory(MemoryModel::kSC, EnterMeaning::kAcquire, 1) {}
  // Makes this what Memory(model, enter, num_cpus) makes, keeping the
  // room its vectors have (an owner that keeps a Memory from one execution
  // to the next allocates only while it grows).
  void Reset(MemoryModel model, EnterMeaning enter, int num_cpus);

  MemoryModel model() const { return model_; }
  EnterMeaning enter_meaning() const { return enter_; }
  bool weak() const { return model_ != MemoryModel::kSC; }
  // Total buffered stores of all CPUs.
  int buffered() const { return buffered_; }

  // A new cell, with its initial value as version 0. Under SC nothing is
  // kept, and only model(), weak() and buffered() may be called.
  void AddCell(Word initial);

  // ---- Stores ----
  // Buffers a store of `cpu`. REQUIRES: weak().
  void Buffer(int cpu, int cell, Word value, Loc loc);
  // The newest value `cpu` has buffered for `cell`, if any (forwarding).
  std::optional<Word> Forward(int cpu, int cell) const;
  const std::vector<Entry>& buffer(int cpu) const { return sb_[cpu]; }
  // Entries of `cpu` that may drain now, as indices into buffer(cpu).
  void Drainable(int cpu, std::vector<int>* out) const;
  // Removes entry `index` of `cpu`'s buffer and returns it; the caller
  // commits it. If older entries (other cells) stay behind, a kStoreStore
  // reordering is appended to `reorders` (when non-null).
  Entry Take(int cpu, int index, std::vector<Reorder>* reorders);
  // How many leading entries of `cpu`'s buffer precede its last
  // store->store barrier (they must drain before any later store).
  int BarrierPrefix(int cpu) const;
  // Index of the oldest entry of `cell` in `cpu`'s buffer, or -1.
  int Oldest(int cpu, int cell) const;

  // ---- Commits (the Machine calls this for every write to memory) ----
  // Records `value` as the cell's newest version, written by `cpu`.
  void Commit(int cpu, int cell, Word value);

  // ---- Loads ----
  // Values `cpu` may read for `cell` under kRelaxed, newest first: out[0]
  // is the latest. REQUIRES: nothing of `cell` in `cpu`'s buffer.
  int Candidates(int cpu, int cell, Word out[kHistory]) const;
  // `cpu` read the value `staleness` versions behind the newest (not from
  // its buffer). Records a kStoreLoad reordering if `cpu` has stores to
  // other cells still buffered, and a kStaleLoad one if staleness > 0.
  void ObserveRead(int cpu, int cell, int staleness, Loc loc,
                   std::vector<Reorder>* reorders);

  // ---- Barriers ----
  // Applies `kind` for `cpu`; returns true if the CPU's buffer must now be
  // drained completely (store->load ordering).
  bool Fence(int cpu, Barrier kind);

 private:
  struct CellHistory {
    uint32_t version = 0;        // versions committed so far (initial: 0)
    Word values[kHistory] = {};  // ring: values[version % kHistory]
    uint64_t seq[kHistory] = {}; // global commit sequence of each version
  };
  struct CpuState {
    uint32_t epoch = 0;           // store->store barriers so far
    uint64_t acquire_seq = 0;     // commit seq at the last load->load barrier
    std::vector<uint32_t> floor;  // per cell: newest version seen
    int last_load_cell = -1;
    Loc last_load_loc;
  };

  MemoryModel model_;
  EnterMeaning enter_;
  int buffered_ = 0;
  uint64_t commit_seq_ = 0;
  std::vector<CellHistory> cells_;
  std::vector<std::vector<Entry>> sb_;
  std::vector<CpuState> cpus_;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_MEMORY_H_
