// The memory model's own proof: the classic litmus shapes, every execution
// enumerated, and the exact set of observable outcomes asserted per model
// and barrier placement. docs/memory-model.md carries the same table.
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/executor.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/exhaustive.h"

namespace smp {
namespace {

using Outcomes = std::set<std::string>;

// A litmus program: cells x and y (initially 0), per-thread registers, one
// thread per CPU. The outcome is the registers (and, for 2+2W, the final
// values of x and y), as a string such as "r0=1 r1=0".
class Litmus : public Scenario {
 public:
  using Body = std::function<void(Litmus&, int tid)>;

  Litmus(Machine& m, int threads, const Body* body, bool finals, Outcomes* out)
      : m_(m), x(m, "x"), y(m, "y"), threads_(threads), finals_(finals), out_(out) {
    for (int t = 0; t < threads; ++t) {
      m.AddThread("T" + std::to_string(t), t, [this, body, t] { (*body)(*this, t); });
    }
  }
  void Check(Machine&) override {
    std::string s;
    for (int i = 0; i < 4; ++i) {
      if (used_[i]) s += "r" + std::to_string(i) + "=" + std::to_string(r[i]) + " ";
    }
    if (finals_) {
      s += "x=" + std::to_string(x.Peek()) + " y=" + std::to_string(y.Peek()) + " ";
    }
    if (!s.empty()) s.pop_back();
    out_->insert(s);
  }
  void Set(int i, int v) {
    r[i] = v;
    used_[i] = true;
  }
  void Fence(Barrier b) { m_.Membar(b); }

  Machine& m_;
  Shared<int> x, y;
  int r[4] = {};

 private:
  bool used_[4] = {};
  int threads_;
  bool finals_;
  Outcomes* out_;
};

struct LitmusRun {
  Outcomes outcomes;
  uint64_t executions = 0;
};

LitmusRun Explore(int threads, Litmus::Body body, MemoryModel model,
                  bool finals = false,
                  EnterMeaning enter = EnterMeaning::kAcquire) {
  LitmusRun run;
  ScenarioSpec spec;
  spec.target = "litmus";
  spec.variant = "test";
  spec.num_cpus = threads;
  spec.max_steps = 1000;
  spec.memory_model = model;
  spec.enter_meaning = enter;
  spec.make = [&](Machine& m) -> std::unique_ptr<Scenario> {
    return std::make_unique<Litmus>(m, threads, &body, finals, &run.outcomes);
  };
  Executor executor(spec);
  EnumerationResult r = Enumerate(executor, 2'000'000, [](const Execution& e) {
    EXPECT_TRUE(e.verdict.clean()) << e.verdict.message;
    return true;
  });
  EXPECT_TRUE(r.complete);
  EXPECT_FALSE(r.diverged);
  run.executions = r.executions;
  return run;
}

constexpr MemoryModel kAll[] = {MemoryModel::kSC, MemoryModel::kTSO,
                                MemoryModel::kPSO, MemoryModel::kRelaxed};

// ---- MP: message passing. T0: x=1; y=1.  T1: r0=y; r1=x. ----
// The stale-data outcome is "r0=1 r1=0".
Litmus::Body Mp(bool producer, bool consumer) {
  return [=](Litmus& l, int t) {
    if (t == 0) {
      l.x.Store(1);
      if (producer) l.Fence(Barrier::kProducer);
      l.y.Store(1);
    } else {
      l.Set(0, l.y.Load());
      if (consumer) l.Fence(Barrier::kConsumer);
      l.Set(1, l.x.Load());
    }
  };
}

const Outcomes kMpSc = {"r0=0 r1=0", "r0=0 r1=1", "r0=1 r1=1"};
const Outcomes kMpWeak = {"r0=0 r1=0", "r0=0 r1=1", "r0=1 r1=0", "r0=1 r1=1"};

TEST(Litmus, MessagePassingWithoutBarriers) {
  EXPECT_EQ(Explore(2, Mp(false, false), MemoryModel::kSC).outcomes, kMpSc);
  EXPECT_EQ(Explore(2, Mp(false, false), MemoryModel::kTSO).outcomes, kMpSc);
  EXPECT_EQ(Explore(2, Mp(false, false), MemoryModel::kPSO).outcomes, kMpWeak);
  EXPECT_EQ(Explore(2, Mp(false, false), MemoryModel::kRelaxed).outcomes, kMpWeak);
}

TEST(Litmus, MessagePassingWithProducerOnly) {
  EXPECT_EQ(Explore(2, Mp(true, false), MemoryModel::kPSO).outcomes, kMpSc);
  // Relaxed: the reader may still see stale x.
  EXPECT_EQ(Explore(2, Mp(true, false), MemoryModel::kRelaxed).outcomes, kMpWeak);
}

TEST(Litmus, MessagePassingWithConsumerOnly) {
  EXPECT_EQ(Explore(2, Mp(false, true), MemoryModel::kTSO).outcomes, kMpSc);
  EXPECT_EQ(Explore(2, Mp(false, true), MemoryModel::kPSO).outcomes, kMpWeak);
  EXPECT_EQ(Explore(2, Mp(false, true), MemoryModel::kRelaxed).outcomes, kMpWeak);
}

TEST(Litmus, MessagePassingWithBothBarriersIsForbiddenEverywhere) {
  for (MemoryModel m : kAll) {
    EXPECT_EQ(Explore(2, Mp(true, true), m).outcomes, kMpSc) << MemoryModelName(m);
  }
}

TEST(Litmus, MessagePassingWithReleaseAcquire) {
  Litmus::Body body = [](Litmus& l, int t) {
    if (t == 0) {
      l.x.Store(1);
      l.Fence(Barrier::kRelease);
      l.y.Store(1);
    } else {
      l.Set(0, l.y.Load());
      l.Fence(Barrier::kAcquire);
      l.Set(1, l.x.Load());
    }
  };
  for (MemoryModel m : kAll) {
    EXPECT_EQ(Explore(2, body, m).outcomes, kMpSc) << MemoryModelName(m);
  }
}

// ---- SB: store buffering (Dekker). T0: x=1; r0=y.  T1: y=1; r1=x. ----
Litmus::Body Sb(Barrier fence, bool fenced) {
  return [=](Litmus& l, int t) {
    Shared<int>& mine = t == 0 ? l.x : l.y;
    Shared<int>& other = t == 0 ? l.y : l.x;
    mine.Store(1);
    if (fenced) l.Fence(fence);
    l.Set(t, other.Load());
  };
}

const Outcomes kSbSc = {"r0=0 r1=1", "r0=1 r1=0", "r0=1 r1=1"};
const Outcomes kSbWeak = {"r0=0 r1=0", "r0=0 r1=1", "r0=1 r1=0", "r0=1 r1=1"};

TEST(Litmus, StoreBufferingIsAllowedByEveryStoreBuffer) {
  EXPECT_EQ(Explore(2, Sb(Barrier::kSync, false), MemoryModel::kSC).outcomes, kSbSc);
  for (MemoryModel m : {MemoryModel::kTSO, MemoryModel::kPSO, MemoryModel::kRelaxed}) {
    EXPECT_EQ(Explore(2, Sb(Barrier::kSync, false), m).outcomes, kSbWeak)
        << MemoryModelName(m);
  }
}

TEST(Litmus, StoreBufferingWithMembarSyncIsForbidden) {
  for (MemoryModel m : kAll) {
    EXPECT_EQ(Explore(2, Sb(Barrier::kSync, true), m).outcomes, kSbSc)
        << MemoryModelName(m);
  }
}

TEST(Litmus, StoreBufferingNeedsMoreThanProducerOrRelease) {
  for (Barrier b : {Barrier::kProducer, Barrier::kRelease, Barrier::kAcquire}) {
    EXPECT_EQ(Explore(2, Sb(b, true), MemoryModel::kTSO).outcomes, kSbWeak)
        << BarrierName(b);
  }
}

TEST(Litmus, MembarEnterMeaningDecidesStoreBuffering) {
  // Historical "store before load/store": forbids SB. Acquire: does not.
  EXPECT_EQ(Explore(2, Sb(Barrier::kEnter, true), MemoryModel::kTSO, false,
                    EnterMeaning::kStoreBefore)
                .outcomes,
            kSbSc);
  EXPECT_EQ(Explore(2, Sb(Barrier::kEnter, true), MemoryModel::kTSO, false,
                    EnterMeaning::kAcquire)
                .outcomes,
            kSbWeak);
}

// membar_enter under both meanings and all four models (issue 19). The
// historical "store before load/store" drains the buffer and, since a load
// after it cannot be performed before it, bounds later loads by what was
// visible at the barrier; acquire bounds later loads and orders no store.
TEST(Litmus, MembarEnterUnderBothMeaningsAndEveryModel) {
  struct Row {
    MemoryModel model;
    EnterMeaning enter;
    Outcomes sb;         // SB, membar_enter on both sides
    Outcomes mp_reader;  // MP, membar_producer in the writer, enter in the reader
    Outcomes mp_writer;  // MP, enter in the writer, nothing in the reader
  };
  const EnterMeaning kHist = EnterMeaning::kStoreBefore;
  const EnterMeaning kAcq = EnterMeaning::kAcquire;
  const Row rows[] = {
      {MemoryModel::kSC, kHist, kSbSc, kMpSc, kMpSc},
      {MemoryModel::kTSO, kHist, kSbSc, kMpSc, kMpSc},
      {MemoryModel::kPSO, kHist, kSbSc, kMpSc, kMpSc},
      {MemoryModel::kRelaxed, kHist, kSbSc, kMpSc, kMpWeak},
      {MemoryModel::kSC, kAcq, kSbSc, kMpSc, kMpSc},
      {MemoryModel::kTSO, kAcq, kSbWeak, kMpSc, kMpSc},
      {MemoryModel::kPSO, kAcq, kSbWeak, kMpSc, kMpWeak},
      {MemoryModel::kRelaxed, kAcq, kSbWeak, kMpSc, kMpWeak},
  };
  const Litmus::Body mp_reader = [](Litmus& l, int t) {
    if (t == 0) {
      l.x.Store(1);
      l.Fence(Barrier::kProducer);
      l.y.Store(1);
    } else {
      l.Set(0, l.y.Load());
      l.Fence(Barrier::kEnter);
      l.Set(1, l.x.Load());
    }
  };
  const Litmus::Body mp_writer = [](Litmus& l, int t) {
    if (t == 0) {
      l.x.Store(1);
      l.Fence(Barrier::kEnter);
      l.y.Store(1);
    } else {
      l.Set(0, l.y.Load());
      l.Set(1, l.x.Load());
    }
  };
  for (const Row& row : rows) {
    const std::string what =
        std::string(MemoryModelName(row.model)) +
        (row.enter == kHist ? ", historical" : ", acquire");
    EXPECT_EQ(Explore(2, Sb(Barrier::kEnter, true), row.model, false, row.enter)
                  .outcomes,
              row.sb)
        << "SB " << what;
    EXPECT_EQ(Explore(2, mp_reader, row.model, false, row.enter).outcomes,
              row.mp_reader)
        << "MP reader " << what;
    EXPECT_EQ(Explore(2, mp_writer, row.model, false, row.enter).outcomes,
              row.mp_writer)
        << "MP writer " << what;
  }
}

// The false membar_misuse of issue 19: under the historical meaning and
// the relaxed model, a load after membar_enter returned a value older than
// one already visible before the barrier.
TEST(Litmus, HistoricalMembarEnterBoundsLaterLoadsUnderRelaxed) {
  // T0: x=1; membar_sync; r0=y.  T1: y=1; membar_enter; r1=x.
  Litmus::Body body = [](Litmus& l, int t) {
    Shared<int>& mine = t == 0 ? l.x : l.y;
    Shared<int>& other = t == 0 ? l.y : l.x;
    mine.Store(1);
    l.Fence(t == 0 ? Barrier::kSync : Barrier::kEnter);
    l.Set(t, other.Load());
  };
  EXPECT_EQ(Explore(2, body, MemoryModel::kRelaxed, false,
                    EnterMeaning::kStoreBefore)
                .outcomes,
            kSbSc);
}

// ---- LB: load buffering. T0: r0=x; y=1.  T1: r1=y; x=1. ----
TEST(Litmus, LoadBufferingIsNeverProduced) {
  Litmus::Body body = [](Litmus& l, int t) {
    Shared<int>& from = t == 0 ? l.x : l.y;
    Shared<int>& to = t == 0 ? l.y : l.x;
    l.Set(t, from.Load());
    to.Store(1);
  };
  const Outcomes lb = {"r0=0 r1=0", "r0=0 r1=1", "r0=1 r1=0"};
  for (MemoryModel m : kAll) {
    EXPECT_EQ(Explore(2, body, m).outcomes, lb) << MemoryModelName(m);
  }
}

// ---- IRIW: T0: x=1. T1: y=1. T2: r0=x; r1=y. T3: r2=y; r3=x. ----
Litmus::Body Iriw(bool fenced) {
  return [=](Litmus& l, int t) {
    if (t == 0) l.x.Store(1);
    if (t == 1) l.y.Store(1);
    if (t == 2) {
      l.Set(0, l.x.Load());
      if (fenced) l.Fence(Barrier::kConsumer);
      l.Set(1, l.y.Load());
    }
    if (t == 3) {
      l.Set(2, l.y.Load());
      if (fenced) l.Fence(Barrier::kConsumer);
      l.Set(3, l.x.Load());
    }
  };
}

Outcomes AllIriw(bool with_disagreement) {
  Outcomes all;
  for (int bits = 0; bits < 16; ++bits) {
    const std::string s = "r0=" + std::to_string(bits & 1) + " r1=" +
                          std::to_string((bits >> 1) & 1) + " r2=" +
                          std::to_string((bits >> 2) & 1) + " r3=" +
                          std::to_string((bits >> 3) & 1);
    if (s == "r0=1 r1=0 r2=1 r3=0" && !with_disagreement) continue;
    all.insert(s);
  }
  return all;
}

TEST(Litmus, IndependentReadersAgreeUnderStoreBuffersOnly) {
  for (MemoryModel m : {MemoryModel::kSC, MemoryModel::kTSO, MemoryModel::kPSO}) {
    EXPECT_EQ(Explore(4, Iriw(false), m).outcomes, AllIriw(false))
        << MemoryModelName(m);
  }
  EXPECT_EQ(Explore(4, Iriw(false), MemoryModel::kRelaxed).outcomes, AllIriw(true));
  EXPECT_EQ(Explore(4, Iriw(true), MemoryModel::kRelaxed).outcomes, AllIriw(false));
}

// ---- 2+2W: T0: x=1; y=2.  T1: y=1; x=2.  Final x=1 y=1 is the reorder. ----
Litmus::Body TwoPlusTwoW(bool fenced) {
  return [=](Litmus& l, int t) {
    Shared<int>& first = t == 0 ? l.x : l.y;
    Shared<int>& second = t == 0 ? l.y : l.x;
    first.Store(1);
    if (fenced) l.Fence(Barrier::kProducer);
    second.Store(2);
  };
}

TEST(Litmus, TwoPlusTwoWritesNeedsPso) {
  const Outcomes ordered = {"x=1 y=2", "x=2 y=1", "x=2 y=2"};
  const Outcomes reordered = {"x=1 y=1", "x=1 y=2", "x=2 y=1", "x=2 y=2"};
  EXPECT_EQ(Explore(2, TwoPlusTwoW(false), MemoryModel::kSC, true).outcomes, ordered);
  EXPECT_EQ(Explore(2, TwoPlusTwoW(false), MemoryModel::kTSO, true).outcomes, ordered);
  EXPECT_EQ(Explore(2, TwoPlusTwoW(false), MemoryModel::kPSO, true).outcomes, reordered);
  EXPECT_EQ(Explore(2, TwoPlusTwoW(false), MemoryModel::kRelaxed, true).outcomes,
            reordered);
  EXPECT_EQ(Explore(2, TwoPlusTwoW(true), MemoryModel::kPSO, true).outcomes, ordered);
}

// ---- Atomics are atomic but not barriers. ----
TEST(Litmus, AtomicAddDoesNotOrderOtherStoresUnderPso) {
  // MP with the flag set by an atomic add: still reorderable under PSO.
  Litmus::Body body = [](Litmus& l, int t) {
    if (t == 0) {
      l.x.Store(1);
      l.y.FetchAdd(1);
    } else {
      l.Set(0, l.y.Load());
      l.Set(1, l.x.Load());
    }
  };
  EXPECT_EQ(Explore(2, body, MemoryModel::kPSO).outcomes, kMpWeak);
  EXPECT_EQ(Explore(2, body, MemoryModel::kTSO).outcomes, kMpSc);
}

TEST(Litmus, ConcurrentAtomicIncrementsNeverLoseAnUpdate) {
  Litmus::Body body = [](Litmus& l, int) {
    l.x.FetchAdd(1);
    l.x.FetchAdd(1);
  };
  for (MemoryModel m : kAll) {
    EXPECT_EQ(Explore(2, body, m, true).outcomes, Outcomes{"x=4 y=0"})
        << MemoryModelName(m);
  }
}

}  // namespace
}  // namespace smp
