// The spl target's scenarios. Each workload runs on the hardware-masking
// and the lazy implementation; each bug variant switches on one SplBugs
// flag (or, for unbalanced_splx, misuses the API in an error path) and
// declares the verdict it must produce.
//
//   counter_hard / counter_lazy          a counter shared by a thread and a
//   raise_lowers_hard / _lazy            clock handler, nested splsched +
//                                        splvm; the bug: splraise lowers
//   wakeup_hard / wakeup_lazy            a disk interrupt must wake the
//   splx_no_replay, splx_window,         thread waiting for its transfer;
//   unbalanced_splx                      the bugs lose that interrupt
//   historical_lazy /                    4.4BSD's unordered splbio/splnet:
//   historical_wrong_level               splnet does not block bio
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/spl/hard_spl.h"
#include "targets/spl/lazy_spl.h"
#include "targets/spl/spl.h"

namespace smp::spl {
namespace {

enum class Impl { kHard, kLazy };

std::unique_ptr<Spl> MakeSpl(Machine& m, Impl impl, SplNames names,
                             SplBugs bugs) {
  if (impl == Impl::kHard) return std::make_unique<HardSpl>(m, names, bugs);
  LazySplOptions options;
  options.bugs = bugs;
  return std::make_unique<LazySpl>(m, names, options);
}

// Nothing deferred may be left behind when everything has finished.
void CheckNothingPending(Machine& m, const Spl& spl) {
  const auto* lazy = dynamic_cast<const LazySpl*>(&spl);
  if (lazy == nullptr) return;
  for (int k = 0; k < m.num_cpus(); ++k) {
    SMP_ASSERT(m, lazy->Pending(k) == 0,
               "every deferred interrupt was replayed");
  }
}

// ---------------------------------------------------------------------------
// A counter shared by a thread and a clock handler on CPU0. The thread
// holds splsched around the update and calls a helper that raises to splvm
// on its own (a routine that does not know its caller's level): splraise
// must not lower, or the clock handler can run between the load and the
// store.
class Counter : public Scenario {
 public:
  static constexpr int kRounds = 2;
  static constexpr int kTicks = 2;

  Counter(Machine& m, Impl impl, SplBugs bugs)
      : spl_(MakeSpl(m, impl, SplNames::kNetbsd, bugs)),
        counter_(m, "counter"),
        ticks_(m, "ticks") {
    const int clock = spl_->Establish("clock", kLevelSched, [this] {
      counter_.Store(counter_.Load() + 1);
      ticks_.Store(ticks_.Load() + 1);
    });
    m.AddSource(clock, kTicks, 0b1);
    m.AddThread("t0", 0, [this] {
      for (int i = 0; i < kRounds; ++i) {
        const SplMask s = spl_->splsched();
        BumpVm();
        spl_->splx(s);
      }
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, counter_.Peek() == kRounds + ticks_.Peek(),
               "no increment of the counter is lost");
    CheckNothingPending(m, *spl_);
  }

 private:
  void BumpVm() {
    const SplMask s = spl_->splvm();
    counter_.Store(counter_.Load() + 1);
    spl_->splx(s);
  }

  std::unique_ptr<Spl> spl_;
  Shared<int> counter_, ticks_;
};

template <Impl kImpl, bool kBug>
struct CounterVariant : Counter {
  explicit CounterVariant(Machine& m)
      : Counter(m, kImpl, SplBugs{.raise_can_lower = kBug}) {}
};

using CounterHard = CounterVariant<Impl::kHard, false>;
using CounterLazy = CounterVariant<Impl::kLazy, false>;
using RaiseLowersHard = CounterVariant<Impl::kHard, true>;
using RaiseLowersLazy = CounterVariant<Impl::kLazy, true>;

SMP_SCENARIO(CounterHard, "spl", "counter_hard",
             VerdictKind::kClean, 2, 4000,
             "thread at splsched + splvm vs clock handler, hardware masking");
SMP_SCENARIO(CounterLazy, "spl", "counter_lazy",
             VerdictKind::kClean, 2, 4000,
             "thread at splsched + splvm vs clock handler, lazy spl");
SMP_SCENARIO(RaiseLowersHard, "spl", "raise_lowers_hard",
             VerdictKind::kAssertion, 2, 4000,
             "splraise(IPL_VM) at splsched lowers the mask: the clock handler "
             "lands inside the update");
SMP_SCENARIO(RaiseLowersLazy, "spl", "raise_lowers_lazy",
             VerdictKind::kAssertion, 2, 4000,
             "splraise(IPL_VM) at splsched lowers cpl: the clock handler lands "
             "inside the update");

// ---------------------------------------------------------------------------
// biowait: the thread starts a transfer under splbio and sleeps until the
// disk's completion interrupt (on its CPU) marks it done and wakes it. The
// disk (a thread on CPU1 standing for the device) interrupts CPU0 at some
// point after the request is posted. The first start attempt finds the
// device busy and takes the error path.
class Wakeup : public Scenario {
 public:
  Wakeup(Machine& m, Impl impl, SplBugs bugs, bool unbalanced)
      : m_(m),
        spl_(MakeSpl(m, impl, SplNames::kNetbsd, bugs)),
        unbalanced_(unbalanced),
        req_(m, "req"),
        done_(m, "done"),
        queued_(m, "queued"),
        chan_(m.AddChannel("bufwait")) {
    line_ = spl_->Establish("disk", kLevelBio, [this] {
      if (req_.Load() != 1) return;
      req_.Store(2);
      queued_.Store(queued_.Load() - 1);
      done_.Store(1);
      m_.Unpark(chan_);
    });
    m.AddThread("t0", 0, [this] {
      for (int attempt = 0; !Start(attempt); ++attempt) {
      }
      while (done_.Load() == 0) m_.ParkWhile(chan_, done_, 0);
    });
    m.AddThread("disk", 1, [this] {
      while (req_.Load() == 0) req_.SpinWhile(0);
      m_.SendIpi(0, line_);
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, done_.Peek() == 1 && queued_.Peek() == 0,
               "the transfer completed");
    CheckNothingPending(m, *spl_);
  }

 private:
  bool Start(int attempt) {
    const SplMask s = spl_->splbio();
    if (attempt == 0) {  // EBUSY
      if (!unbalanced_) spl_->splx(s);  // the bug forgets this one
      return false;
    }
    queued_.Store(queued_.Load() + 1);
    req_.Store(1);
    spl_->splx(s);
    return true;
  }

  Machine& m_;
  std::unique_ptr<Spl> spl_;
  const bool unbalanced_;
  Shared<int> req_, done_, queued_;
  const int chan_;
  int line_ = -1;
};

struct WakeupHard : Wakeup {
  explicit WakeupHard(Machine& m) : Wakeup(m, Impl::kHard, {}, false) {}
};
struct WakeupLazy : Wakeup {
  explicit WakeupLazy(Machine& m) : Wakeup(m, Impl::kLazy, {}, false) {}
};
struct SplxNoReplay : Wakeup {
  explicit SplxNoReplay(Machine& m)
      : Wakeup(m, Impl::kLazy, SplBugs{.splx_no_replay = true}, false) {}
};
struct SplxWindow : Wakeup {
  explicit SplxWindow(Machine& m)
      : Wakeup(m, Impl::kLazy, SplBugs{.splx_check_then_lower = true}, false) {}
};
struct UnbalancedSplx : Wakeup {
  explicit UnbalancedSplx(Machine& m) : Wakeup(m, Impl::kHard, {}, true) {}
};

SMP_SCENARIO(WakeupHard, "spl", "wakeup_hard", VerdictKind::kClean, 2, 4000,
             "biowait under splbio, disk interrupt wakes it; hardware masking");
SMP_SCENARIO(WakeupLazy, "spl", "wakeup_lazy", VerdictKind::kClean, 2, 4000,
             "biowait under splbio, disk interrupt wakes it; lazy spl replays "
             "the deferred interrupt in splx");
SMP_SCENARIO(SplxNoReplay, "spl", "splx_no_replay", VerdictKind::kLostWakeup,
             2, 4000,
             "lazy splx lowers cpl without replaying: the deferred disk "
             "interrupt is lost and the thread never wakes");
SMP_SCENARIO(SplxWindow, "spl", "splx_window", VerdictKind::kLostWakeup, 2,
             4000,
             "lazy splx checks pending, enables interrupts, then lowers: an "
             "interrupt in between is deferred and never replayed");
SMP_SCENARIO(UnbalancedSplx, "spl", "unbalanced_splx",
             VerdictKind::kLostWakeup, 2, 4000,
             "the EBUSY error path returns without splx: the IPL stays at "
             "splbio and the completion interrupt is never taken");

// ---------------------------------------------------------------------------
// 4.4BSD's unordered levels (lazy spl, the only one that can keep them
// unordered): a thread updates a disk counter and a network counter, each
// shared with its device's handler, under the level of that device. Using
// splnet for the disk counter is the historical mistake: splnet does not
// block bio.
class Classes : public Scenario {
 public:
  Classes(Machine& m, bool wrong_level)
      : spl_(MakeSpl(m, Impl::kLazy, SplNames::kHistorical, {})),
        bio_count_(m, "bio_count"),
        net_count_(m, "net_count"),
        bio_intrs_(m, "bio_intrs"),
        net_intrs_(m, "net_intrs") {
    const int wd = spl_->Establish("wd", kLevelBio, spl_->table().bio, [this] {
      bio_count_.Store(bio_count_.Load() + 1);
      bio_intrs_.Store(bio_intrs_.Load() + 1);
    });
    const int ne = spl_->Establish("ne", kLevelNet, spl_->table().net, [this] {
      net_count_.Store(net_count_.Load() + 1);
      net_intrs_.Store(net_intrs_.Load() + 1);
    });
    m.AddSource(wd, 2, 0b1);
    m.AddSource(ne, 2, 0b1);
    m.AddThread("t0", 0, [this, wrong_level] {
      for (int i = 0; i < 2; ++i) {
        SplMask s = wrong_level ? spl_->splnet() : spl_->splbio();
        bio_count_.Store(bio_count_.Load() + 1);
        spl_->splx(s);
        s = spl_->splnet();
        net_count_.Store(net_count_.Load() + 1);
        spl_->splx(s);
      }
    });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, bio_count_.Peek() == 2 + bio_intrs_.Peek(),
               "no disk count is lost");
    SMP_ASSERT(m, net_count_.Peek() == 2 + net_intrs_.Peek(),
               "no network count is lost");
    CheckNothingPending(m, *spl_);
  }

 private:
  std::unique_ptr<Spl> spl_;
  Shared<int> bio_count_, net_count_, bio_intrs_, net_intrs_;
};

struct Historical : Classes {
  explicit Historical(Machine& m) : Classes(m, false) {}
};
struct HistoricalWrongLevel : Classes {
  explicit HistoricalWrongLevel(Machine& m) : Classes(m, true) {}
};

SMP_SCENARIO(Historical, "spl", "historical_lazy", VerdictKind::kClean, 2,
             4000,
             "4.4BSD unordered splbio/splnet, each protecting its class");
SMP_SCENARIO(HistoricalWrongLevel, "spl", "historical_wrong_level",
             VerdictKind::kAssertion, 2, 4000,
             "disk counter updated under splnet: unordered levels, so the "
             "disk interrupt still lands in the update");

}  // namespace
}  // namespace smp::spl
