// The fxp target's scenarios: two CPUs run the driver, the third is the
// NIC. All run with the data race detector on.
//
//   send / no_membar_producer / start_without_lock   two senders, a waiter
//   ack_all                                           the ISR acknowledge
//   ioctl_reset / init_with_lock_held                 public vs _locked
//   stop_during_traffic / stop_without_lock           fxp_stop vs fxp_intr
#include <memory>
#include <string>

#include "core/machine.h"
#include "core/scenario.h"
#include "targets/fxp/fxp.h"

namespace smp::fxp {
namespace {

constexpr int kCpus = 3;  // CPU0, CPU1: driver; CPU2: the NIC
constexpr int kPackets = 4;

// Sender s sends ids 10*s+1, 10*s+2 (in that order); CPU0's sender then
// waits for all four to complete. Every packet goes out exactly once, in
// order per sender, and the waiter wakes.
class Send : public Scenario {
 public:
  Send(Machine& m, Bugs bugs) : m_(m), fxp_(m, bugs, kCpus - 1, kPackets) {
    for (int s = 0; s < 2; ++s) {
      m.AddThread("sender" + std::to_string(s), s, [this, s] {
        for (int i = 1; i <= 2; ++i) {
          while (!fxp_.fxp_start(10 * (s + 1) + i)) m_.Yield();
        }
        if (s == 0) fxp_.WaitCompleted(kPackets);
      });
    }
  }
  void Check(Machine& m) override {
    int seen[3][3] = {};
    int last[3] = {0, 0, 0};
    for (const auto& w : fxp_.wire()) {
      const int id = w->Peek();
      const int s = id / 10, i = id % 10;
      SMP_ASSERT(m, s >= 1 && s <= 2 && i >= 1 && i <= 2,
                 "the device transmitted a stale or torn block");
      if (s < 1 || s > 2 || i < 1 || i > 2) return;
      ++seen[s][i];
      SMP_ASSERT(m, i > last[s], "packets of one sender go out in order");
      last[s] = i;
    }
    for (int s = 1; s <= 2; ++s) {
      for (int i = 1; i <= 2; ++i) {
        SMP_ASSERT(m, seen[s][i] == 1, "every packet transmitted exactly once");
      }
    }
  }

 protected:
  Machine& m_;
  Fxp fxp_;
};

// Reset through the ioctl path while traffic flows.
class Ioctl : public Scenario {
 public:
  Ioctl(Machine& m, Bugs bugs) : m_(m), fxp_(m, bugs, kCpus - 1, 1) {
    m.AddThread("sender", 0, [this] {
      while (!fxp_.fxp_start(11)) m_.Yield();
    });
    m.AddThread("admin", 1, [this] { fxp_.fxp_ioctl_reset(); });
  }

 private:
  Machine& m_;
  Fxp fxp_;
};

// fxp_stop on CPU1 while CPU0 sends and the device interrupts.
class Stop : public Scenario {
 public:
  Stop(Machine& m, Bugs bugs) : m_(m), fxp_(m, bugs, kCpus - 1, 2) {
    m.AddThread("sender", 0, [this] {
      for (int i = 1; i <= 2; ++i) fxp_.fxp_start(10 + i);
    });
    m.AddThread("admin", 1, [this] {
      m_.Yield();
      m_.Yield();
      fxp_.fxp_stop();
    });
  }

 private:
  Machine& m_;
  Fxp fxp_;
};

template <typename Base>
struct With : Base {
  With(Machine& m, Bugs b) : Base(m, b) {}
};

#define FXP(Name, Base, bugs)                               \
  struct Name : Base {                                      \
    explicit Name(Machine& m) : Base(m, bugs) {}            \
  }
FXP(SendOk, Send, Bugs{});
FXP(NoProducer, Send, (Bugs{true, false, false, false, false}));
FXP(AckAll, Send, (Bugs{false, true, false, false, false}));
FXP(StartNoLock, Send, (Bugs{false, false, false, true, false}));
FXP(IoctlOk, Ioctl, Bugs{});
FXP(InitLockHeld, Ioctl, (Bugs{false, false, true, false, false}));
FXP(StopOk, Stop, Bugs{});
FXP(StopNoLock, Stop, (Bugs{false, false, false, false, true}));
#undef FXP

template <typename Class>
ScenarioSpec Spec(const char* variant, VerdictKind expected, MemoryModel model,
                  const char* description, bool races = true) {
  ScenarioSpec s;
  s.target = "fxp";
  s.variant = variant;
  s.description = description;
  s.expected = expected;
  s.num_cpus = kCpus;
  s.max_steps = 20000;
  s.memory_model = model;
  s.detect_races = races;
  s.make = [](Machine& m) -> std::unique_ptr<Scenario> {
    return std::make_unique<Class>(m);
  };
  return s;
}

ScenarioRegistrar r1(Spec<SendOk>("send", VerdictKind::kClean, MemoryModel::kSC,
                                  "two CPUs send while the NIC transmits and "
                                  "interrupts; a thread waits for completion"));
ScenarioRegistrar r2(Spec<NoProducer>("no_membar_producer", VerdictKind::kMembarMisuse,
                                      MemoryModel::kPSO,
                                      "the block is handed to the device without "
                                      "membar_producer (judged as a memory-model "
                                      "bug: race detection off)",
                                      /*races=*/false));
ScenarioRegistrar r3(Spec<AckAll>("ack_all", VerdictKind::kLostWakeup, MemoryModel::kSC,
                                  "fxp_intr acknowledges every ISR bit, not the "
                                  "ones it read: a TX event is lost"));
ScenarioRegistrar r4(Spec<StartNoLock>("start_without_lock", VerdictKind::kDataRace,
                                       MemoryModel::kSC,
                                       "fxp_start_locked called without the lock"));
ScenarioRegistrar r5(Spec<IoctlOk>("ioctl_reset", VerdictKind::kClean, MemoryModel::kSC,
                                   "the ioctl path calls fxp_init_locked"));
ScenarioRegistrar r6(Spec<InitLockHeld>("init_with_lock_held", VerdictKind::kDeadlock,
                                        MemoryModel::kSC,
                                        "the ioctl path calls the public fxp_init "
                                        "with the lock held"));
ScenarioRegistrar r7(Spec<StopOk>("stop_during_traffic", VerdictKind::kClean,
                                  MemoryModel::kSC,
                                  "fxp_stop takes the lock the handler holds"));
ScenarioRegistrar r8(Spec<StopNoLock>("stop_without_lock", VerdictKind::kDataRace,
                                      MemoryModel::kSC,
                                      "fxp_stop tears the ring down while fxp_intr "
                                      "may run on the other CPU"));

}  // namespace
}  // namespace smp::fxp
