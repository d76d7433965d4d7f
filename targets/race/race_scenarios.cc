// The race target: what the data race detector must report, each with a
// twin it must stay silent on. All run with the detector on.
//
//   thread_handler_unmasked / thread_handler_masked   one CPU, no spl
//   cross_cpu_unlocked / cross_cpu_locked             two CPUs, no lock
//   flag_no_barrier / flag_release_acquire            publishing through a flag
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/demo/demo_lock.h"

namespace smp::race {
namespace {

template <typename Class>
ScenarioSpec Spec(const char* variant, VerdictKind expected, int cpus,
                  const char* description) {
  ScenarioSpec s;
  s.target = "race";
  s.variant = variant;
  s.description = description;
  s.expected = expected;
  s.num_cpus = cpus;
  s.max_steps = 4000;
  s.detect_races = true;
  s.make = [](Machine& m) -> std::unique_ptr<Scenario> {
    return std::make_unique<Class>(m);
  };
  return s;
}

// A thread and its CPU's interrupt handler both bump `count`.
class ThreadHandler : public Scenario {
 public:
  static constexpr int kLevel = 5;
  ThreadHandler(Machine& m, bool masked) : m_(m), count_(m, "count") {
    const int line = m.AddLine("dev", kLevel, [this] { Bump(); });
    m.AddSource(line, 1, 0b1);
    m.AddThread("t", 0, [this, masked] {
      const int old = m_.mask();
      if (masked) m_.SetMask(kLevel);
      Bump();
      if (masked) m_.SetMask(old);
    });
  }

 private:
  void Bump() { count_.Store(count_.Load() + 1); }
  Machine& m_;
  Shared<int> count_;
};
struct Unmasked : ThreadHandler {
  explicit Unmasked(Machine& m) : ThreadHandler(m, false) {}
};
struct Masked : ThreadHandler {
  explicit Masked(Machine& m) : ThreadHandler(m, true) {}
};
ScenarioRegistrar r1(Spec<Unmasked>("thread_handler_unmasked", VerdictKind::kDataRace, 1,
                                    "a thread and its CPU's handler share a counter; "
                                    "the thread does not mask the handler"));
ScenarioRegistrar r2(Spec<Masked>("thread_handler_masked", VerdictKind::kClean, 1,
                                  "the thread raises the mask to the handler's "
                                  "level around its access"));

// Two CPUs bump a counter, with or without a lock.
class CrossCpu : public Scenario {
 public:
  CrossCpu(Machine& m, bool locked) : lock_(m, "lock"), count_(m, "count") {
    for (int cpu = 0; cpu < 2; ++cpu) {
      m.AddThread("t" + std::to_string(cpu), cpu, [this, locked] {
        if (locked) lock_.Lock();
        count_.Store(count_.Load() + 1);
        if (locked) lock_.Unlock();
      });
    }
  }

 private:
  demo::SpinLock lock_;
  Shared<int> count_;
};
struct Unlocked : CrossCpu {
  explicit Unlocked(Machine& m) : CrossCpu(m, false) {}
};
struct Locked : CrossCpu {
  explicit Locked(Machine& m) : CrossCpu(m, true) {}
};
ScenarioRegistrar r3(Spec<Unlocked>("cross_cpu_unlocked", VerdictKind::kDataRace, 2,
                                    "two CPUs bump a counter without a lock"));
ScenarioRegistrar r4(Spec<Locked>("cross_cpu_locked", VerdictKind::kClean, 2,
                                  "two CPUs bump a counter under a spin lock"));

// A producer fills `data` and raises an atomic `flag`; the consumer waits
// for the flag, then reads the data. Without the membar_release /
// membar_acquire pair nothing orders the data accesses.
class Flag : public Scenario {
 public:
  Flag(Machine& m, bool barriers) : m_(m), data_(m, "data"), flag_(m, "flag") {
    m.MarkAtomic(flag_);
    m.AddThread("producer", 0, [this, barriers] {
      data_.Store(7);
      if (barriers) m_.Membar(Barrier::kRelease);
      flag_.Store(1);
    });
    m.AddThread("consumer", 1, [this, barriers] {
      while (flag_.Load() == 0) flag_.SpinWhile(0);
      if (barriers) m_.Membar(Barrier::kAcquire);
      SMP_ASSERT(m_, data_.Load() == 7, "data published before the flag");
    });
  }

 private:
  Machine& m_;
  Shared<int> data_, flag_;
};
struct NoBarrier : Flag {
  explicit NoBarrier(Machine& m) : Flag(m, false) {}
};
struct ReleaseAcquire : Flag {
  explicit ReleaseAcquire(Machine& m) : Flag(m, true) {}
};
ScenarioRegistrar r5(Spec<NoBarrier>("flag_no_barrier", VerdictKind::kDataRace, 2,
                                     "data published through an atomic flag with "
                                     "no barriers (a race even under SC)"));
ScenarioRegistrar r6(Spec<ReleaseAcquire>("flag_release_acquire", VerdictKind::kClean, 2,
                                          "membar_release before the flag, "
                                          "membar_acquire after it"));

}  // namespace
}  // namespace smp::race
