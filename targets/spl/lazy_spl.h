// Lazy spl: the IPL lives in memory (the per-CPU `cpl`), the hardware mask
// stays low, and every interrupt is taken. Its handler wrapper looks at the
// software level: if that blocks the interrupt, it records the line in the
// CPU's pending set and returns at once; otherwise it runs the handler with
// the level raised. splx() lowers the level and replays, one by one, the
// pending interrupts the new level no longer blocks (i386 Xspllower /
// Xdoreti; 4.4BSD's cpl + ipending). Level sets need not be a hierarchy,
// so the historical splbio/splnet (SplNames::kHistorical) are unordered.
//
// Per-CPU state shared by the thread and the handlers of a CPU: `cpl` and
// `ipending`, both Shared cells so interrupts interleave with every access.
// splraise is a plain read-modify-write of cpl: a handler interrupting it
// restores cpl before returning, so the write stays right. ipending is
// updated with CAS (the kernel's atomic or), and splx works on it with
// interrupts disabled (cli ... sti), checking and lowering as one step.
//
// The "at most one CPU at or above a level" policy (one_cpu_per_level, from
// the 2003 tech-kern thread), as a machine policy: every hardware level
// 5..11 has a token (an annotated lock: CAS then membar_acquire to take,
// membar_release then a store to drop, as simple_lock; without the
// barriers a relaxed campaign on tech_kern_2003_one_cpu_per_level saw a
// level's data reordered across a token handover: test
// TechKern2003.OneCpuPerLevelTokensOrderTheirLevelUnderRelaxed). A CPU
// must own the token of every level its cpl blocks: splraise blocks the new
// levels locally, then spins for their tokens (in ascending order); splx
// releases those it drops. A
// handler whose levels' tokens another CPU owns is not run here: it is
// forwarded (IPI) to the owner, which is at that level and so defers it
// until its splx. Cost: levels become global locks (two CPUs never run at
// the same level at once), interrupts bounce between CPUs, and spl now
// takes part in lock order.
//
// Deviations: a replayed interrupt runs in the context of whatever called
// splx (the core sees a thread, not a handler), at the interrupt's level,
// with interrupts enabled: as on i386. cpl is read for lockdep (AddIplView)
// and Current() with Peek, without a scheduling point, as the CPU sees it:
// its own newest store, buffered or not (Machine::PeekValue). When Peek
// read memory, that was exact only under SC: under PSO lockdep saw a stale
// cpl 0 on the CPU that had just raised it and reported a correct spl/lock
// order as IPL-unsafe (regression: tech_kern_2003_ordered_pso_cpl).
//
// Scheduling points: splraise is 2 (read and write cpl) plus, per token,
// the CAS, its spins and the barrier; dropping a token is 2 (barrier,
// store); splx is 4 (interrupts off, write cpl, read ipending, interrupts
// on) plus 6 per replayed interrupt, plus that handler's own; the wrapper
// is 1 (read cpl) plus 2 to defer, or 1 (write cpl) plus the handler plus
// an splx.
#ifndef SMPFUZZ_TARGETS_SPL_LAZY_SPL_H_
#define SMPFUZZ_TARGETS_SPL_LAZY_SPL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/lockdep.h"
#include "core/machine.h"
#include "targets/spl/spl.h"

namespace smp::spl {

struct LazySplOptions {
  SplBugs bugs;
  bool one_cpu_per_level = false;  // the policy above
};

class LazySpl : public Spl {
 public:
  // Counts of what the implementation did in one execution (plain
  // counters, for measuring the cost of a policy; never decide anything).
  struct Stats {
    uint64_t deferred = 0;     // interrupts recorded pending
    uint64_t replayed = 0;     // pending interrupts run by splx
    uint64_t token_waits = 0;  // splraise found a level token owned elsewhere
    uint64_t forwarded = 0;    // interrupts sent on to a token's owner
  };

  LazySpl(Machine& m, SplNames names = SplNames::kNetbsd,
          LazySplOptions options = {});

  SplMask splraise(SplMask levels, Loc loc = Loc::Here()) override;
  void splx(SplMask s, Loc loc = Loc::Here()) override;
  SplMask Current() const override { return cpl_[m_.cpu()]->Peek(); }

  // Lines deferred on `cpu` and not replayed yet (bit = line id). Peek:
  // for final checks.
  uint64_t Pending(int cpu) const { return ipending_[cpu]->Peek(); }
  const Stats& stats() const { return stats_; }

 protected:
  int EstablishLine(std::string name, int level, SplMask run,
                    std::function<void()> handler) override;
  // Soft lines get the same wrapper: taken whenever the hardware lets
  // them in, deferred while cpl blocks their level, replayed by splx.
  int EstablishSoftLine(std::string name, int level,
                        std::function<void()> handler) override;

 private:
  int Wrap(std::string name, int level, SplMask run, bool soft,
           std::function<void()> handler);
  struct Handler {
    int line;
    int level;
    SplMask run;
    std::function<void()> fn;
  };

  // The hardware entry of handler `h`.
  void Dispatch(int h);
  void Pend(int cpu, int line, Loc loc);
  // Runs every pending interrupt `s` does not block. REQUIRES: interrupts
  // disabled on the CPU; `enable`: whether to enable them around handlers.
  void Replay(int cpu, SplMask s, SplMask restore, bool enable, Loc loc);
  // Runs handler `h` at `s` plus its levels, then sets cpl to `restore`.
  // False iff it was deferred again on this CPU instead (policy).
  bool RunDeferred(int cpu, int h, SplMask s, SplMask restore, bool enable,
                   Loc loc);
  // Policy: the tokens of `levels`. TakeTokens spins for each (threads);
  // TryTokens takes all or none, and on failure defers the interrupt of
  // `line` here or forwards it to the owner.
  enum class Tokens { kTaken, kForwarded, kDeferredHere };
  void TakeTokens(int cpu, SplMask levels, Loc loc);
  Tokens TryTokens(int cpu, SplMask levels, int line, Loc loc);
  void DropTokens(int cpu, SplMask levels, Loc loc);

  Machine& m_;
  const LazySplOptions options_;
  Lockdep* lockdep_ = nullptr;  // null when the execution runs without one
  SplMask token_levels_ = 0;
  std::vector<std::unique_ptr<Shared<uint32_t>>> cpl_;       // by CPU
  std::vector<std::unique_ptr<Shared<uint64_t>>> ipending_;  // by CPU
  std::vector<std::unique_ptr<Shared<int>>> tokens_;  // by level; owner cpu+1
  std::vector<int> token_locks_;                      // by level
  std::vector<Handler> handlers_;
  std::vector<int> handler_of_line_;  // line id -> index in handlers_
  Stats stats_;
};

}  // namespace smp::spl

#endif  // SMPFUZZ_TARGETS_SPL_LAZY_SPL_H_
