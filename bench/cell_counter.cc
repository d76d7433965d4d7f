#include "bench/cell_counter.h"

#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"

namespace smp::bench {
namespace {

constexpr int kCpus = 4;
constexpr int kRounds = 10;

// The CAS spin lock of the C demo (targets/demo/demo_lock.c): acquire on
// the CAS, release on the store, spin-wait while held, annotated.
class SpinLock {
 public:
  SpinLock(Machine& m, const std::string& name)
      : m_(m), word_(m, name + ".word"), id_(m.AddLock(name, word_)) {}
  void Lock() {
    while (!word_.CasAcquire(0, 1)) word_.SpinWhile(1);
    m_.LockAcquired(id_);
  }
  void Unlock() {
    word_.StoreRelease(0);
    m_.LockReleased(id_);
  }

 private:
  Machine& m_;
  Shared<unsigned> word_;
  int id_;
};

class Counter : public Scenario {
 public:
  explicit Counter(Machine& m) : lock_(m, "lock"), counter_(m, "counter") {
    for (int cpu = 0; cpu < m.num_cpus(); ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this] {
        for (int i = 0; i < kRounds; ++i) {
          lock_.Lock();
          counter_.Store(counter_.Load() + 1);
          lock_.Unlock();
        }
      });
    }
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, counter_.Peek() == m.num_cpus() * kRounds, "no increment is lost");
  }

 private:
  SpinLock lock_;
  Shared<int> counter_;
};

}  // namespace

const ScenarioSpec& CellSpinlockCounter() {
  static const ScenarioSpec* spec = [] {
    auto* s = new ScenarioSpec;
    s->target = "bench";
    s->variant = "spinlock_counter_cells";
    s->description = "demo/spinlock_counter on Shared<T> cells";
    s->num_cpus = kCpus;
    s->max_steps = 20000;
    s->make = [](Machine& m) -> std::unique_ptr<Scenario> {
      return std::make_unique<Counter>(m);
    };
    return s;
  }();
  return *spec;
}

}  // namespace smp::bench
