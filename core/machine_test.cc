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

// A cell registered with a namer (hw/'s) is named once, when its name is
// first read, and the trace shows that name.
int g_namer_calls = 0;
std::string CountingNamer(const CellBase&) {
  ++g_namer_calls;
  return "lazy.field";
}
class LazyCell : public CellBase {
 public:
  explicit LazyCell(Machine& m) : CellBase(m, &CountingNamer, 0) {}
};

TEST(Machine, ACellWithANamerIsNamedOnceWhenItsNameIsFirstRead) {
  g_namer_calls = 0;
  FiberPool pool;
  NoPreemptionScheduler s;
  Machine::Options o;
  o.num_cpus = 1;
  o.record = true;
  Machine m(pool, s, o);
  LazyCell c(m);
  Shared<int> eager(m, "eager");
  m.AddThread("t", 0, [&] {
    m.Store(c, 7, Loc::Here());
    eager.Store(1);
  });
  EXPECT_TRUE(m.Run().clean());
  EXPECT_EQ(g_namer_calls, 0);
  EXPECT_EQ(m.cell_name(eager.id()), "eager");
  EXPECT_EQ(m.cell_name(c.id()), "lazy.field");
  EXPECT_EQ(m.cell_name(c.id()), "lazy.field");
  EXPECT_EQ(g_namer_calls, 1);
  const std::string text = m.TakeTrace().RenderText();
  EXPECT_NE(text.find("store lazy.field = 7"), std::string::npos) << text;
  EXPECT_EQ(g_namer_calls, 1);
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

// A TSO workload that leaves every container a Machine::Storage keeps
// non-empty when it ends: buffered stores, a spinner, handler contexts, a
// migratable thread, and (with `fail`) a thread abandoned by an assertion
// and one spinning when it ends.
struct Busy {
  std::unique_ptr<Shared<int>> x, y, flag, never;
  void Declare(Machine& m, bool fail) {
    x = std::make_unique<Shared<int>>(m, "x");
    y = std::make_unique<Shared<int>>(m, "y");
    flag = std::make_unique<Shared<int>>(m, "flag");
    m.AddLock("l", *flag);
    m.AddChannel("c");
    m.AddThread("a", 0, [this, &m, fail] {
      x->Store(1);
      y->Store(2);
      m.SpinWhile(*flag, 0);
      SMP_ASSERT(m, !fail, "stop with stores buffered");
      m.Yield();
    });
    m.AddThread("b", 1, [this, &m] {
      y->Store(3);
      flag->Store(1);
      x->Store(4);
    });
    m.AddThread("c", kAnyCpu, [this] { (void)x->Load(); });
    if (fail) {
      never = std::make_unique<Shared<int>>(m, "never");
      m.AddThread("d", 1, [this, &m] { m.SpinWhile(*never, 0); });
    }
    const int line = m.AddLine("dev", 5, [this] { y->FetchAdd(1); });
    m.AddSource(line, 2, 0b11);
  }
};

Outcome ExecuteBusy(FiberPool& pool, Machine::Storage* storage, int cpus,
                    uint64_t seed, bool fail) {
  RandomScheduler random(seed);
  Machine::Options o;
  o.num_cpus = cpus;
  o.record = true;
  o.memory_model = MemoryModel::kTSO;
  Busy busy;
  Outcome r;
  Machine m(pool, random, o, storage);
  busy.Declare(m, fail);
  r.verdict = m.Run();
  r.picks = m.picks();
  r.trace = m.TakeTrace().RenderText();
  return r;
}

TEST(Machine, AMachineOnTheRoomAnotherLeftRunsAsAFreshOne) {
  FiberPool pool;
  Machine::Storage storage;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    const Outcome fresh = ExecuteBusy(pool, nullptr, 2, seed, false);
    // Before it on the same storage: a failed run, and one with more CPUs.
    (void)ExecuteBusy(pool, &storage, 2, seed + 100, true);
    (void)ExecuteBusy(pool, &storage, 3, seed + 200, false);
    const Outcome reused = ExecuteBusy(pool, &storage, 2, seed, false);
    ASSERT_EQ(fresh.trace, reused.trace) << "seed " << seed;
    ASSERT_EQ(fresh.picks, reused.picks) << "seed " << seed;
    ASSERT_EQ(fresh.verdict.signature, reused.verdict.signature);
  }
}

// Issue 19, item 7: an splx to a value saved below the handler's own level
// is reported where it happens, naming the handler, its level and the line.
TEST(Machine, HandlerLoweringTheMaskBelowItsLevelIsReportedAtTheLine) {
  NoPreemptionScheduler s;
  std::unique_ptr<Shared<int>> x;
  int line = 0;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    x = std::make_unique<Shared<int>>(m, "x");
    const int dev = m.AddLine("dev", 5, [&m, &x, &line] {
      line = __LINE__ + 1;
      m.SetMask(0);  // the saved value of a thread, not this handler's
      x->Store(2);
    });
    m.AddSource(dev, 1, 0b1);
    m.AddThread("t", 0, [&] { x->Store(1); });
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kLockMisuse) << r.verdict.message;
  EXPECT_NE(r.verdict.message.find("intr dev (level 5)"), std::string::npos)
      << r.verdict.message;
  EXPECT_NE(r.verdict.message.find("machine_test.cc:" + std::to_string(line)),
            std::string::npos)
      << r.verdict.message;
}

// Raising and restoring within a handler is not a misuse.
TEST(Machine, HandlerRaisingAndRestoringItsMaskIsClean) {
  NoPreemptionScheduler s;
  Outcome r = Execute(s, 1, [&](Machine& m) {
    const int dev = m.AddLine("dev", 5, [&m] {
      const int old = m.mask();
      m.SetMask(7);
      m.SetMask(old);
    });
    m.AddSource(dev, 1, 0b1);
  });
  EXPECT_EQ(r.verdict.kind, VerdictKind::kClean) << r.verdict.message;
}

// Issue 19, item 9: a lost wakeup names the last write that cleared the
// condition the thread waits for: here an acknowledgement that stored 0
// over a status bit set after it read the register.
TEST(Machine, LostWakeupNamesTheWriteThatClearedTheCondition) {
  int ack_line = 0;
  int lost = 0, never_read = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    RandomScheduler random(seed);
    std::unique_ptr<Shared<int>> status;
    Outcome r = Execute(random, 3, [&](Machine& m) {
      status = std::make_unique<Shared<int>>(m, "status");
      const int ch = m.AddChannel("done");
      m.AddThread("waiter", 0, [&m, &status, ch] {
        while ((status->Load() & 1) == 0) m.ParkWhile(ch, *status, 0);
      });
      m.AddThread("device", 1, [&m, &status, ch] {
        status->Cas(0, 1);
        m.Unpark(ch);
      });
      m.AddThread("acker", 2, [&status, &ack_line] {
        const int seen = status->Load();
        (void)seen;
        ack_line = __LINE__ + 1;
        status->Store(0);  // clears what arrived after the read, too
      });
    });
    if (r.verdict.kind != VerdictKind::kLostWakeup) continue;
    ++lost;
    const std::string at = "machine_test.cc:" + std::to_string(ack_line);
    EXPECT_NE(r.verdict.message.find("thread acker"), std::string::npos)
        << r.verdict.message;
    EXPECT_NE(r.verdict.message.find(at), std::string::npos) << r.verdict.message;
    if (r.verdict.message.find("it never read") != std::string::npos) ++never_read;
  }
  EXPECT_GT(lost, 0);
  EXPECT_GT(never_read, 0);
}

// Issue 19, item 10: a lost update shows the two accesses that raced.
TEST(Machine, LostUpdateNamesTheRacingAccesses) {
  int checked = 0;
  for (uint64_t seed = 0; seed < 100 && checked == 0; ++seed) {
    RandomScheduler random(seed);
    std::unique_ptr<Shared<int>> counter;
    Outcome r = Execute(random, 2, [&](Machine& m) {
      counter = std::make_unique<Shared<int>>(m, "counter");
      for (int k = 0; k < 2; ++k) {
        m.AddThread(k == 0 ? "t0" : "t1", k,
                    [&counter] { counter->Store(counter->Load() + 1); });
      }
      m.SetFinalCheck([&m, &counter] {
        SMP_ASSERT(m, counter->Peek() == 2, "no increment is lost");
      });
    });
    if (r.verdict.kind != VerdictKind::kAssertion) continue;
    ++checked;
    const std::string& msg = r.verdict.message;
    EXPECT_NE(msg.find("lost update on 'counter'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("thread t0"), std::string::npos) << msg;
    EXPECT_NE(msg.find("thread t1"), std::string::npos) << msg;
  }
  EXPECT_EQ(checked, 1);
}

}  // namespace
}  // namespace smp
