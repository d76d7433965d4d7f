// lockdep on small hand-made scenarios: first under the no-preemption
// scheduler (one known execution each), then under random search.
#include "core/lockdep.h"

#include <memory>
#include <optional>
#include <string>

#include "core/cell.h"
#include "core/executor.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/no_preemption.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"

namespace smp {
namespace {

constexpr int kLevel = 5;

// A test-and-set lock that tells lockdep what it is and when it waits.
class TestLock {
 public:
  TestLock(Machine& m, const std::string& name, LockClass cls = {})
      : m_(m), word_(m, name + ".word"), id_(m.AddLock(name, word_)),
        lockdep_(Lockdep::Of(m)) {
    if (lockdep_ != nullptr) lockdep_->Declare(id_, cls);
  }
  void Lock(Loc loc = Loc::Here()) {
    if (lockdep_ != nullptr) lockdep_->Want(m_, id_, loc);
    while (!word_.Cas(0, 1, loc)) word_.SpinWhile(1, loc);
    m_.LockAcquired(id_, loc);
  }
  bool TryLock(Loc loc = Loc::Here()) {
    if (!word_.Cas(0, 1, loc)) return false;
    m_.LockTryAcquired(id_, loc);
    return true;
  }
  void Unlock(Loc loc = Loc::Here()) {
    m_.LockReleased(id_, loc);
    word_.Store(0, loc);
  }
  int id() const { return id_; }

 private:
  Machine& m_;
  Shared<int> word_;
  int id_;
  Lockdep* lockdep_;
};

template <typename S>
ScenarioSpec SpecOf(const char* variant, int cpus = 2) {
  ScenarioSpec spec;
  spec.target = "lockdep_test";
  spec.variant = variant;
  spec.num_cpus = cpus;
  spec.max_steps = 5000;
  spec.make = [](Machine& m) -> std::unique_ptr<Scenario> {
    return std::make_unique<S>(m);
  };
  return spec;
}

Verdict RunNoPreemption(const ScenarioSpec& spec, bool lockdep = true) {
  Executor executor(spec);
  executor.set_lockdep(lockdep);
  NoPreemptionScheduler none;
  return executor.Run(none).verdict;
}

SearchResult Search(const ScenarioSpec& spec, bool lockdep = true,
                    uint64_t runs = 2000) {
  SearchOptions o;
  o.seed = 4242;
  o.runs = runs;
  o.lockdep = lockdep;
  return RunSearch(spec, o);
}

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// ---------------------------------------------------------------------------
// Lock order

// CPU0 takes A then B; CPU1 takes B then A (or A then B when ordered).
struct Abba : Scenario {
  Abba(Machine& m, bool ordered) : a(m, "A"), b(m, "B") {
    m.AddThread("t0", 0, [this] { Both(a, b); });
    m.AddThread("t1", 1, [this, ordered] {
      if (ordered) {
        Both(a, b);
      } else {
        Both(b, a);
      }
    });
  }
  static void Both(TestLock& first, TestLock& second) {
    first.Lock();
    second.Lock();
    second.Unlock();
    first.Unlock();
  }
  TestLock a, b;
};
struct AbbaInverted : Abba {
  explicit AbbaInverted(Machine& m) : Abba(m, false) {}
};
struct AbbaOrdered : Abba {
  explicit AbbaOrdered(Machine& m) : Abba(m, true) {}
};

TEST(Lockdep, InversionIsReportedOnAnExecutionThatDidNotDeadlock) {
  const ScenarioSpec spec = SpecOf<AbbaInverted>("abba");
  EXPECT_TRUE(RunNoPreemption(spec, /*lockdep=*/false).clean());
  const Verdict v = RunNoPreemption(spec);
  EXPECT_EQ(v.kind, VerdictKind::kLockOrder) << v.message;
  EXPECT_EQ(v.signature, "lock-order [A>B] [B>A]");
  EXPECT_TRUE(Has(v.message, "'A' -> 'B': thread t0 on CPU0 acquired 'A' at "
                             "core/lockdep_test.cc:"))
      << v.message;
  EXPECT_TRUE(Has(v.message, "'B' -> 'A': thread t1 on CPU1 acquired 'B'"))
      << v.message;
  EXPECT_TRUE(Has(v.message, "CPU0")) << v.message;
  EXPECT_TRUE(Has(v.message, "CPU1")) << v.message;
  EXPECT_TRUE(Has(v.message, "*** DEADLOCK ***")) << v.message;
}

TEST(Lockdep, ReportIsDeterministic) {
  const ScenarioSpec spec = SpecOf<AbbaInverted>("abba");
  EXPECT_EQ(RunNoPreemption(spec).message, RunNoPreemption(spec).message);
}

// One checker for two executions, as the executor keeps it: Reset keeps
// the room of the classes and the graph, and none of their content.
TEST(Lockdep, ResetForgetsTheEdgesAndClassesOfTheLastExecution) {
  Lockdep lockdep;
  FiberPool pool;
  NoPreemptionScheduler none;
  const auto run = [&](bool ordered, bool adaptive) {
    lockdep.Reset();
    Machine m(pool, none, Machine::Options{});
    m.AddObserver(&lockdep);
    Abba abba(m, ordered);
    if (adaptive) lockdep.Declare(abba.a.id(), LockClass{LockKind::kAdaptive});
    EXPECT_TRUE(m.Run().clean());
    return lockdep.Predict(m);
  };
  std::optional<Verdict> v = run(/*ordered=*/false, /*adaptive=*/true);
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->signature, "lock-order [A>B] [B>A]");
  // Undeclared, a lock is a spin lock again: a handler may take it.
  Machine m(pool, none, Machine::Options{});
  lockdep.Reset();
  m.AddObserver(&lockdep);
  Shared<int> word(m, "A.word");
  const int a = m.AddLock("A", word);  // not declared
  m.AddThread("t", 0, [&m] { m.Yield(); });
  const int line = m.AddLine("dev", kLevel, [&m, a] {
    m.LockAcquired(a);
    m.LockReleased(a);
  });
  m.AddSource(line, 1, 1);
  EXPECT_TRUE(m.Run().clean());
  EXPECT_FALSE(lockdep.Predict(m).has_value());
  // The inverted order of the first execution is forgotten.
  EXPECT_FALSE(run(/*ordered=*/true, /*adaptive=*/false).has_value());
}

TEST(Lockdep, AnActualDeadlockKeepsItsDeadlockVerdict) {
  const ScenarioSpec spec = SpecOf<AbbaInverted>("abba");
  const SearchResult off = Search(spec, /*lockdep=*/false);
  ASSERT_EQ(off.findings.size(), 1u);
  ASSERT_EQ(off.findings[0].verdict.kind, VerdictKind::kDeadlock);
  Executor executor(spec);
  ReplayScheduler replay(off.findings[0].picks, off.findings[0].seed);
  EXPECT_EQ(executor.Run(replay).verdict.kind, VerdictKind::kDeadlock);
}

TEST(Lockdep, ConsistentOrderIsSilent) {
  const SearchResult r = Search(SpecOf<AbbaOrdered>("ordered"));
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].verdict.message;
}

// Three CPUs, three locks, each CPU takes its pair: a cycle of length 3.
struct Ring : Scenario {
  explicit Ring(Machine& m) : a(m, "A"), b(m, "B"), c(m, "C") {
    m.AddThread("t0", 0, [this] { Abba::Both(a, b); });
    m.AddThread("t1", 1, [this] { Abba::Both(b, c); });
    m.AddThread("t2", 2, [this] { Abba::Both(c, a); });
  }
  TestLock a, b, c;
};

TEST(Lockdep, LongerCyclesGetOneColumnPerCpu) {
  const Verdict v = RunNoPreemption(SpecOf<Ring>("ring", 3));
  EXPECT_EQ(v.kind, VerdictKind::kLockOrder);
  EXPECT_EQ(v.signature, "lock-order [A>B] [B>C] [C>A]");
  EXPECT_TRUE(Has(v.message, "CPU2")) << v.message;
}

// Held locks are per CPU context stack: the handler that takes B while the
// thread it interrupted holds A orders A before B.
struct InterruptEdge : Scenario {
  explicit InterruptEdge(Machine& m) : m_(m), a(m, "A"), b(m, "B") {
    const int line = m.AddLine("dev", kLevel, [this] {
      b.Lock();
      b.Unlock();
    });
    m.AddThread("t0", 0, [this, line] {
      a.Lock();
      m_.SendIpi(0, line);  // delivered at t0's next scheduling point
      m_.Yield();
      a.Unlock();
    });
    m.AddThread("t1", 1, [this] {
      m_.SetMask(kLevel);  // B is IPL-safe: only A/B order is at stake
      Abba::Both(b, a);
      m_.SetMask(0);
    });
  }
  Machine& m_;
  TestLock a, b;
};

TEST(Lockdep, AHandlerInheritsTheLocksOfTheContextItInterrupted) {
  const Verdict v = RunNoPreemption(SpecOf<InterruptEdge>("intr_edge"));
  EXPECT_EQ(v.kind, VerdictKind::kLockOrder) << v.message;
  EXPECT_TRUE(Has(v.message, "intr dev (level 5) on CPU0, interrupting it, "
                             "acquired 'B'"))
      << v.message;
  EXPECT_TRUE(Has(v.message, "<interrupt dev, level 5>")) << v.message;
}

// The two inverted orders only ever happen under a common outer lock G:
// they cannot deadlock, and lockdep says nothing.
struct Gated : Scenario {
  explicit Gated(Machine& m) : g(m, "G"), a(m, "A"), b(m, "B") {
    m.AddThread("t0", 0, [this] { Under(a, b); });
    m.AddThread("t1", 1, [this] { Under(b, a); });
  }
  void Under(TestLock& first, TestLock& second) {
    g.Lock();
    Abba::Both(first, second);
    g.Unlock();
  }
  TestLock g, a, b;
};

TEST(Lockdep, ACycleAlwaysUnderOneGateLockIsSilent) {
  const SearchResult r = Search(SpecOf<Gated>("gated"));
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].verdict.message;
}

// The reverse order is only ever tried: a try-acquisition cannot wait.
struct TryReverse : Scenario {
  explicit TryReverse(Machine& m) : a(m, "A"), b(m, "B") {
    m.AddThread("t0", 0, [this] { Abba::Both(a, b); });
    m.AddThread("t1", 1, [this] {
      b.Lock();
      if (a.TryLock()) a.Unlock();
      b.Unlock();
    });
  }
  TestLock a, b;
};

TEST(Lockdep, TryAcquisitionsAddNoEdgeIntoTheLockTried) {
  const SearchResult r = Search(SpecOf<TryReverse>("try"));
  EXPECT_TRUE(r.findings.empty()) << r.findings[0].verdict.message;
}

// ---------------------------------------------------------------------------
// IPL safety

enum class Guard { kNone, kMask, kInterruptsOff, kSoftware };

// t0 on CPU0 holds L (guarded or not); later a level-5 handler on CPU1
// takes L.
struct IplCase : Scenario {
  IplCase(Machine& m, Guard guard) : m_(m), l(m, "L"), soft(m, "soft") {
    if (guard == Guard::kSoftware) {
      Lockdep::Of(m)->AddIplView(
          [this](int cpu) { return cpu == 0 ? soft.Peek() : 0u; });
    }
    const int line = m.AddLine("dev", kLevel, [this] {
      l.Lock();
      l.Unlock();
    });
    m.AddThread("t0", 0, [this, guard] {
      switch (guard) {
        case Guard::kNone: break;
        case Guard::kMask: m_.SetMask(kLevel); break;
        case Guard::kInterruptsOff: m_.DisableInterrupts(); break;
        case Guard::kSoftware: soft.Store(1u << kLevel); break;
      }
      l.Lock();
      l.Unlock();
      switch (guard) {
        case Guard::kNone: break;
        case Guard::kMask: m_.SetMask(0); break;
        case Guard::kInterruptsOff: m_.EnableInterrupts(); break;
        case Guard::kSoftware: soft.Store(0); break;
      }
    });
    m.AddThread("t1", 1, [this, line] { m_.SendIpi(1, line); });
  }
  Machine& m_;
  TestLock l;
  Shared<uint32_t> soft;
};
struct IplUnguarded : IplCase {
  explicit IplUnguarded(Machine& m) : IplCase(m, Guard::kNone) {}
};
struct IplMasked : IplCase {
  explicit IplMasked(Machine& m) : IplCase(m, Guard::kMask) {}
};
struct IplInterruptsOff : IplCase {
  explicit IplInterruptsOff(Machine& m) : IplCase(m, Guard::kInterruptsOff) {}
};
struct IplSoftware : IplCase {
  explicit IplSoftware(Machine& m) : IplCase(m, Guard::kSoftware) {}
};

TEST(Lockdep, LockTakenInAHandlerAndHeldWithItsLevelOpenIsIplUnsafe) {
  const Verdict v = RunNoPreemption(SpecOf<IplUnguarded>("ipl"));
  EXPECT_EQ(v.kind, VerdictKind::kIplUnsafe) << v.message;
  EXPECT_EQ(v.signature, "ipl-unsafe L level 5 intr dev");
  EXPECT_TRUE(Has(v.message, "taken in hard interrupt context at level 5: "
                             "intr dev (level 5) on CPU1 at core/lockdep_test.cc:"))
      << v.message;
  EXPECT_TRUE(Has(v.message, "held while level 5 was deliverable: thread t0 "
                             "on CPU0 (CPU mask 0, interrupts on) at "
                             "core/lockdep_test.cc:"))
      << v.message;
  EXPECT_TRUE(Has(v.message, "<interrupt dev, level 5>")) << v.message;
}

TEST(Lockdep, MaskInterruptsOffOrASoftwareLevelMakeItSafe) {
  EXPECT_TRUE(RunNoPreemption(SpecOf<IplMasked>("masked")).clean());
  EXPECT_TRUE(RunNoPreemption(SpecOf<IplInterruptsOff>("off")).clean());
  EXPECT_TRUE(RunNoPreemption(SpecOf<IplSoftware>("soft")).clean());
  EXPECT_TRUE(Search(SpecOf<IplMasked>("masked")).findings.empty());
}

// A CPU-owned recursive lock (kernel_lock): re-entered by its holder, taken
// in a handler and held at mask 0, and still nothing to report.
struct Recursive : Scenario {
  explicit Recursive(Machine& m)
      : m_(m), k(m, "K", LockClass{LockKind::kSpin, /*recursive=*/true}) {
    const int line = m.AddLine("dev", kLevel, [this] { Twice(); });
    m.AddThread("t0", 0, [this, line] {
      Twice();
      m_.SendIpi(1, line);
    });
  }
  void Twice() {
    k.Lock();
    m_.LockAcquired(k.id());  // a re-entry, annotated as the giant lock does
    m_.LockReleased(k.id());
    k.Unlock();
  }
  Machine& m_;
  TestLock k;
};

TEST(Lockdep, RecursiveLocksMayBeReenteredAndAreExemptFromIplChecks) {
  EXPECT_TRUE(RunNoPreemption(SpecOf<Recursive>("recursive")).clean());
}

// ---------------------------------------------------------------------------
// Misuse

enum class Misdeed {
  kRecurse, kReleaseUnheld, kParkHolding, kAdaptiveInIntr, kEndHolding
};

struct MisuseCase : Scenario {
  MisuseCase(Machine& m, Misdeed what)
      : m_(m),
        l(m, "L", LockClass{what == Misdeed::kAdaptiveInIntr
                                ? LockKind::kAdaptive
                                : LockKind::kSpin}),
        chan_(m.AddChannel("chan")) {
    const int line = m.AddLine("dev", kLevel, [this] {
      l.Lock();
      l.Unlock();
    });
    m.AddThread("t0", 0, [this, what, line] {
      switch (what) {
        case Misdeed::kRecurse:
          l.Lock();
          l.Lock();
          break;
        case Misdeed::kReleaseUnheld:
          l.Unlock();
          break;
        case Misdeed::kParkHolding:
          l.Lock();
          m_.Park(chan_);
          break;
        case Misdeed::kAdaptiveInIntr:
          m_.SendIpi(0, line);
          m_.Yield();
          break;
        case Misdeed::kEndHolding:
          l.Lock();
          break;
      }
    });
  }
  Machine& m_;
  TestLock l;
  int chan_;
};

template <Misdeed kWhat>
struct Misdoing : MisuseCase {
  explicit Misdoing(Machine& m) : MisuseCase(m, kWhat) {}
};

Verdict Misused(const ScenarioSpec& spec) {
  const Verdict v = RunNoPreemption(spec);
  EXPECT_EQ(v.kind, VerdictKind::kLockMisuse) << v.message;
  return v;
}

TEST(Lockdep, RecursionOnANonRecursiveLockIsMisuseBeforeItSpins) {
  const ScenarioSpec spec = SpecOf<Misdoing<Misdeed::kRecurse>>("recurse");
  const Verdict v = Misused(spec);
  EXPECT_TRUE(Has(v.signature, "lock-misuse recursion L @core/lockdep_test.cc:"))
      << v.signature;
  EXPECT_TRUE(Has(v.message, "locking against myself")) << v.message;
  // Without lockdep the same execution spins on itself.
  EXPECT_EQ(RunNoPreemption(spec, false).kind, VerdictKind::kDeadlock);
}

TEST(Lockdep, ReleasingALockNotHeldIsMisuse) {
  const Verdict v = Misused(SpecOf<Misdoing<Misdeed::kReleaseUnheld>>("unheld"));
  EXPECT_TRUE(Has(v.signature, "lock-misuse release-not-held L")) << v.signature;
}

TEST(Lockdep, ParkingWhileHoldingASpinLockIsMisuse) {
  const Verdict v = Misused(SpecOf<Misdoing<Misdeed::kParkHolding>>("park"));
  EXPECT_TRUE(Has(v.signature, "lock-misuse park-holding-spin L")) << v.signature;
}

TEST(Lockdep, AnAdaptiveLockInAHardInterruptIsMisuse) {
  const Verdict v =
      Misused(SpecOf<Misdoing<Misdeed::kAdaptiveInIntr>>("adaptive"));
  EXPECT_TRUE(Has(v.signature, "lock-misuse adaptive-in-intr L")) << v.signature;
  EXPECT_TRUE(Has(v.message, "intr dev (level 5) on CPU0")) << v.message;
}

TEST(Lockdep, EndingAContextWithALockHeldIsMisuse) {
  const Verdict v = Misused(SpecOf<Misdoing<Misdeed::kEndHolding>>("end"));
  EXPECT_TRUE(Has(v.signature, "lock-misuse ended-holding L")) << v.signature;
}

// ---------------------------------------------------------------------------
// Wiring

struct Probe : Scenario {
  explicit Probe(Machine& m) { found = Lockdep::Of(m) != nullptr; }
  static inline bool found = false;
};

TEST(Lockdep, ExecutorAttachesItUnlessSwitchedOff) {
  const ScenarioSpec spec = SpecOf<Probe>("probe");
  Executor executor(spec);
  NoPreemptionScheduler none;
  executor.Run(none);
  EXPECT_TRUE(Probe::found);
  executor.set_lockdep(false);
  executor.Run(none);
  EXPECT_FALSE(Probe::found);
}

}  // namespace
}  // namespace smp
