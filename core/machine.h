// The virtual SMP machine: N CPUs whose contexts run as fibers under one
// cooperative scheduler, an interrupt controller gated by each CPU's
// priority mask, kernel threads that park and unpark, shared memory cells,
// and the referee that turns one execution into a Verdict.
//
// What it models (and where it deviates from hardware):
//  - A CPU has a base thread (or none: idle) and a stack of hard-interrupt
//    contexts above it, an interrupt-enable flag and a priority mask: an
//    interrupt line of level L is deliverable on a CPU iff interrupts are
//    enabled there, L > mask, and the line is not already in service on
//    that CPU. Delivery pushes a handler context, raises the mask to L for
//    the handler's duration and is acknowledged (EOI) when it returns.
//    Software IPL (spl) is not here: it is a target built on these.
//  - Interrupts are edge-like: asserting a line already pending on a CPU
//    coalesces; asserting it while in service makes it pending again.
//  - Kernel threads are not preempted by other threads (a 2003-era
//    non-preemptive kernel); a thread leaves its CPU only by parking or
//    returning. Interrupts preempt anything they are not masked by.
//  - Memory is sequentially consistent, or as weak as Options::memory_model
//    says (core/memory.h): store-buffer drains and stale loads are then
//    scheduler decisions too.
//
// Start: before the first decision, every bound thread runs up to its first
// scheduling point (which thread starts first is invisible, so it is not
// a decision); code before that point must not touch shared state except
// through cells.
//
// Scheduling points: every operation marked "Scheduling point" below first
// lets the scheduler pick what runs next (possibly another CPU, possibly an
// interrupt delivered right here), then takes effect atomically. Blocking
// operations (SpinWhile, Park) and the end of a context are scheduling
// points at which the current context cannot continue.
//
// Determinism: nothing here reads clocks, addresses or unordered
// containers; objects have small ids in declaration order; every decision
// comes from the Scheduler.
//
// Thread-safety: a Machine belongs to one OS thread and runs one execution.
// Two Machines may coexist (each with its own FiberPool or sharing one
// sequentially); nothing is global.
#ifndef SMPFUZZ_CORE_MACHINE_H_
#define SMPFUZZ_CORE_MACHINE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/block_hook.h"
#include "core/fiber.h"
#include "core/loc.h"
#include "core/machine_internal.h"
#include "core/machine_options.h"
#include "core/memory.h"
#include "core/observer.h"
#include "core/scheduler.h"
#include "core/trace.h"
#include "core/verdict.h"

namespace smp {

constexpr int kMaxCpus = 16;
constexpr int kMaxLines = 64;
constexpr int kMaxLevel = 31;
constexpr int kAnyCpu = -1;

class CellBase;
class Machine;

// The read-modify-write operations of Machine::FetchOp (atomic_ops(3) and
// the __atomic_fetch_* builtins).
enum class RmwOp : uint8_t { kAdd, kSub, kAnd, kOr, kXor, kNand, kMax, kMin, kUMax, kUMin };

// Ordering attached to a single access (see Load/Store/Cas): kAcquire is a
// membar_acquire right after the access, kRelease a membar_release right
// before it, kAcqRel both; kSeqCst (C11's __ATOMIC_SEQ_CST, as target C
// may write it) a membar_sync on each side. All within the access's one
// scheduling point.
enum class Order : uint8_t { kRelaxed, kAcquire, kRelease, kAcqRel, kSeqCst };

class Machine {
 public:
  // core/machine_options.h.
  using Options = MachineOptions;

  // The room of a run of machines' containers (core/machine_internal.h).
  using Storage = internal::MachineStorage;

  // `pool` and `scheduler` must outlive the Machine; so must `storage`
  // (null: none), whose room the machine uses and gives back empty when it
  // is destroyed. REQUIRES: no other live Machine uses `storage`.
  Machine(FiberPool& pool, Scheduler& scheduler, const Options& options,
          Storage* storage = nullptr);
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;
  ~Machine();

  // ---- Declarations: before Run(), never scheduling points ----

  // A kernel thread bound to `cpu`, or migratable with kAnyCpu (its CPU is
  // then a scheduler choice each time it becomes runnable). Returns its id.
  int AddThread(std::string name, int cpu, std::function<void()> body);
  // An interrupt line of priority `level` (1..kMaxLevel) whose handler runs
  // in hard-interrupt context. Returns the line id.
  int AddLine(std::string name, int level, std::function<void()> handler);
  // The same for a software interrupt request line: its handler runs in a
  // softint context (CtxKind::kSoftIntr) at `level`, delivered like any
  // line when the CPU's mask drops below it (a self-IPI is how a softint
  // framework requests one).
  int AddSoftLine(std::string name, int level, std::function<void()> handler);
  // An external interrupt source: asserts `line` exactly `count` times, each
  // on a CPU in `cpu_mask` (bit k: CPU k), at times the scheduler chooses.
  void AddSource(int line, uint32_t count, uint32_t cpu_mask);
  // A wait channel for Park/Unpark.
  int AddChannel(std::string name);
  // Names a lock whose state lives in `cell`: deadlock reports then say
  // "lock A held by ..." instead of a bare cell. Returns the lock id.
  int AddLock(std::string name, const CellBase& cell);
  // Attaches a detector for this execution. REQUIRES: before Run();
  // `observer` outlives the Machine.
  void AddObserver(Observer* observer) {
    observers_.push_back(observer);
    if (observer->wants_accesses()) access_observers_.push_back(observer);
  }
  // The attached observers, in attachment order (a target finds its
  // execution's lockdep through this: Lockdep::Of).
  const std::vector<Observer*>& observers() const { return observers_; }
  // Called at clean quiescence, outside any context (final invariants).
  void SetFinalCheck(std::function<void()> check) { final_check_ = std::move(check); }

  // Runs the execution to its verdict. REQUIRES: called once.
  Verdict Run();

  // ---- Queries from target code: not scheduling points ----
  // The Machine whose Run() is on this OS thread's stack, or null. How code
  // that has no Machine& to hand (target C through hw/) finds its machine;
  // nothing decides on it.
  static Machine* Running() { return t_running_; }
  // The cell the running context last loaded (or read-modify-wrote) and
  // the value it read, if no scheduling point came after that access;
  // else null. What a cpu_spinwait after a load spins on (hw/). Not a
  // scheduling point. REQUIRES: in_context().
  const CellBase* LastLoad(Word* value) const {
    const Context* c = current_;
    if (c->last_load_cell < 0 || c->last_load_step != step_) return nullptr;
    *value = c->last_load_value;
    return cells_[c->last_load_cell].cell;
  }
  // Whether a context runs (false in set-up and in the final check).
  bool in_context() const { return current_ != nullptr; }
  // Whether `p` points into the running context's own stack: memory no
  // other agent can reach. REQUIRES: in_context().
  bool OnContextStack(const void* p) const { return current_->fiber->OnStack(p); }
  int num_cpus() const { return num_cpus_; }
  int cpu() const { return current_->cpu; }
  // The running context's id (stable for a thread; one per interrupt
  // delivery), as observers' Actor::ctx.
  int context_id() const { return current_->id; }
  CtxKind context_kind() const { return current_->kind; }
  // Level of the running handler, 0 in thread context.
  int context_level() const { return current_->level; }
  int mask() const { return cpus_[current_->cpu].mask; }
  bool interrupts_enabled() const { return cpus_[current_->cpu].intr_enabled; }
  // True iff an interrupt is pending on this CPU at a level above `level`
  // (whether or not the CPU currently masks it).
  bool PendingAbove(int level) const;
  uint64_t step() const { return step_; }

  // ---- Operations from target code ----

  // Scheduling point. Sets this CPU's priority mask.
  void SetMask(int level, Loc loc = Loc::Here());
  // Scheduling point. Clears / sets this CPU's interrupt-enable flag.
  void DisableInterrupts(Loc loc = Loc::Here());
  void EnableInterrupts(Loc loc = Loc::Here());
  // Scheduling point. Makes `line` pending on `cpu` (an IPI when sent to
  // another CPU, a device interrupt when raised by device code).
  void SendIpi(int cpu, int line, Loc loc = Loc::Here());
  // Scheduling point. A memory barrier of this CPU: orders this CPU's
  // earlier and later accesses as membar_ops(3) documents for `kind` (see
  // core/memory.h). Under SC it orders nothing that was not already ordered.
  void Membar(Barrier kind, Loc loc = Loc::Here());
  // Scheduling point. Nothing but the chance for others to run.
  void Yield(Loc loc = Loc::Here());
  // Blocking scheduling point: waits until `cell` no longer holds `value`
  // (returns at once if it already does not). The cpu_spinwait hint: a spin
  // loop costs one step, and a context spinning forever is recognisable.
  void SpinWhile(const CellBase& cell, Word value, Loc loc = Loc::Here());
  // Blocking scheduling point. REQUIRES: thread context, no interrupt
  // context above it. Parks the thread on `chan` until an Unpark.
  void Park(int chan, Loc loc = Loc::Here());
  // Park, ParkWhile, Unpark and UnparkOne are full barriers (membar_sync)
  // for the calling CPU under a weak memory model: the real primitives take
  // the sleep queue's lock.
  //
  // Scheduling point. Wakes every thread parked on `chan` (UnparkOne: the
  // lowest-numbered one); with nobody parked the wakeup is lost, as in a
  // real kernel. Returns how many were woken.
  int Unpark(int chan, Loc loc = Loc::Here());
  // Blocking scheduling point: parks on `chan` only if `cell` still holds
  // `value`, atomically (the interlock a sleep queue gives tsleep/cv_wait;
  // futex-like). Returns false without parking otherwise.
  bool ParkWhile(int chan, const CellBase& cell, Word value,
                 Loc loc = Loc::Here());
  int UnparkOne(int chan, Loc loc = Loc::Here());

  // Lock annotations (not scheduling points): the lock was just acquired
  // (blocking, or by a successful try) / is about to be released by the
  // running context. Observers (lockdep) see them with the CPU's mask and
  // the context's kind and level.
  void LockAcquired(int lock, Loc loc = Loc::Here()) {
    LockAnnotate(LockOp::kAcquire, lock, loc);
  }
  void LockTryAcquired(int lock, Loc loc = Loc::Here()) {
    LockAnnotate(LockOp::kTryAcquire, lock, loc);
  }
  void LockReleased(int lock, Loc loc = Loc::Here()) {
    LockAnnotate(LockOp::kRelease, lock, loc);
  }
  // The running context as observers see it.
  Actor CurrentActor() const { return ActorOf(current_); }
  // Declared names, for reports.
  const std::string& lock_name(int lock) const { return locks_[lock].name; }
  const std::string& line_name(int line) const { return lines_[line].name; }
  const std::string& thread_name(int thread) const { return threads_[thread].name; }
  const std::string& channel_name(int chan) const { return channels_[chan].name; }
  const std::string& cell_name(int cell) const { return cells_[cell].Name(); }
  int num_locks() const { return static_cast<int>(locks_.size()); }
  // A cell the real code accesses with atomic_load/atomic_store (a flag):
  // the race detector never reports it. Not a scheduling point.
  void MarkAtomic(const CellBase& cell);
  bool IsAtomic(int cell) const { return cells_[cell].atomic; }
  // A cell that holds addresses (a pointer field of target C): its values
  // are traced through Extension::DescribeAddress. Not a scheduling point.
  void MarkPointer(int cell) { cells_[cell].pointer = true; }
  bool IsPointer(int cell) const { return cells_[cell].pointer; }
  bool IsLockWord(int cell) const { return cells_[cell].lock >= 0; }
  // What Peek returns. Outside any context (set-up, final checks): memory.
  // From a running context: what its CPU sees, its own newest buffered
  // store or else memory (a CPU sees its own stores at once, whatever the
  // model), with no scheduling point and no trace line; counted as a
  // hidden access, so that a search whose soundness rests on seeing every
  // access can tell. Poke from a running context is counted too.
  Word PeekValue(const CellBase& cell) {
    if (current_ == nullptr) return PeekMemory(cell);
    ++hidden_accesses_;
    return Visible(current_->cpu, cell);
  }
  void NoteHiddenAccess() {
    if (current_ != nullptr) ++hidden_accesses_;
  }
  uint64_t hidden_accesses() const { return hidden_accesses_; }
  // A free-form trace line (kept only while recording).
  void Note(std::string text, Loc loc = Loc::Here());
  // Whether this execution records a trace: a caller that builds a Note's
  // text at some cost builds it only then.
  bool recording() const { return record_; }

  // Ends the execution with `verdict` (first verdict wins). From a context
  // it does not return: the context's stack is abandoned, not unwound, so
  // build the strings before the call and pass them in by move (a
  // temporary in the argument list would leak).  From the final check it
  // returns.
  void Fail(VerdictKind kind, std::string message, std::string signature,
            Loc loc = Loc::Here());
  // What SMP_ASSERT calls.
  void AssertionFailed(const char* expr, const char* msg, Loc loc);

  // ---- Cell accesses (Shared<T> calls these); each a scheduling point ----
  // `order` gives an access the ordering of FreeBSD's atomic_*_acq / _rel
  // (C11 acquire / release): as a membar_acquire right after it or a
  // membar_release right before it, within the same scheduling point.
  Word Load(const CellBase& cell, Loc loc, Order order = Order::kRelaxed);
  void Store(CellBase& cell, Word value, Loc loc, Order order = Order::kRelaxed);
  // Returns the old value; stores `desired` iff old == expected.
  Word Cas(CellBase& cell, Word expected, Word desired, Loc loc,
           Order order = Order::kRelaxed);
  Word Swap(CellBase& cell, Word value, Loc loc, Order order = Order::kRelaxed);
  Word FetchAdd(CellBase& cell, Word delta, Loc loc,
                Order order = Order::kRelaxed);
  // Scheduling point. Atomic `op` of the cell's `bytes`-byte value (1, 2,
  // 4 or 8; the result is truncated to it, min/max compare signed at that
  // width) with `operand`; returns the old value.
  Word FetchOp(CellBase& cell, RmwOp op, Word operand, int bytes, Loc loc,
               Order order = Order::kRelaxed);
  // Not a scheduling point: a store by a device (DMA, a register write's
  // effect) made while a context runs, committed to memory at once (DMA
  // is coherent: no store buffer holds it) and traced as that context's
  // store. Wakes spinners on the cell.
  void DeviceStore(CellBase& cell, Word value, Loc loc);
  int RegisterCell(std::string name, CellBase* cell);
  // A cell whose name `namer` makes when a trace or report first reads it
  // (cell_name), from the cell's own state: what it returns must be what
  // naming the cell at registration would have given.
  using CellNamer = internal::CellNamer;
  int RegisterCell(CellNamer namer, CellBase* cell);
  MemoryModel memory_model() const { return memory_.model(); }

  // ---- Layers above core ----
  // The per-execution state of a layer built on the machine (hw/'s, for
  // target C): owned by the Machine and destroyed first, before its cells.
  class Extension {
   public:
    virtual ~Extension() = default;
    // An address, in words that are the same in every run ("&kmem#2+8"):
    // what traces show for the values of pointer cells (MarkPointer).
    virtual std::string DescribeAddress(Word address) const {
      return std::to_string(address);
    }
  };
  Extension* extension() const { return extension_.get(); }
  void set_extension(std::unique_ptr<Extension> e) { extension_ = std::move(e); }

  // ---- After Run() ----
  // The picks made, one per decision point: replaying them gives the same
  // execution.
  const std::vector<uint32_t>& picks() const { return picks_; }
  std::vector<uint32_t> TakePicks() { return std::move(picks_); }
  // Hash of (number of choices, pick) at every decision point.
  uint64_t decision_hash() const { return decision_hash_; }
  // The block hook stopped the execution: it has no verdict of its own
  // (it reads clean, and the final check did not run).
  bool pruned() const { return pruned_; }
  // REQUIRES: Options::record. Moves the trace out.
  Trace TakeTrace();

 private:
  // The state's types are core/machine_internal.h's.
  using Context = internal::Context;
  using Cpu = internal::Cpu;
  using Thread = internal::Thread;
  using Line = internal::Line;
  using Source = internal::Source;
  using Lock = internal::Lock;
  using Channel = internal::Channel;
  using CellInfo = internal::CellInfo;
  using Overwrite = internal::Overwrite;

  // Exchanges the containers' room with storage_'s.
  void SwapStorage();
  static void ContextMain(void* arg);
  void RunBody(Context* ctx);
  [[noreturn]] void FinishContext(Context* ctx);

  // A scheduling point of the running context.
  // `cell`: the cell the operation taking effect after the point accesses;
  // `op`: what it does with it (for the block hook).
  __attribute__((always_inline)) void Point(int cell = -1, PointOp op = PointOp::kOther) {
    current_->pending_cell = cell;
    current_->pending_op = op;
    if (__builtin_expect(priming_, false)) return Primed();
    Context* next = Decide();
    if (next != current_) SwitchFrom(current_, next, false);
  }
  // Bound threads are run to their first scheduling point before the first
  // decision: where they start is invisible, so it is no decision.
  void Primed();
  // Advances one step and picks what runs next; applies the pick's side
  // effects (delivery, placement, assertion). Null: the execution is over
  // (or the block hook pruned it).
  __attribute__((always_inline)) Context* Decide() {
    if (__builtin_expect(block_hook_ != nullptr, false)) return DecideHooked();
    return DecideNext();
  }
  Context* DecideNext();
  // Decide, telling the block hook that current_'s block is over (it may
  // stop the execution there) and which block begins.
  Context* DecideHooked();
  void SwitchFrom(Context* from, Context* to, bool dying);
  [[noreturn]] void EndFromContext();
  uint32_t CollectChoices();
  __attribute__((always_inline)) bool CpuRunnable(int k) const {
    const Cpu& c = cpus_[k];
    if (Deliverable(c) != 0) return true;
    const Context* top = c.Top();
    if (top != nullptr) return top->state == CtxState::kRunnable;
    return !c.runq.empty();
  }
  // Recomputes CPU k's bit in runnable_; called after anything that can
  // change CpuRunnable(k) (checked against it in debug builds).
  __attribute__((always_inline)) void Refresh(int k) {
    const uint32_t bit = 1u << k;
    runnable_ = CpuRunnable(k) ? (runnable_ | bit) : (runnable_ & ~bit);
  }
  uint64_t Deliverable(const Cpu& c) const {
    return c.intr_enabled ? (c.pending & ~c.in_service & above_[c.mask]) : 0;
  }
  // Runs CPU k: its top context, unless an interrupt must be delivered
  // first or a thread must be taken from its run queue (EnterCpuSlow).
  __attribute__((always_inline)) Context* EnterCpu(int k) {
    Cpu& c = cpus_[k];
    if (Deliverable(c) == 0) {
      if (Context* top = c.Top()) return top;
    }
    return EnterCpuSlow(k);
  }
  Context* EnterCpuSlow(int k);
  Context* NewContext(CtxKind kind, int obj, int cpu, int level);
  void Wake(Context* ctx);
  void ParkNow(int chan, Loc loc);
  void SleepQueueFence();
  // A barrier's effect without a scheduling point or trace line: nothing
  // at all under SC with no observer (the common case of _acq/_rel ops).
  void Fence(Barrier kind, Loc loc) {
    if (memory_.weak() || !observers_.empty()) FenceSlow(kind, loc);
  }
  void FenceSlow(Barrier kind, Loc loc);
  // The barriers an access's Order puts before / after it.
  void OrderBefore(Order order, Loc loc) {
    if (order == Order::kRelease || order == Order::kAcqRel) {
      Fence(Barrier::kRelease, loc);
    } else if (order == Order::kSeqCst) {
      Fence(Barrier::kSync, loc);
    }
  }
  void OrderAfter(Order order, Loc loc) {
    if (order == Order::kAcquire || order == Order::kAcqRel) {
      Fence(Barrier::kAcquire, loc);
    } else if (order == Order::kSeqCst) {
      Fence(Barrier::kSync, loc);
    }
  }
  int WakeParked(int chan, int limit, Loc loc);
  // Wakes the contexts spinning on `cell` if its new value releases them.
  // Inline in machine_memory.cc: most written cells have no spinner.
  void CellWritten(const CellBase& cell);
  void WakeSpinners(const CellBase& cell);
  // The owner bookkeeping of a lock annotation; with a trace or observers,
  // LockAnnotateSlow records and notifies too.
  __attribute__((always_inline)) void LockAnnotate(LockOp op, int lock, Loc loc) {
    if (__builtin_expect(record_ || !observers_.empty() || block_hook_ != nullptr, false)) {
      return LockAnnotateSlow(op, lock, loc);
    }
    Lock& l = locks_[lock];
    if (op == LockOp::kRelease) {
      l.owner = nullptr;
    } else {
      l.owner = current_;
      l.acquired_at = loc;
    }
  }
  void LockAnnotateSlow(LockOp op, int lock, Loc loc);
  // Writes `value` to memory (visible to all) on behalf of `cpu`.
  void Commit(int cpu, CellBase& cell, Word value);
  // Commits buffer entry `index` of `cpu`. With Options::forbidden, the
  // recorded execution is taken to drain it here too (a barrier or an RMW
  // both executions make), along with the entries drained early before it.
  void Drain(int cpu, int index);
  // Commits buffer entry `index` of `cpu` (the memory side of a drain).
  void CommitEntry(int cpu, int index);
  // Options::forbidden only. Commits entry `index` of `cpu` before the
  // recorded execution does (its slot stays, kEarly).
  void DrainEarly(int cpu, int index);
  // Options::forbidden only. The drain choice for recorded position `slot`
  // of `cpu`'s buffer: a no-op for an entry drained early; for an entry
  // that may not pass an earlier one yet, its delay (kLate) or the earlier
  // one's drain first (see Options::forbidden); else its drain.
  void DrainChosen(int cpu, int slot);
  // Options::forbidden only. Drains the delayed entries of `cpu` that may
  // drain now.
  void DrainLate(int cpu);
  // Options::forbidden only: the position in slots_[cpu] of buffer entry
  // `index`, of recorded position `slot`, and the buffer index of the
  // entry at position `pos` (REQUIRES: not kEarly).
  int PosOfEntry(int cpu, int index) const;
  int PosOfSlot(int cpu, int slot) const;
  int EntryAt(int cpu, int pos) const;
  // The value `cpu` sees for `cell` without a load decision: its own newest
  // buffered store, else memory.
  Word Visible(int cpu, const CellBase& cell) const;
  static Word PeekMemory(const CellBase& cell);
  // Whether an agent other than `cpu` may observe `cell` next: a context of
  // another CPU whose pending operation accesses it, a context spinning on
  // it, or another CPU's buffered store to it (see Choice::observed).
  bool ObservedElsewhere(int cpu, int cell) const;
  Word WeakLoad(const CellBase& cell, Loc loc);
  // Bookkeeping for explanations (lost updates, lost wakeups): a few word
  // writes per access.
  void NoteLoad(int cell, Word value, Loc loc) {
    current_->last_load_cell = cell;
    current_->last_load_writes = writes_;
    current_->last_load_value = value;
    current_->last_load_loc = loc;
    current_->last_load_step = step_;
  }
  void NoteWrite(int cell, Word value, Loc loc, bool rmw);
  // The site barriers for an access at `loc` (Options::site_barriers).
  void SiteFence(Loc loc, bool after = false) {
    if (__builtin_expect(site_barriers_ != nullptr, false)) SiteFenceSlow(loc, after);
  }
  void SiteFenceSlow(Loc loc, bool after);
  // Options::forbidden: the index of the oldest entry of `cpu` that must
  // drain before entry `index` may (-1: none); drains `cpu`'s buffer up to
  // the last entry a `kind` reordering with the access (cell, loc) must not
  // pass.
  int DrainBlocker(int cpu, int index) const;
  void DrainBefore(Reorder::Kind kind, int cell, Loc loc);
  // Makes the buffer ready for an atomic RMW of `cell` (see memory.h).
  void DrainForRmw(CellBase& cell);
  void RmwCommit(CellBase& cell, Word value, Loc loc);
  // What every atomic read-modify-write does around its own work: before,
  // its scheduling point, site and order barriers and the drain it needs;
  // after, the access observers are told, then the barriers after it.
  void RmwBefore(CellBase& cell, Loc loc, Order order);
  void RmwAfter(const CellBase& cell, Loc loc, Order order);
  uint32_t Ask(const Choice* choices, uint32_t n);
  // Judges a quiescent execution (core/quiescence_report.h).
  void Quiesce();
  // The read-only view reports and explanations read the state through.
  internal::MachineView View() const {
    return internal::MachineView{num_cpus_, cpus_,  threads_,   lines_,    channels_,
                                 locks_,    cells_, contexts_, overwrite_};
  }
  void SetVerdict(VerdictKind kind, std::string message, std::string signature);

  // Reports an access to the observers that want them.
  void Access(const CellBase& cell, AccessKind kind, Loc loc) {
    if (!access_observers_.empty()) AccessSlow(cell, kind, loc);
  }
  void AccessSlow(const CellBase& cell, AccessKind kind, Loc loc);
  Actor ActorOf(const Context* c) const {
    const Cpu& cpu = cpus_[c->cpu];
    return Actor{c->id,  c->cpu,  c->kind,          c->level,
                 c->obj, cpu.mask, cpu.intr_enabled, c->depth};
  }
  void NotifyPlaced(const Context* t) {
    if (observers_.empty()) return;
    const Actor who = ActorOf(t);
    for (Observer* o : observers_) o->OnPlaced(*this, who);
  }
  template <typename F>
  void Notify(F&& f) {
    if (observers_.empty()) return;
    const Actor who = CurrentActor();
    for (Observer* o : observers_) f(o, who);
  }

  void Rec(Op op, int obj, Word a, Word b, Loc loc) {
    if (record_) RecSlow(op, obj, a, b, loc);
  }
  void RecSlow(Op op, int obj, Word a, Word b, Loc loc);

  // Constant after construction.
  FiberPool& pool_;
  Scheduler& scheduler_;
  const int num_cpus_;
  const uint64_t max_steps_;
  const bool record_;
  const bool observe_drains_;
  BlockHook* const block_hook_;
  const std::vector<SiteBarrier>* const site_barriers_;
  const std::vector<Reorder>* const forbidden_;
  Storage* const storage_;

  // Declarations.
  std::vector<Thread> threads_;
  std::vector<Line> lines_;
  std::vector<Source> sources_;
  std::vector<Channel> channels_;
  std::vector<Lock> locks_;
  std::vector<CellInfo> cells_;
  std::function<void()> final_check_;
  std::vector<Observer*> observers_;
  std::vector<Observer*> access_observers_;  // those that want OnAccess
  uint64_t above_[kMaxLevel + 2] = {};  // above_[m]: lines with level > m

  // Execution state.
  Cpu cpus_[kMaxCpus];
  internal::ContextList contexts_;      // stable addresses, id = index
  std::vector<Context*> spinners_;
  uint32_t runnable_ = 0;               // bit k: CpuRunnable(k)
  uint64_t raises_left_ = 0;            // assertions all sources have left
  std::vector<Context*> global_runq_;   // runnable migratable threads
  Context* current_ = nullptr;          // null: the main fiber runs
  uint64_t step_ = 0;
  bool running_ = false;
  bool priming_ = false;
  bool over_ = false;
  bool pruned_ = false;
  Verdict verdict_;
  bool has_verdict_ = false;
  std::vector<Choice> choices_;
  // DecideNext's choices in the common case (run CPU k): a member, not a
  // local, because a local array of Choice is zeroed on every decision.
  Choice run_only_[kMaxCpus];
  std::vector<uint32_t> picks_;
  Memory memory_;
  std::vector<int> drainable_;          // scratch for CollectChoices
  std::vector<bool> observed_;          // scratch for CollectChoices
  // Options::forbidden only: per CPU, the entries of this execution's
  // buffer and of the recorded execution's, merged in store order.
  enum class Slot : uint8_t {
    kBoth,   // buffered in both
    kEarly,  // drained here, still buffered in the recorded execution
    kLate,   // drained there, delayed here behind a store it may not pass
  };
  std::vector<Slot> slots_[kMaxCpus];
  int drained_early_ = 0;               // kEarly slots, all CPUs
  uint64_t decision_hash_ = 0xcbf29ce484222325ULL;
  uint64_t hidden_accesses_ = 0;
  uint64_t writes_ = 0;                 // NoteWrite calls so far
  Overwrite overwrite_;                 // the latest lost update
  std::vector<Fiber*> dead_fibers_;     // released once switched off
  Trace trace_;
  std::vector<Reorder> reorders_;       // recorded only while tracing
  std::unique_ptr<Extension> extension_;
  static thread_local Machine* t_running_;  // see Running()
};

// Ends the execution with an assertion verdict naming the expression and the
// source location when `cond` is false.
#define SMP_ASSERT(machine, cond, msg)                                   \
  ((cond) ? (void)0                                                      \
          : (machine).AssertionFailed(#cond, (msg), ::smp::Loc::Here()))

}  // namespace smp

#endif  // SMPFUZZ_CORE_MACHINE_H_
