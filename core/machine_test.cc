#include "core/machine.h"

#include <functional>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/fiber.h"
#include "gtest/gtest.h"
#include "schedulers/no_preemption.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/replay_scheduler.h"

namespace smp {
namespace {

// Runs one execution: `build` declares the workload on the machine and may
// return state that must live as long as the execution.
struct Outcome {
  Verdict verdict;
  std::string trace;
  std::vector<uint32_t> picks;
};

Outcome Execute(Scheduler& s, int cpus, const std::function<void(Machine&)>& build,
            uint64_t max_steps = 10000) {
  FiberPool pool;
  Machine::Options o;
  o.num_cpus = cpus;
  o.record = true;
  o.max_steps = max_steps;
  Machine m(pool, s, o);
  build(m);
  Outcome r;
  r.verdict = m.Run();
  r.picks = m.picks();
  r.trace = m.TakeTrace().RenderText();
  return r;
}

TEST(Machine, NoPreemptionRunsThreadsToCompletion) {
  NoPreemptionScheduler s;
  std::vector<int> order;
  std::unique_ptr<Shared<int>> x;
  Outcome r = Execute(s, 2, [&](Machine& m) {
    x = std::make_unique<Shared<int>>(m, "x");
    m.AddThread("a", 0, [&] {
      x->Store(1);
      order.push_back(1);
      x->Store(2);
      order.push_back(2);
    });
    m.AddThread("b", 1, [&] {
      x->Store(3);  // (code before a thread's first point runs at start)
      order.push_back(3);
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean) << r.verdict.message;
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(x->Peek(), 3);
}

TEST(Machine, MaskedInterruptWaitsUntilUnmasked) {
  NoPreemptionScheduler s;
  std::vector<std::string> log;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    const int line = m.AddLine("dev", 5, [&] { log.push_back("handler"); });
    m.AddThread("t", 0, [&, line] {
      m.SetMask(5);
      m.SendIpi(0, line);  // pending, but masked at 5
      log.push_back("masked work");
      m.Yield();
      m.SetMask(0);        // now deliverable at the next point
      m.Yield();
      log.push_back("after");
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean) << r.verdict.message;
  EXPECT_EQ(log, (std::vector<std::string>{"masked work", "handler", "after"}));
}

TEST(Machine, DisabledInterruptsBlockDelivery) {
  NoPreemptionScheduler s;
  std::vector<std::string> log;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    const int line = m.AddLine("dev", 3, [&] { log.push_back("handler"); });
    m.AddThread("t", 0, [&, line] {
      m.DisableInterrupts();
      m.SendIpi(0, line);
      m.Yield();
      log.push_back("off");
      m.EnableInterrupts();
      m.Yield();
      log.push_back("on");
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean);
  EXPECT_EQ(log, (std::vector<std::string>{"off", "handler", "on"}));
}

TEST(Machine, HandlersNestByLevel) {
  NoPreemptionScheduler s;
  std::vector<std::string> log;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    int high = -1, low = -1;
    high = m.AddLine("high", 6, [&] {
      log.push_back("high");
      SMP_ASSERT(m, m.context_level() == 6, "runs at its level");
    });
    low = m.AddLine("low", 2, [&] { log.push_back("low"); });
    const int mid = m.AddLine("mid", 4, [&, high, low] {
      log.push_back("mid in");
      EXPECT_EQ(m.mask(), 4);
      m.SendIpi(0, low);   // below the running handler: waits
      m.SendIpi(0, high);  // above it: nests at the next point
      m.Yield();
      log.push_back("mid out");
    });
    m.AddThread("t", 0, [&, mid] {
      m.SendIpi(0, mid);
      m.Yield();
      log.push_back("thread");
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean) << r.verdict.message;
  EXPECT_EQ(log, (std::vector<std::string>{"mid in", "high", "mid out", "low",
                                           "thread"}));
}

TEST(Machine, InterruptLeftPendingUnderRaisedMaskIsALostInterrupt) {
  NoPreemptionScheduler s;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    const int line = m.AddLine("clock", 4, [] {});
    m.AddThread("t", 0, [&, line] {
      m.SetMask(7);  // and never lowered again
      m.SendIpi(0, line);
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kLostWakeup);
  EXPECT_NE(r.verdict.message.find("line 'clock'"), std::string::npos)
      << r.verdict.message;
  EXPECT_EQ(r.verdict.signature, "lost-interrupt clock");
}

TEST(Machine, IpiRunsHandlerOnTheTargetCpu) {
  NoPreemptionScheduler s;
  int ran_on = -1;
  Outcome r = Execute(s, 2, [&](Machine& m) {
    const int line = m.AddLine("ipi", 8, [&] { ran_on = m.cpu(); });
    m.AddThread("t", 0, [&, line] { m.SendIpi(1, line); });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean);
  EXPECT_EQ(ran_on, 1);
}

TEST(Machine, SourceFiresExactlyCountTimes) {
  RandomScheduler s(3);
  int handled = 0;
  Outcome r = Execute(s, 2, [&](Machine& m) {
    const int line = m.AddLine("nic", 5, [&] { ++handled; });
    m.AddSource(line, 3, 0b11);
    m.AddThread("t", 0, [&] {
      for (int i = 0; i < 5; ++i) m.Yield();
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean);
  // Edge-like lines coalesce while pending on one CPU: 1..3 deliveries.
  EXPECT_GE(handled, 1);
  EXPECT_LE(handled, 3);
}

TEST(Machine, UnparkWithNobodyParkedIsLost) {
  NoPreemptionScheduler s;
  Outcome r = Execute(s, 2, [&](Machine& m) {
    const int ch = m.AddChannel("done");
    m.AddThread("waker", 0, [&, ch] { m.Unpark(ch); });
    m.AddThread("sleeper", 1, [&, ch] { m.Park(ch); });
  });
  ASSERT_EQ(r.verdict.kind, VerdictKind::kLostWakeup);
  EXPECT_NE(r.verdict.message.find("came before it parked"), std::string::npos)
      << r.verdict.message;
}

TEST(Machine, ParkWhileDoesNotSleepWhenTheConditionAlreadyChanged) {
  NoPreemptionScheduler s;
  std::unique_ptr<Shared<int>> flag;
  Outcome r = Execute(s, 2, [&](Machine& m) {
    flag = std::make_unique<Shared<int>>(m, "flag");
    const int ch = m.AddChannel("done");
    m.AddThread("waker", 0, [&, ch] {
      flag->Store(1);
      m.Unpark(ch);
    });
    m.AddThread("sleeper", 1, [&, ch] {
      while (flag->Load() == 0) m.ParkWhile(ch, *flag, 0);
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean) << r.verdict.message;
}

TEST(Machine, SpinWhileWakesWhenTheCellChanges) {
  NoPreemptionScheduler s;
  std::unique_ptr<Shared<int>> go;
  Outcome r = Execute(s, 2, [&](Machine& m) {
    go = std::make_unique<Shared<int>>(m, "go");
    m.AddThread("spinner", 0, [&] {
      while (go->Load() == 0) go->SpinWhile(0);
    });
    m.AddThread("setter", 1, [&] { go->Store(1); });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean) << r.verdict.message;
  EXPECT_NE(r.trace.find("spin while go == 0"), std::string::npos) << r.trace;
}

TEST(Machine, SpinningForeverIsADeadlock) {
  NoPreemptionScheduler s;
  std::unique_ptr<Shared<int>> go;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    go = std::make_unique<Shared<int>>(m, "go");
    m.AddThread("spinner", 0, [&] {
      while (go->Load() == 0) go->SpinWhile(0);
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kDeadlock);
  EXPECT_EQ(r.verdict.signature, "deadlock stuck [thread spinner on go]");
}

TEST(Machine, StepBudgetExhaustedIsAHang) {
  NoPreemptionScheduler s;
  Outcome r = Execute(
      s, 1,
      [&](Machine& m) {
        m.AddThread("loop", 0, [&] {
          for (;;) m.Yield();
        });
      },
      500);
  EXPECT_EQ(r.verdict.kind, VerdictKind::kHang);
  EXPECT_EQ(r.verdict.step, 501u);
}

TEST(Machine, AssertionNamesItsLocation) {
  NoPreemptionScheduler s;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    m.AddThread("t", 0, [&] {
      m.Yield();
      SMP_ASSERT(m, 1 + 1 == 3, "arithmetic");
    });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kAssertion);
  EXPECT_NE(r.verdict.signature.find("core/machine_test.cc:"), std::string::npos)
      << r.verdict.signature;
  EXPECT_NE(r.verdict.message.find("thread t on CPU0"), std::string::npos);
}

TEST(Machine, FinalCheckFailureIsAnAssertion) {
  NoPreemptionScheduler s;
  std::unique_ptr<Shared<int>> x;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    x = std::make_unique<Shared<int>>(m, "x");
    m.AddThread("t", 0, [&] { x->Store(1); });
    m.SetFinalCheck([&] { SMP_ASSERT(m, x->Peek() == 2, "x is two"); });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kAssertion);
  EXPECT_NE(r.verdict.message.find("final check"), std::string::npos);
}

TEST(Machine, MigratableThreadIsPlacedByTheScheduler) {
  // With two idle CPUs the scheduler chooses where the thread runs.
  std::vector<int> cpus_seen;
  for (uint32_t pick = 0; pick < 2; ++pick) {
    ReplayScheduler s({pick}, 0);
    int cpu = -1;
    Outcome r = Execute(s, 2, [&](Machine& m) {
      m.AddThread("roamer", kAnyCpu, [&] { cpu = m.cpu(); });
    });
    EXPECT_EQ(r.verdict.kind, VerdictKind::kClean);
    cpus_seen.push_back(cpu);
  }
  EXPECT_EQ(cpus_seen, (std::vector<int>{0, 1}));
}

std::function<void(Machine&)> Racy(std::unique_ptr<Shared<int>>* x) {
  return [x](Machine& m) {
    *x = std::make_unique<Shared<int>>(m, "counter");
    for (int t = 0; t < 3; ++t) {
      m.AddThread("t" + std::to_string(t), t, [&m, x] {
        for (int i = 0; i < 3; ++i) (*x)->Store((*x)->Load() + 1);
        m.Yield();
      });
    }
    const int line = m.AddLine("tick", 4, [x] { (*x)->FetchAdd(10); });
    m.AddSource(line, 2, 0b111);
  };
}

TEST(Machine, ReplayingPicksGivesAByteIdenticalTrace) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    RandomScheduler random(seed);
    std::unique_ptr<Shared<int>> x;
    Outcome first = Execute(random, 3, Racy(&x));
    ReplayScheduler replay(first.picks, 12345);
    Outcome again = Execute(replay, 3, Racy(&x));
    ASSERT_EQ(first.trace, again.trace) << "seed " << seed;
    ASSERT_EQ(replay.beyond(), 0u);
  }
}

TEST(Machine, TwoMachinesCoexist) {
  FiberPool pool_a, pool_b;
  NoPreemptionScheduler s;
  Machine::Options o;
  o.num_cpus = 1;
  Machine a(pool_a, s, o), b(pool_b, s, o);
  Shared<int> xa(a, "x"), xb(b, "x");
  a.AddThread("t", 0, [&] { xa.Store(1); });
  b.AddThread("t", 0, [&] { xb.Store(2); });
  EXPECT_TRUE(a.Run().clean());
  EXPECT_TRUE(b.Run().clean());
  EXPECT_EQ(xa.Peek(), 1);
  EXPECT_EQ(xb.Peek(), 2);
}

}  // namespace
}  // namespace smp
