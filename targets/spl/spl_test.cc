// The spl target: the primitives first under no preemption (one known
// execution each, checked from inside with SMP_ASSERT), then every
// registered scenario under the random scheduler with fixed seeds.
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/executor.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/no_preemption.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"
#include "targets/spl/hard_spl.h"
#include "targets/spl/ipl.h"
#include "targets/spl/lazy_spl.h"
#include "targets/testing/search_expectations.h"

namespace smp::spl {
namespace {

using target_testing::ExpectFinds;
using target_testing::ExpectSilent;
using target_testing::SpecOf;

// How long every correct variant must stay silent: 10 000 executions in
// the default test, 100 000 in the *_silence_test target (see BUILD.bazel
// and docs/targets.md).
#ifndef SMP_SILENT_RUNS
#define SMP_SILENT_RUNS 10000
#endif
constexpr uint64_t kSilentRuns = SMP_SILENT_RUNS;

// Runs `Body` (a Scenario constructible from Machine&) once under no
// preemption and returns the verdict.
template <typename Body>
Verdict RunOnce(int cpus = 2) {
  ScenarioSpec spec;
  spec.target = "spl_test";
  spec.variant = "unit";
  spec.num_cpus = cpus;
  spec.max_steps = 5000;
  spec.make = [](Machine& m) -> std::unique_ptr<Scenario> {
    return std::make_unique<Body>(m);
  };
  Executor executor(spec);
  NoPreemptionScheduler none;
  return executor.Run(none).verdict;
}

// ---------------------------------------------------------------------------
// Levels

TEST(Ipl, NetbsdLevelsAreAHierarchyAndHistoricalOnesAreNot) {
  EXPECT_EQ(MaskOf(IPL_VM), UpTo(kLevelVm));
  EXPECT_EQ(MaskOf(IPL_SCHED) & MaskOf(IPL_VM), MaskOf(IPL_VM));
  const SplTable netbsd = TableOf(SplNames::kNetbsd);
  EXPECT_EQ(netbsd.bio, MaskOf(IPL_VM));
  EXPECT_EQ(netbsd.net, MaskOf(IPL_VM));
  EXPECT_EQ(netbsd.clock, MaskOf(IPL_SCHED));
  const SplTable old = TableOf(SplNames::kHistorical);
  EXPECT_EQ(old.bio & Bit(kLevelNet), 0u) << "splbio does not block net";
  EXPECT_EQ(old.net & Bit(kLevelBio), 0u) << "splnet does not block bio";
  EXPECT_NE(old.tty & Bit(kLevelNet), 0u) << "spltty blocks net";
  EXPECT_EQ(old.imp & (Bit(kLevelBio) | Bit(kLevelNet) | Bit(kLevelTty)),
            Bit(kLevelBio) | Bit(kLevelNet) | Bit(kLevelTty));
  const SplTable ordered = TableOf(SplNames::kOrdered);
  EXPECT_NE(ordered.net & Bit(kLevelBio), 0u) << "ordered: splnet blocks bio";
  EXPECT_EQ(Highest(UpTo(kLevelSched)), kLevelSched);
  EXPECT_EQ(Highest(0), 0);
}

// ---------------------------------------------------------------------------
// Hardware masking

template <bool kLowers>
struct HardRaise : Scenario {
  explicit HardRaise(Machine& m)
      : spl(m, SplNames::kNetbsd, SplBugs{.raise_can_lower = kLowers}) {
    m.AddThread("t0", 0, [this, &m] {
      const SplMask s0 = spl.splsched();
      SMP_ASSERT(m, s0 == 0, "splsched returns the old level");
      const SplMask s1 = spl.splvm();
      SMP_ASSERT(m, s1 == UpTo(kLevelSched), "splvm returns splsched's level");
      SMP_ASSERT(m, m.mask() == kLevelSched, "splraise never lowers");
      spl.splx(s1);
      SMP_ASSERT(m, m.mask() == kLevelSched, "splx restores splsched");
      spl.splx(s0);
      SMP_ASSERT(m, m.mask() == 0, "splx restores IPL_NONE");
      spl.splhigh();
      SMP_ASSERT(m, spl.spl0() == UpTo(kLevelHigh), "spl0 returns the old level");
      SMP_ASSERT(m, m.mask() == 0, "spl0 lowers to IPL_NONE");
    });
  }
  HardSpl spl;
};

TEST(HardSpl, SplraiseNeverLowersAndSplxRestores) {
  const Verdict v = RunOnce<HardRaise<false>>();
  EXPECT_TRUE(v.clean()) << v.message;
}

TEST(HardSpl, TheRaiseCanLowerBugLowersTheMask) {
  const Verdict v = RunOnce<HardRaise<true>>();
  EXPECT_EQ(v.kind, VerdictKind::kAssertion);
  EXPECT_NE(v.message.find("splraise never lowers"), std::string::npos)
      << v.message;
}

// ---------------------------------------------------------------------------
// Lazy deferral

// t0 raises to splvm, sends its own CPU a disk interrupt, checks it was
// deferred, lowers, and checks it ran (or, with the no-replay bug, not).
template <bool kNoReplay>
struct LazyDefer : Scenario {
  explicit LazyDefer(Machine& m)
      : spl(m, SplNames::kNetbsd,
            LazySplOptions{.bugs = SplBugs{.splx_no_replay = kNoReplay}}),
        ran(m, "ran") {
    const int disk = spl.Establish("disk", kLevelBio, [this] {
      ran.Store(ran.Load() + 1);
    });
    m.AddThread("t0", 0, [this, &m, disk] {
      const SplMask s = spl.splvm();
      m.SendIpi(0, disk);
      m.Yield();
      SMP_ASSERT(m, ran.Load() == 0, "blocked: deferred, not run");
      SMP_ASSERT(m, spl.Pending(0) == (uint64_t{1} << disk), "recorded pending");
      SMP_ASSERT(m, m.mask() == 0, "the hardware mask stays low");
      spl.splx(s);
      SMP_ASSERT(m, ran.Load() == 1, "splx replays it");
      SMP_ASSERT(m, spl.Pending(0) == 0, "nothing left pending");
      SMP_ASSERT(m, spl.stats().deferred == 1 && spl.stats().replayed == 1,
                 "counted");
    });
  }
  LazySpl spl;
  Shared<int> ran;
};

TEST(LazySpl, DefersAnInterruptItsLevelBlocksAndReplaysItInSplx) {
  const Verdict v = RunOnce<LazyDefer<false>>();
  EXPECT_TRUE(v.clean()) << v.message;
}

TEST(LazySpl, TheNoReplayBugLeavesItPending) {
  const Verdict v = RunOnce<LazyDefer<true>>();
  EXPECT_EQ(v.kind, VerdictKind::kAssertion);
  EXPECT_NE(v.message.find("splx replays it"), std::string::npos) << v.message;
}

// Unordered levels: at splbio a network interrupt still runs; at splnet a
// disk interrupt is deferred only when the levels are ordered.
template <SplNames kNames>
struct Unordered : Scenario {
  explicit Unordered(Machine& m)
      : spl(m, kNames), disk_ran(m, "disk_ran"), net_ran(m, "net_ran") {
    const SplTable& t = spl.table();
    const int disk = spl.Establish("wd", kLevelBio, t.bio, [this] {
      disk_ran.Store(1);
    });
    const int net = spl.Establish("ne", kLevelNet, t.net, [this] {
      net_ran.Store(1);
    });
    m.AddThread("t0", 0, [this, &m, disk, net] {
      SplMask s = spl.splbio();
      m.SendIpi(0, net);
      m.Yield();
      SMP_ASSERT(m, net_ran.Load() == 1, "splbio does not block net");
      spl.splx(s);
      s = spl.splnet();
      m.SendIpi(0, disk);
      m.Yield();
      const bool ordered = kNames == SplNames::kOrdered;
      SMP_ASSERT(m, disk_ran.Load() == (ordered ? 0 : 1),
                 "splnet blocks bio iff the levels are ordered");
      spl.splx(s);
      SMP_ASSERT(m, disk_ran.Load() == 1, "and splx replays it");
    });
  }
  LazySpl spl;
  Shared<int> disk_ran, net_ran;
};

TEST(LazySpl, HistoricalSplbioAndSplnetAreUnordered) {
  Verdict v = RunOnce<Unordered<SplNames::kHistorical>>();
  EXPECT_TRUE(v.clean()) << v.message;
  v = RunOnce<Unordered<SplNames::kOrdered>>();
  EXPECT_TRUE(v.clean()) << v.message;
}

// ---------------------------------------------------------------------------
// The registered scenarios

std::vector<const ScenarioSpec*> Variants(bool bugs) {
  std::vector<const ScenarioSpec*> out;
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget("spl")) {
    if ((spec->expected != VerdictKind::kClean) == bugs) out.push_back(spec);
  }
  return out;
}

TEST(SplScenarios, EveryBugVariantIsFoundWithItsExactVerdict) {
  ASSERT_EQ(Variants(true).size(), 6u);
  for (const ScenarioSpec* spec : Variants(true)) {
    ExpectFinds(*spec, /*seed=*/20261123);
  }
}

std::vector<std::string> CorrectVariants() {
  std::vector<std::string> names;
  for (const ScenarioSpec* spec : Variants(false)) names.push_back(spec->variant);
  return names;
}

TEST(SplScenarios, CorrectVariantsAreTheDeclaredOnes) {
  EXPECT_EQ(CorrectVariants().size(), 5u);
}

// One test per correct variant, so the silence target can shard.
class Silent : public ::testing::TestWithParam<std::string> {};

TEST_P(Silent, ForEveryCorrectVariant) {
  ExpectSilent(SpecOf("spl", GetParam()), /*seed=*/7, kSilentRuns);
}

INSTANTIATE_TEST_SUITE_P(
    SplScenarios, Silent, ::testing::ValuesIn(CorrectVariants()),
    [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(SplScenarios, SplxWithoutReplayLosesTheDiskInterrupt) {
  const Finding f = ExpectFinds(SpecOf("spl", "splx_no_replay"), 1);
  EXPECT_NE(f.verdict.message.find("thread t0 parked on 'bufwait'"),
            std::string::npos)
      << f.verdict.message;
  // The trace shows the interrupt deferred and no replay.
  EXPECT_NE(f.trace_text.find("cas cpu0.ipending 0 -> "), std::string::npos);
}

TEST(SplScenarios, TheSplxWindowDefersAnInterruptAfterTheLastCheck) {
  const Finding f = ExpectFinds(SpecOf("spl", "splx_window"), 1);
  // After the pending check (with interrupts off) comes "interrupts on",
  // the deferral, and only then the lowering store.
  const size_t on = f.trace_text.rfind("thread t0: interrupts on");
  const size_t pend = f.trace_text.rfind("cas cpu0.ipending 0 -> ");
  const size_t lower = f.trace_text.rfind("thread t0: store cpu0.cpl = 0");
  ASSERT_NE(pend, std::string::npos) << f.trace_text;
  EXPECT_LT(on, pend) << f.trace_text;
  EXPECT_LT(pend, lower) << f.trace_text;
}

TEST(SplScenarios, ReplayGivesByteIdenticalTraces) {
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().ForTarget("spl")) {
    Executor executor(*spec);
    for (uint64_t i = 0; i < 200; ++i) {
      RandomScheduler random(ExecutionSeed(31, i));
      Trace first;
      const Execution e = executor.Run(random, 0, &first);
      ReplayScheduler replay(e.picks, 0);
      Trace second;
      executor.Run(replay, 0, &second);
      ASSERT_EQ(first.RenderText(), second.RenderText())
          << spec->name() << " execution " << i;
    }
  }
}

}  // namespace
}  // namespace smp::spl
