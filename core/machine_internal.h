// The Machine's internal state (contexts, CPUs, declared objects and the
// bookkeeping explanations read), and a read-only view of it that the
// machine hands its reports (core/deadlock_report.h) and that writes the
// explanation texts verdicts share.
//
// Core only: machine.h includes this for the members' types, but target
// code and layers above core must not use anything here; the Machine's
// public interface is the contract.
#ifndef SMPFUZZ_CORE_MACHINE_INTERNAL_H_
#define SMPFUZZ_CORE_MACHINE_INTERNAL_H_

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/block_hook.h"
#include "core/fiber.h"
#include "core/loc.h"
#include "core/memory.h"
#include "core/scheduler.h"
#include "core/trace.h"

// The engine's own invariants: always checked, never a verdict.
#define SMP_CHECK(cond)                                                    \
  do {                                                                     \
    if (!(cond)) {                                                         \
      std::fprintf(stderr, "smpfuzz: internal check failed: %s (%s:%d)\n", \
                   #cond, __FILE__, __LINE__);                             \
      std::abort();                                                        \
    }                                                                      \
  } while (0)

namespace smp {

class CellBase;
class Machine;
class Observer;

enum class CtxState : uint8_t { kRunnable, kSpinning, kParked, kDone };

namespace internal {

struct Context {
  Machine* machine = nullptr;
  uint16_t id = 0;
  CtxKind kind = CtxKind::kThread;
  CtxState state = CtxState::kRunnable;
  bool started = false;
  int8_t cpu = -1;
  uint8_t level = 0;       // handler: its line's level
  int16_t obj = 0;         // thread id or line id
  int saved_mask = 0;      // handler: the mask to restore on return
  uint8_t depth = 0;       // handler: its position on its CPU's stack + 1
  Fiber* fiber = nullptr;
  // While spinning: the cell and the value it spins while equal to.
  const CellBase* wait_cell = nullptr;
  Word wait_value = 0;
  Loc wait_loc;
  // The cell the operation waiting at this context's scheduling point
  // accesses once the context runs again (-1: none). What the bounded
  // search's drain reduction asks: is some other agent about to touch it?
  int pending_cell = -1;
  PointOp pending_op = PointOp::kOther;  // what that operation does
  // While parked.
  int chan = -1;
  uint64_t park_step = 0;
  Loc park_loc;
  int park_cell = -1;  // the cell its wait condition was last read from
  // Its latest load (or RMW) and how many writes the machine had made
  // then: a store of the same cell after another context's write to it
  // overwrote a value this context never read (a lost update).
  int last_load_cell = -1;
  uint64_t last_load_writes = 0;
  Word last_load_value = 0;
  Loc last_load_loc;
  uint64_t last_load_step = 0;  // the step of that load
};

struct Cpu {
  bool intr_enabled = true;
  int mask = 0;
  Context* thread = nullptr;          // base thread, or null: idle
  std::vector<Context*> stack;        // interrupt contexts above it
  std::vector<Context*> runq;         // runnable bound threads, FIFO
  uint64_t pending = 0;               // lines pending on this CPU
  uint64_t in_service = 0;            // lines whose handler runs here
  Context* Top() const { return stack.empty() ? thread : stack.back(); }
};

struct Thread {
  std::string name;
  int cpu;
  std::function<void()> body;
  Context* ctx = nullptr;
};

struct Line {
  std::string name;
  int level;
  std::function<void()> handler;
  uint32_t deliveries = 0;
  bool soft = false;
};

struct Source {
  int line;
  uint32_t remaining;
  uint32_t cpu_mask;
};

struct Lock {
  std::string name;
  int cell;
  const Context* owner = nullptr;
  Loc acquired_at;
};

struct Channel {
  std::string name;
  uint64_t last_unpark_step = 0;  // 0: never
  Loc last_unpark_loc;
};

// Makes the name of a cell registered without one (Machine::RegisterCell),
// from what determines it: the same cell state gives the same name.
using CellNamer = std::string (*)(const CellBase& cell);

struct CellInfo {
  // The cell's name. One registered with a namer is named on the first
  // read (a trace or a report), so most executions make no name at all.
  // REQUIRES: the cell is alive (true while its Machine runs and until its
  // Extension, which owns hw/'s cells, is destroyed).
  const std::string& Name() const {
    if (namer != nullptr) {
      name_ = namer(*cell);
      namer = nullptr;
    }
    return name_;
  }
  mutable std::string name_;
  mutable CellNamer namer = nullptr;  // null: name_ is the name
  CellBase* cell = nullptr;
  int lock = -1;
  bool atomic = false;
  bool pointer = false;
  // The latest write by a context (store or RMW, in program order), for
  // explanations: who, where, what, and the machine's write count then.
  int writer = -1;
  uint64_t write_seq = 0;
  Word written = 0;
  Loc write_loc;
};

// The contexts of an execution, id = index, at addresses that stay put
// while more are added. clear() keeps the room for the next execution's.
class ContextList {
 public:
  // A default Context at the end.
  Context& emplace_back() {
    if (size_ == chunks_.size() * kChunk) {
      chunks_.push_back(std::make_unique<Context[]>(kChunk));
    }
    Context& c = (*this)[size_++];
    c = Context{};
    return c;
  }
  size_t size() const { return size_; }
  void clear() { size_ = 0; }
  Context& operator[](size_t i) { return chunks_[i / kChunk][i % kChunk]; }
  const Context& operator[](size_t i) const {
    return chunks_[i / kChunk][i % kChunk];
  }

  template <typename List, typename Ref>
  class Iter {
   public:
    Iter(List* list, size_t i) : list_(list), i_(i) {}
    Ref operator*() const { return (*list_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const Iter& o) const { return i_ != o.i_; }

   private:
    List* list_;
    size_t i_;
  };
  Iter<ContextList, Context&> begin() { return {this, 0}; }
  Iter<ContextList, Context&> end() { return {this, size_}; }
  Iter<const ContextList, const Context&> begin() const { return {this, 0}; }
  Iter<const ContextList, const Context&> end() const { return {this, size_}; }

 private:
  static constexpr size_t kChunk = 16;
  std::vector<std::unique_ptr<Context[]>> chunks_;
  size_t size_ = 0;
};

// The latest lost update: `ctx` read `cell` (read_value at read_loc),
// `other` then wrote other_value at other_loc, and `ctx` stored
// stored_value at store_loc over it.
struct Overwrite {
  int cell = -1;
  int ctx = -1;
  Word read_value = 0;
  Loc read_loc;
  int other = -1;
  Word other_value = 0;
  Loc other_loc;
  Word stored_value = 0;
  Loc store_loc;
};

// What the owner of a run of Machines (core/executor.h) keeps from one to
// the next (Machine::Storage): the room of a machine's containers, handed
// to the next Machine built with it and given back empty by its
// destructor, so a run of executions allocates only while it grows.
// Between two machines it holds no state but capacity (and the memory
// system, which the next machine resets before use).
struct MachineStorage {
  struct CpuRoom {
    std::vector<Context*> stack, runq;
  };
  std::vector<Thread> threads;
  std::vector<Line> lines;
  std::vector<Source> sources;
  std::vector<Channel> channels;
  std::vector<Lock> locks;
  std::vector<CellInfo> cells;
  std::vector<Observer*> observers, access_observers;
  ContextList contexts;
  std::vector<CpuRoom> cpus;
  std::vector<Context*> spinners, global_runq;
  std::vector<Choice> choices;
  std::vector<int> drainable;
  std::vector<bool> observed;
  std::vector<Fiber*> dead_fibers;
  std::vector<Reorder> reorders;
  Memory memory;
};

// What reports read of a machine (Machine::View()): its state, by const
// reference, valid while the machine is and not changed through here.
struct MachineView {
  int num_cpus;
  const Cpu* cpus;  // num_cpus of them
  const std::vector<Thread>& threads;
  const std::vector<Line>& lines;
  const std::vector<Channel>& channels;
  const std::vector<Lock>& locks;
  const std::vector<CellInfo>& cells;
  const ContextList& contexts;          // id = index
  const Overwrite& overwrite;           // the latest lost update

  // "thread NAME", "intr NAME" or "softint NAME" (core/report.h).
  std::string Label(const Context* c) const;
  // The label, the handler's level and the CPU (core/report.h).
  std::string Describe(const Context* c) const;
  // The explanation lines a verdict gets from the bookkeeping: the latest
  // lost update, introduced by `what` ("" if there was none), and the
  // last write to the cell a parked thread waits on.
  std::string OverwriteText(const char* what) const;
  std::string LastWriteText(int cell) const;
};

}  // namespace internal
}  // namespace smp

#endif  // SMPFUZZ_CORE_MACHINE_INTERNAL_H_
