#include "bench/twin_workloads.h"

#include <memory>
#include <string>
#include <vector>

#include "bench/cell_counter.h"
#include "core/cell.h"
#include "core/machine.h"
#include "core/memory_model.h"

namespace smp::bench {
namespace {

class MessagePassing : public Scenario {
 public:
  MessagePassing(Machine& m, bool fenced) {
    for (int i = 0; i < kMpMessages; ++i) {
      const std::string n = std::to_string(i);
      data_.push_back(std::make_unique<Shared<int>>(m, "data" + n));
      flag_.push_back(std::make_unique<Shared<int>>(m, "flag" + n));
      m.MarkAtomic(*flag_.back());
      if (!fenced) m.MarkAtomic(*data_.back());
    }
    m.AddThread("producer", 0, [this, &m, fenced] {
      for (int i = 0; i < kMpMessages; ++i) {
        data_[i]->Store(i + 1);
        if (fenced) m.Membar(Barrier::kRelease);
        flag_[i]->Store(1);
      }
    });
    m.AddThread("consumer", 1, [this, &m, fenced] {
      for (int i = 0; i < kMpMessages; ++i) {
        if (flag_[i]->Load() == 0) continue;
        if (!fenced) {
          (void)data_[i]->Load();
          continue;
        }
        m.Membar(Barrier::kAcquire);
        SMP_ASSERT(m, data_[i]->Load() == i + 1, "a flagged message is complete");
      }
    });
  }

 private:
  std::vector<std::unique_ptr<Shared<int>>> data_, flag_;
};

class Seqlock : public Scenario {
 public:
  explicit Seqlock(Machine& m)
      : seq_(m, "seq"), word0_(m, "word0"), word1_(m, "word1") {
    m.MarkAtomic(seq_);
    m.MarkAtomic(word0_);
    m.MarkAtomic(word1_);
    m.AddThread("writer", 0, [this, &m] {
      for (int k = 1; k <= kSeqlockWrites; ++k) {
        seq_.Store(2 * k - 1);
        m.Membar(Barrier::kRelease);
        word0_.Store(k);
        word1_.Store(k);
        seq_.StoreRelease(2 * k);
      }
    });
    for (int r = 1; r <= kSeqlockReaders; ++r) {
      m.AddThread("reader" + std::to_string(r), r, [this, &m] {
        for (int t = 0; t < kSeqlockTries; ++t) {
          const int s1 = seq_.LoadAcquire();
          if (s1 % 2 != 0) continue;
          const int a = word0_.Load();
          const int b = word1_.Load();
          m.Membar(Barrier::kAcquire);
          const int s2 = seq_.Load();
          if (s1 == s2) {
            SMP_ASSERT(m, a == s1 / 2 && b == s1 / 2, "a stable read is whole");
          }
        }
      });
    }
  }

 private:
  Shared<int> seq_, word0_, word1_;
};

ScenarioSpec* NewSpec(const char* variant, int cpus,
                      std::function<std::unique_ptr<Scenario>(Machine&)> make) {
  auto* s = new ScenarioSpec;
  s->target = "bench";
  s->variant = variant;
  s->description = std::string(variant) + ", the twin of a Relacy test";
  s->num_cpus = cpus;
  s->max_steps = 20000;
  s->make = std::move(make);
  return s;
}

}  // namespace

const ScenarioSpec& TwinScenario(Workload w) {
  static const ScenarioSpec* mp_fenced =
      NewSpec("mp_fenced", 2, [](Machine& m) -> std::unique_ptr<Scenario> {
        return std::make_unique<MessagePassing>(m, true);
      });
  static const ScenarioSpec* mp_plain =
      NewSpec("mp_plain", 2, [](Machine& m) -> std::unique_ptr<Scenario> {
        return std::make_unique<MessagePassing>(m, false);
      });
  static const ScenarioSpec* seqlock = NewSpec(
      "seqlock", 1 + kSeqlockReaders,
      [](Machine& m) -> std::unique_ptr<Scenario> { return std::make_unique<Seqlock>(m); });
  switch (w) {
    case Workload::kSpinlock:
      return CellSpinlockCounter();
    case Workload::kMessagePassingFenced:
      return *mp_fenced;
    case Workload::kMessagePassingPlain:
      return *mp_plain;
    case Workload::kSeqlock:
      return *seqlock;
  }
  return CellSpinlockCounter();
}

}  // namespace smp::bench
