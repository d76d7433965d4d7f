// softint(9): software interrupts, established per level, scheduled on the
// current CPU (or, as a variant, on another CPU through an IPI), and
// dispatched on that CPU once its priority drops below the soft level.
//
// What it models:
//  - softint_establish(level, mpsafe, func) for SOFTINT_CLOCK, _BIO, _NET,
//    _SERIAL; a non-MPSAFE handler runs with the giant lock (kernel_lock,
//    recursive per CPU) taken on its behalf.
//  - softint_schedule(cookie) sets the handler's bit in the current CPU's
//    pending word (atomically: a hard interrupt on the same CPU may be
//    scheduling too) and requests a dispatch at the soft level with a
//    self-IPI on a soft line. Scheduling an already-pending softint is a
//    no-op: the handler must drain all work.
//  - Where dispatch happens: on the scheduling CPU, as soon as its IPL is
//    below the soft level: on return from the hard interrupt that
//    scheduled it, or in the splx that lowers the IPL. Constructed with an
//    spl::Spl, the soft lines are established through it (EstablishSoft),
//    so the IPL is that spl's: with lazy_spl.h a softint requested while
//    cpl blocks its level is deferred and replayed by splx. Without one,
//    the IPL is the core's priority mask (what hard_spl.h programs), and
//    lowering it is what delivers the request.
//  - Dispatch clears a handler's pending bit *before* running it, so a
//    schedule during the run makes it run again.
//  - Policies from the 2005 tech-kern discussion: kDisjoint (soft levels on
//    different CPUs never exclude each other: handlers must not need to)
//    and kOrdered (at most one CPU runs handlers of a given soft level at a
//    time: a per-level lock around dispatch).
// Deviation: NetBSD runs softints on per-CPU LWPs that can block; here a
// softint is a nested context that must not sleep (as the older
// implementations).
//
// Bug switches (each a variant): clear the pending bit after the handler
// ran; schedule on another CPU without membar_producer for the work handed
// over; run non-MPSAFE handlers without the giant lock.
//
// Scheduling points: softint_schedule*, and everything the dispatcher and
// the handlers do.
#ifndef SMPFUZZ_TARGETS_SOFTINT_SOFTINT_H_
#define SMPFUZZ_TARGETS_SOFTINT_SOFTINT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"
#include "targets/spl/spl.h"

namespace smp::softint {

enum SoftLevel { SOFTINT_CLOCK = 0, SOFTINT_BIO, SOFTINT_NET, SOFTINT_SERIAL };
constexpr int kSoftLevels = 4;
// The machine level of soft level l: 1 + l, below every hard level used by
// the targets (IPL_VM and up).
constexpr int MachineLevel(SoftLevel l) { return 1 + static_cast<int>(l); }

enum class Policy { kDisjoint, kOrdered };

struct Bugs {
  bool clear_after_run = false;  // a schedule during the run is lost
  bool no_producer_barrier = false;  // softint_schedule_cpu without membar
  bool giant_not_taken = false;  // non-MPSAFE handler without kernel_lock
};

class Softints {
 public:
  // The IPL is the core's mask (see above). Declaration time.
  Softints(Machine& m, Policy policy = Policy::kDisjoint, Bugs bugs = {});
  // The IPL is `spl`'s: its splx dispatches pending softints. `spl` must
  // outlive this object. Declaration time.
  Softints(Machine& m, spl::Spl& spl, Policy policy = Policy::kDisjoint,
           Bugs bugs = {});

  // Declaration time. Returns the cookie.
  int softint_establish(SoftLevel level, bool mpsafe, std::string name,
                        std::function<void()> func);
  // Scheduling points. Marks `cookie` pending on the calling CPU.
  void softint_schedule(int cookie, Loc loc = Loc::Here());
  // Scheduling points. Marks it pending on `cpu` and sends that CPU an
  // IPI; work handed over with it must be published first (the function
  // does membar_producer itself unless the bug switch says not to).
  void softint_schedule_cpu(int cookie, int cpu, Loc loc = Loc::Here());

  // The giant lock non-MPSAFE handlers run under (kernel_lock): recursive
  // per CPU; its owner and depth are updated at IPL_VM (through the spl
  // if there is one), and a contender spins with its IPL restored, as
  // kern_lock.c does. Scheduling points, several each.
  void KernelLock(Loc loc = Loc::Here());
  void KernelUnlock(Loc loc = Loc::Here());

 private:
  struct Handler {
    SoftLevel level;
    bool mpsafe;
    std::string name;
    std::function<void()> func;
  };
  Softints(Machine& m, spl::Spl* spl, Policy policy, Bugs bugs);
  void Dispatch(SoftLevel level);
  int RaiseVm(Loc loc);  // returns what Restore takes
  void Restore(int s, Loc loc);
  void SetPending(int cpu, int cookie, Loc loc);
  bool ClearPending(int cpu, int cookie, Loc loc);  // true if it was set

  Machine& m_;
  spl::Spl* spl_;  // null: the core's mask is the IPL
  Policy policy_;
  Bugs bugs_;
  std::vector<Handler> handlers_;
  std::vector<std::unique_ptr<Shared<uint32_t>>> pending_;  // per CPU
  int line_[kSoftLevels];
  std::vector<std::unique_ptr<Shared<int>>> level_lock_;    // kOrdered
  int level_lock_id_[kSoftLevels];
  Shared<int> giant_owner_;  // CPU + 1, 0: free
  Shared<int> giant_depth_;
  int giant_id_;
};

}  // namespace smp::softint

#endif  // SMPFUZZ_TARGETS_SOFTINT_SOFTINT_H_
