// The membar target: the canonical barrier misuses of SEMANTICS.md
// ("Memory barriers"), each with its fixed twin, judged under the weakest
// model that exposes it.
//
//   mp_no_producer / mp_fixed            publish data, then a flag (PSO)
//   seqlock_no_consumer / seqlock_fixed  a seqlock reader (relaxed)
//   spinlock_no_release / spinlock_fixed a hand-rolled lock release (PSO)
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"

namespace smp::membar {
namespace {

// Message passing: the producer fills `data` and raises `flag`; the
// consumer waits for the flag and must then see the data.
class MessagePassing : public Scenario {
 public:
  MessagePassing(Machine& m, bool producer_barrier)
      : m_(m), data_(m, "data"), flag_(m, "flag") {
    m.AddThread("producer", 0, [this, producer_barrier] {
      data_.Store(42);
      if (producer_barrier) m_.Membar(Barrier::kProducer);
      flag_.Store(1);
    });
    m.AddThread("consumer", 1, [this] {
      while (flag_.Load() == 0) flag_.SpinWhile(0);
      m_.Membar(Barrier::kConsumer);
      SMP_ASSERT(m_, data_.Load() == 42, "data visible once the flag is");
    });
  }

 private:
  Machine& m_;
  Shared<int> data_, flag_;
};

struct MpNoProducer : MessagePassing {
  explicit MpNoProducer(Machine& m) : MessagePassing(m, false) {}
};
struct MpFixed : MessagePassing {
  explicit MpFixed(Machine& m) : MessagePassing(m, true) {}
};

SMP_SCENARIO_MODEL(MpNoProducer, "membar", "mp_no_producer",
                   VerdictKind::kMembarMisuse, 2, 2000, MemoryModel::kPSO,
                   "data then flag without membar_producer");
SMP_SCENARIO_MODEL(MpFixed, "membar", "mp_fixed", VerdictKind::kClean, 2, 2000,
                   MemoryModel::kPSO,
                   "membar_producer before the flag, membar_consumer after it");

// A seqlock: the writer makes the sequence odd, writes both halves, makes
// it even; a reader that saw the same even sequence before and after must
// have read a consistent pair.
class Seqlock : public Scenario {
 public:
  static constexpr int kWrites = 2;

  Seqlock(Machine& m, bool consumer_barriers)
      : m_(m), seq_(m, "seq"), lo_(m, "lo"), hi_(m, "hi") {
    m.AddThread("writer", 0, [this] {
      for (int v = 1; v <= kWrites; ++v) {
        seq_.Store(2 * v - 1);
        m_.Membar(Barrier::kProducer);
        lo_.Store(v);
        hi_.Store(v);
        m_.Membar(Barrier::kProducer);
        seq_.Store(2 * v);
      }
    });
    m.AddThread("reader", 1, [this, consumer_barriers] {
      for (int tries = 0; tries < 3; ++tries) {
        const int s1 = seq_.Load();
        if (consumer_barriers) m_.Membar(Barrier::kConsumer);
        const int lo = lo_.Load();
        const int hi = hi_.Load();
        if (consumer_barriers) m_.Membar(Barrier::kConsumer);
        const int s2 = seq_.Load();
        if (s1 == s2 && s1 % 2 == 0) {
          SMP_ASSERT(m_, lo == hi, "a stable even sequence means a consistent read");
        }
      }
    });
  }

 private:
  Machine& m_;
  Shared<int> seq_, lo_, hi_;
};

struct SeqlockNoConsumer : Seqlock {
  explicit SeqlockNoConsumer(Machine& m) : Seqlock(m, false) {}
};
struct SeqlockFixed : Seqlock {
  explicit SeqlockFixed(Machine& m) : Seqlock(m, true) {}
};

SMP_SCENARIO_MODEL(SeqlockNoConsumer, "membar", "seqlock_no_consumer",
                   VerdictKind::kMembarMisuse, 2, 4000, MemoryModel::kRelaxed,
                   "seqlock reader without membar_consumer");
SMP_SCENARIO_MODEL(SeqlockFixed, "membar", "seqlock_fixed", VerdictKind::kClean,
                   2, 4000, MemoryModel::kRelaxed,
                   "seqlock reader with membar_consumer around the data");

// A spin lock made by hand from atomics: the release is a plain store of 0,
// which needs membar_release before it so the critical section's stores
// are visible first.
class HandLock : public Scenario {
 public:
  static constexpr int kRounds = 2;

  HandLock(Machine& m, bool release_barrier)
      : m_(m), lock_(m, "lock"), counter_(m, "counter") {
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this, release_barrier] {
        for (int i = 0; i < kRounds; ++i) {
          while (!lock_.Cas(0, 1)) lock_.SpinWhile(1);
          m_.Membar(Barrier::kAcquire);
          counter_.Store(counter_.Load() + 1);
          if (release_barrier) m_.Membar(Barrier::kRelease);
          lock_.Store(0);
        }
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, counter_.Peek() == 2 * kRounds, "no increment is lost");
  }

 private:
  Machine& m_;
  Shared<int> lock_, counter_;
};

struct SpinlockNoRelease : HandLock {
  explicit SpinlockNoRelease(Machine& m) : HandLock(m, false) {}
};
struct SpinlockFixed : HandLock {
  explicit SpinlockFixed(Machine& m) : HandLock(m, true) {}
};

SMP_SCENARIO_MODEL(SpinlockNoRelease, "membar", "spinlock_no_release",
                   VerdictKind::kMembarMisuse, 2, 4000, MemoryModel::kPSO,
                   "hand-rolled spin lock released without membar_release");
SMP_SCENARIO_MODEL(SpinlockFixed, "membar", "spinlock_fixed",
                   VerdictKind::kClean, 2, 4000, MemoryModel::kPSO,
                   "hand-rolled spin lock with membar_acquire/membar_release");

}  // namespace
}  // namespace smp::membar
