// The race detector's release/acquire edge through a cell, within one
// execution and across the executions one detector serves (the Executor
// keeps one and calls Reset between them).
#include "core/race_detector.h"

#include <functional>
#include <string>

#include "core/cell.h"
#include "core/fiber.h"
#include "core/machine.h"
#include "gtest/gtest.h"
#include "schedulers/no_preemption.h"

namespace smp {
namespace {

// One execution with `races` attached (Reset first): thread "a" on CPU0
// runs to completion before thread "b" on CPU1 (no preemption).
Verdict RunOne(RaceDetector& races, const std::function<void(Machine&, Shared<int>& data,
                                                           Shared<int>& flag, bool a)>& body) {
  FiberPool pool;
  NoPreemptionScheduler none;
  Machine::Options o;
  o.num_cpus = 2;
  Machine m(pool, none, o);
  races.Reset();
  m.AddObserver(&races);
  Shared<int> data(m, "data"), flag(m, "flag");
  m.MarkAtomic(flag);
  m.AddThread("a", 0, [&] { body(m, data, flag, true); });
  m.AddThread("b", 1, [&] { body(m, data, flag, false); });
  return m.Run();
}

// a: data, release barrier, flag. b: flag, then data, with or without an
// acquire barrier between.
void Publish(Machine& m, Shared<int>& data, Shared<int>& flag, bool a, bool acquire) {
  if (a) {
    data.Store(1);
    m.Membar(Barrier::kRelease);
    flag.Store(1);
  } else {
    flag.Load();
    if (acquire) m.Membar(Barrier::kAcquire);
    data.Load();
  }
}

TEST(RaceDetector, AnAcquireBarrierAfterReadingTheFlagOrdersTheData) {
  RaceDetector races;
  const Verdict v = RunOne(races, [](Machine& m, Shared<int>& d, Shared<int>& f, bool a) {
    Publish(m, d, f, a, /*acquire=*/true);
  });
  EXPECT_TRUE(v.clean()) << v.message;
}

TEST(RaceDetector, WithoutTheAcquireBarrierTheDataRaces) {
  RaceDetector races;
  const Verdict v = RunOne(races, [](Machine& m, Shared<int>& d, Shared<int>& f, bool a) {
    Publish(m, d, f, a, /*acquire=*/false);
  });
  EXPECT_EQ(v.kind, VerdictKind::kDataRace) << v.message;
}

// A flag read in one execution with no acquire barrier after it must not
// order anything in the next: b's acquire barrier there has read nothing.
TEST(RaceDetector, AClockReadInOneExecutionIsNotAcquiredInTheNext) {
  RaceDetector races;
  Verdict v = RunOne(races, [](Machine& m, Shared<int>&, Shared<int>& f, bool a) {
    if (a) {
      m.Membar(Barrier::kRelease);  // the flag's store publishes a clock
      f.Store(1);
    } else {
      f.Load();
    }
  });
  ASSERT_TRUE(v.clean()) << v.message;
  v = RunOne(races, [](Machine& m, Shared<int>& d, Shared<int>& f, bool a) {
    if (a) {
      d.Store(1);  // before any release barrier of this execution
      m.Membar(Barrier::kRelease);
      f.Store(1);
    } else {
      m.Membar(Barrier::kAcquire);
      d.Load();
    }
  });
  EXPECT_EQ(v.kind, VerdictKind::kDataRace) << v.message;
}

// b's load of the data races with nothing (a only loaded it), but b's
// store after it races with a's load: b's own earlier, weaker access of
// the cell says nothing about its store. Fails if the check of an access
// is skipped because its context made the cell's last access.
TEST(RaceDetector, AStoreAfterTheContextsOwnLoadStillRacesWithAnotherContextsLoad) {
  RaceDetector races;
  const Verdict v = RunOne(races, [](Machine&, Shared<int>& d, Shared<int>&, bool a) {
    d.Load();
    if (!a) d.Store(1);
  });
  ASSERT_EQ(v.kind, VerdictKind::kDataRace) << v.message;
  EXPECT_NE(v.message.find("load by thread a"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("store by thread b"), std::string::npos) << v.message;
}

}  // namespace
}  // namespace smp
