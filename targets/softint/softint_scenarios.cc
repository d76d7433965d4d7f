// The softint target's scenarios.
//
//   netisr / netisr_ordered       a NIC interrupt queues packets, a softnet
//                                 handler drains them (both policies)
//   one_item_per_run              the handler takes one packet per run
//   clear_after_run               the pending bit is cleared after the run
//   remote_handoff / remote_no_membar   work handed to another CPU's softint
//   giant_taken / giant_not_taken       non-MPSAFE handlers and kernel_lock
//   splx_dispatch_hard / _lazy    a thread at splsoftnet while packets
//                                 arrive: its splx dispatches softnet
//   splx_no_replay_softint        the lazy splx that forgets to replay
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/softint/softint.h"
#include "targets/spl/hard_spl.h"
#include "targets/spl/ipl.h"
#include "targets/spl/lazy_spl.h"

namespace smp::softint {
namespace {

constexpr int kNicLevel = 6;  // a hard level above every soft one

// A NIC interrupt on CPU0 enqueues a packet (three arrive) and schedules
// the softnet handler; the handler dequeues with the NIC masked (splnet)
// and delivers. Every packet must be delivered exactly once.
class Netisr : public Scenario {
 public:
  static constexpr int kPackets = 6;

  Netisr(Machine& m, Policy policy, Bugs bugs, bool one_per_run)
      : m_(m), si_(m, policy, bugs), queued_(m, "ipintrq.len"),
        delivered_(m, "delivered"), received_(m, "received") {
    cookie_ = si_.softint_establish(SOFTINT_NET, true, "ipintr", [this, one_per_run] {
      for (;;) {
        const int old = m_.mask();
        m_.SetMask(kNicLevel);  // splnet around the queue
        const int n = queued_.Load();
        if (n > 0) queued_.Store(n - 1);
        m_.SetMask(old);
        if (n == 0) break;
        delivered_.Store(delivered_.Load() + 1);
        if (one_per_run) break;
      }
    });
    const int nic = m.AddLine("fxp0", kNicLevel, [this] {
      // One packet per interrupt (assertions of the line that coalesce
      // while it is pending bring no packet of their own).
      received_.Store(received_.Load() + 1);
      queued_.Store(queued_.Load() + 1);
      si_.softint_schedule(cookie_);
    });
    m.AddSource(nic, kPackets, 0b1);
    m.AddThread("user", 0, [this] {
      for (int i = 0; i < 8; ++i) m_.Yield();
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, delivered_.Peek() == received_.Peek(), "every packet delivered once");
  }

 private:
  Machine& m_;
  Softints si_;
  int cookie_;
  Shared<int> queued_, delivered_, received_;
};

#define NETISR(Name, policy, bugs, one)                              \
  struct Name : Netisr {                                             \
    explicit Name(Machine& m) : Netisr(m, policy, bugs, one) {}      \
  }
NETISR(NetisrDisjoint, Policy::kDisjoint, Bugs{}, false);
NETISR(NetisrOrdered, Policy::kOrdered, Bugs{}, false);
NETISR(OnePerRun, Policy::kDisjoint, Bugs{}, true);
NETISR(ClearAfterRun, Policy::kDisjoint, (Bugs{true, false, false}), false);
#undef NETISR

SMP_SCENARIO(NetisrDisjoint, "softint", "netisr", VerdictKind::kClean, 2, 4000,
             "NIC interrupt queues packets, softnet drains them all");
SMP_SCENARIO(NetisrOrdered, "softint", "netisr_ordered", VerdictKind::kClean, 2,
             4000, "the same under the at-most-one-CPU-per-soft-level policy");
SMP_SCENARIO(OnePerRun, "softint", "one_item_per_run", VerdictKind::kAssertion, 2,
             4000, "the handler takes one packet per run: coalesced schedules "
                   "leave packets behind");
SMP_SCENARIO(ClearAfterRun, "softint", "clear_after_run", VerdictKind::kAssertion,
             2, 4000, "the pending bit is cleared after the handler ran: a "
                      "schedule during the run is lost");

// CPU0 hands a work item to CPU1's softint. The item must be visible
// before the pending bit is (membar_producer in softint_schedule_cpu).
class Remote : public Scenario {
 public:
  Remote(Machine& m, bool barrier)
      : m_(m), si_(m, Policy::kDisjoint, Bugs{false, !barrier, false}),
        work_(m, "work") {
    cookie_ = si_.softint_establish(SOFTINT_BIO, true, "biodone", [this] {
      m_.Membar(Barrier::kConsumer);
      SMP_ASSERT(m_, work_.Load() == 42, "the handed-over work is visible");
    });
    m.AddThread("requester", 0, [this] {
      work_.Store(42);
      si_.softint_schedule_cpu(cookie_, 1);
    });
    m.AddThread("idle", 1, [this] { m_.Yield(); });
  }

 private:
  Machine& m_;
  Softints si_;
  int cookie_;
  Shared<int> work_;
};
struct RemoteHandoff : Remote {
  explicit RemoteHandoff(Machine& m) : Remote(m, true) {}
};
struct RemoteNoMembar : Remote {
  explicit RemoteNoMembar(Machine& m) : Remote(m, false) {}
};
SMP_SCENARIO_MODEL(RemoteHandoff, "softint", "remote_handoff", VerdictKind::kClean,
                   2, 4000, MemoryModel::kPSO,
                   "work handed to another CPU's softint after membar_producer");
SMP_SCENARIO_MODEL(RemoteNoMembar, "softint", "remote_no_membar",
                   VerdictKind::kMembarMisuse, 2, 4000, MemoryModel::kPSO,
                   "the pending bit can become visible before the work");

// Two CPUs run a non-MPSAFE softclock handler that updates legacy state
// the giant lock is supposed to protect.
class Giant : public Scenario {
 public:
  Giant(Machine& m, bool taken)
      : m_(m), si_(m, Policy::kDisjoint, Bugs{false, false, !taken}),
        ticks_(m, "legacy_ticks"), runs0_(m, "runs.cpu0"), runs1_(m, "runs.cpu1") {
    cookie_ = si_.softint_establish(SOFTINT_CLOCK, false, "legacy_tick", [this] {
      Shared<int>& mine = m_.cpu() == 0 ? runs0_ : runs1_;  // this CPU's own
      mine.Store(mine.Load() + 1);
      ticks_.Store(ticks_.Load() + 1);  // shared: the giant lock's to protect
    });
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this] {
        for (int i = 0; i < 2; ++i) {
          si_.softint_schedule(cookie_);
          m_.Yield();
        }
      });
    }
  }
  void Check(Machine& m) override {
    // Coalescing may merge schedules, but every run that happened counts.
    SMP_ASSERT(m, ticks_.Peek() == runs0_.Peek() + runs1_.Peek(),
               "no tick lost between CPUs");
  }

 private:
  Machine& m_;
  Softints si_;
  int cookie_;
  Shared<int> ticks_, runs0_, runs1_;
};
struct GiantTaken : Giant {
  explicit GiantTaken(Machine& m) : Giant(m, true) {}
};
struct GiantNotTaken : Giant {
  explicit GiantNotTaken(Machine& m) : Giant(m, false) {}
};
SMP_SCENARIO(GiantTaken, "softint", "giant_taken", VerdictKind::kClean, 2, 4000,
             "non-MPSAFE softclock handlers run under kernel_lock");
SMP_SCENARIO(GiantNotTaken, "softint", "giant_not_taken", VerdictKind::kAssertion,
             2, 4000, "non-MPSAFE handlers run without kernel_lock on two CPUs");

// Dispatch from splx. A thread on CPU0 blocks softnet (splsoftnet) around
// its work while NIC interrupts (established through the spl, at IPL_NET)
// queue packets and schedule the softnet handler; the handler may not run
// while the thread's IPL blocks it, and the thread's splx must run it
// before returning. The queue is protected by splnet: the handler and the
// interrupt run on the same CPU.
template <typename SplImpl>
class SplxDispatch : public Scenario {
 public:
  static constexpr int kPackets = 3;

  SplxDispatch(Machine& m, spl::SplBugs bugs)
      : m_(m), spl_(MakeSpl(m, bugs)), si_(m, spl_),
        queued_(m, "ipintrq.len"), delivered_(m, "delivered"),
        received_(m, "received"), blocked_(m, "t0.softnet_blocked") {
    cookie_ = si_.softint_establish(SOFTINT_NET, true, "ipintr", [this] {
      SMP_ASSERT(m_, blocked_.Load() == 0,
                 "softnet ran while its CPU's IPL blocked it");
      for (;;) {
        const spl::SplMask s = spl_.splnet();
        const int n = queued_.Load();
        if (n > 0) queued_.Store(n - 1);
        spl_.splx(s);
        if (n == 0) break;
        delivered_.Store(delivered_.Load() + 1);
      }
    });
    const int nic = spl_.Establish("fxp0", spl::kLevelNet, [this] {
      received_.Store(received_.Load() + 1);
      queued_.Store(queued_.Load() + 1);
      si_.softint_schedule(cookie_);
    });
    m.AddSource(nic, kPackets, 0b1);
    m.AddThread("user", 0, [this] {
      for (int i = 0; i < 2; ++i) {
        const spl::SplMask s = spl_.splsoftnet();
        blocked_.Store(1);
        m_.Yield();
        m_.Yield();
        blocked_.Store(0);
        spl_.splx(s);
      }
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, delivered_.Peek() == received_.Peek(),
               "every packet delivered once: splx dispatched softnet");
  }

 private:
  static SplImpl MakeSpl(Machine& m, spl::SplBugs bugs);

  Machine& m_;
  SplImpl spl_;
  Softints si_;
  int cookie_;
  Shared<int> queued_, delivered_, received_, blocked_;
};

template <>
spl::HardSpl SplxDispatch<spl::HardSpl>::MakeSpl(Machine& m, spl::SplBugs bugs) {
  return spl::HardSpl(m, spl::SplNames::kNetbsd, bugs);
}
template <>
spl::LazySpl SplxDispatch<spl::LazySpl>::MakeSpl(Machine& m, spl::SplBugs bugs) {
  spl::LazySplOptions o;
  o.bugs = bugs;
  return spl::LazySpl(m, spl::SplNames::kNetbsd, o);
}

struct SplxDispatchHard : SplxDispatch<spl::HardSpl> {
  explicit SplxDispatchHard(Machine& m) : SplxDispatch(m, {}) {}
};
struct SplxDispatchLazy : SplxDispatch<spl::LazySpl> {
  explicit SplxDispatchLazy(Machine& m) : SplxDispatch(m, {}) {}
};
struct SplxNoReplaySoftint : SplxDispatch<spl::LazySpl> {
  explicit SplxNoReplaySoftint(Machine& m)
      : SplxDispatch(m, spl::SplBugs{false, true, false}) {}
};
SMP_SCENARIO(SplxDispatchHard, "softint", "splx_dispatch_hard", VerdictKind::kClean,
             2, 4000, "splx on the hardware mask lets pending softnet in");
SMP_SCENARIO(SplxDispatchLazy, "softint", "splx_dispatch_lazy", VerdictKind::kClean,
             2, 4000, "the lazy splx replays softnet deferred while cpl "
                      "blocked it");
SMP_SCENARIO(SplxNoReplaySoftint, "softint", "splx_no_replay_softint",
             VerdictKind::kAssertion, 2, 4000,
             "the lazy splx lowers cpl without replaying: a deferred "
             "softnet is lost");

}  // namespace
}  // namespace smp::softint
