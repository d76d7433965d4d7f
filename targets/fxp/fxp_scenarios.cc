// The fxp target's scenarios: two CPUs run the driver, the third is the
// NIC. All run with the data race detector on.
//
//   send / no_membar_producer / start_without_lock   two senders, a waiter
//   ack_all                                           the ISR acknowledge
//   ioctl_reset / init_with_lock_held                 public vs _locked
//   stop_during_traffic / stop_without_lock           fxp_stop vs fxp_intr
//   receive / rx_no_membar_consumer /                 frames arrive while
//     rx_handback_early / softnet_without_lock        two CPUs send
//   giant_intr / giant_inside_lock                    non-MPSAFE fxp_intr
//   watchdog                                          the callout resets the
//                                                     chip; init and stop race
#include <memory>
#include <string>

#include "core/machine.h"
#include "core/scenario.h"
#include "targets/fxp/fxp.h"

namespace smp::fxp {
namespace {

constexpr int kCpus = 3;  // CPU0, CPU1: driver; CPU2: the NIC
constexpr int kPackets = 4;

// Packets of sender s are 10*s+1, 10*s+2. The device transmitted each at
// most once (exactly once if `exactly_once`), in order per sender, and
// never a stale or torn block.
void CheckWire(Machine& m, const Fxp& fxp, bool exactly_once) {
  int seen[3][3] = {};
  int last[3] = {0, 0, 0};
  for (int n = 0; n < fxp.transmitted(); ++n) {
    const int id = fxp.wire()[n]->Peek();
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
      if (exactly_once) {
        SMP_ASSERT(m, seen[s][i] == 1, "every packet transmitted exactly once");
      } else {
        SMP_ASSERT(m, seen[s][i] <= 1, "no packet transmitted twice");
      }
    }
  }
}

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
  void Check(Machine& m) override { CheckWire(m, fxp_, /*exactly_once=*/true); }

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

// Receive while sending: CPU0 and CPU1 each send two packets (CPU0 then
// waits for completion) while the receive unit on CPU3 delivers four
// frames; fxp_intr on CPU0/CPU1 queues them to ipintrq and schedules
// softnet, which delivers them. Every frame is delivered exactly once, in
// order; transmit keeps its invariants.
class Receive : public Scenario {
 public:
  static constexpr int kFrames = 4;

  Receive(Machine& m, Bugs bugs)
      : m_(m), fxp_(m, bugs, Config{2, 2, kPackets, kFrames, 3}) {
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
    CheckWire(m, fxp_, /*exactly_once=*/true);
    SMP_ASSERT(m, fxp_.input_drops() == 0, "the input queue never overflows");
    SMP_ASSERT(m, fxp_.num_delivered() == kFrames,
               "every received frame is delivered");
    for (int n = 0; n < fxp_.num_delivered() && n < kFrames; ++n) {
      SMP_ASSERT(m, fxp_.delivered()[n]->Peek() == Fxp::FrameId(n),
                 "frames are delivered once each, in order, with their data");
    }
  }

 private:
  Machine& m_;
  Fxp fxp_;
};

// fxp_intr established without MPSAFE (it runs under kernel_lock) while
// CPU0 reprograms the multicast filter through the non-MPSAFE ioctl path
// and CPU1 sends.
class Giant : public Scenario {
 public:
  Giant(Machine& m, Bugs bugs)
      : m_(m), fxp_(m, bugs, Config{2, 2, 2, 0, 3, /*mpsafe=*/false}) {
    m.AddThread("admin", 0, [this] { fxp_.fxp_ioctl_mcast(); });
    m.AddThread("sender", 1, [this] {
      for (int i = 1; i <= 2; ++i) {
        while (!fxp_.fxp_start(10 + i)) m_.Yield();
      }
    });
  }

 private:
  Machine& m_;
  Fxp fxp_;
};

// The watchdog callout (two hardclock ticks on CPU0/CPU1, each due to run
// it from softclock) while CPU0 sends and CPU1 resets the chip through
// fxp_init and then stops it. Whatever the resets: no packet goes out
// twice or out of order, and each accepted packet was either transmitted
// or dropped by fxp_stop, not both, not neither.
class Watchdog : public Scenario {
 public:
  explicit Watchdog(Machine& m)
      : m_(m),
        fxp_(m, Bugs{}, Config{2, 2, 2, 0, 3, true, /*ticks=*/2}),
        accepted_(m, "accepted") {
    m.AddThread("sender", 0, [this] {
      for (int i = 1; i <= 2; ++i) {
        if (fxp_.fxp_start(10 + i)) accepted_.Store(accepted_.Load() + 1);
      }
    });
    m.AddThread("admin", 1, [this] {
      m_.Yield();
      fxp_.fxp_init();
      fxp_.fxp_stop();
    });
  }
  void Check(Machine& m) override {
    CheckWire(m, fxp_, /*exactly_once=*/false);
    SMP_ASSERT(m, fxp_.transmitted() + fxp_.dropped() == accepted_.Peek(),
               "every accepted packet is transmitted or dropped, once");
  }

 private:
  Machine& m_;
  Fxp fxp_;
  Shared<int> accepted_;
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
FXP(ReceiveOk, Receive, Bugs{});
#undef FXP

Bugs RxNoConsumer() {
  Bugs b;
  b.rx_no_consumer = true;
  return b;
}
Bugs RxHandbackEarly() {
  Bugs b;
  b.rx_handback_early = true;
  return b;
}
Bugs SoftnetWithoutLock() {
  Bugs b;
  b.softnet_without_lock = true;
  return b;
}
Bugs GiantInsideLock() {
  Bugs b;
  b.giant_inside_lock = true;
  return b;
}
struct RxNoConsumerScenario : Receive {
  explicit RxNoConsumerScenario(Machine& m) : Receive(m, RxNoConsumer()) {}
};
struct RxHandbackEarlyScenario : Receive {
  explicit RxHandbackEarlyScenario(Machine& m) : Receive(m, RxHandbackEarly()) {}
};
struct SoftnetWithoutLockScenario : Receive {
  explicit SoftnetWithoutLockScenario(Machine& m) : Receive(m, SoftnetWithoutLock()) {}
};
struct GiantOk : Giant {
  explicit GiantOk(Machine& m) : Giant(m, Bugs{}) {}
};
struct GiantInsideLockScenario : Giant {
  explicit GiantInsideLockScenario(Machine& m) : Giant(m, GiantInsideLock()) {}
};

template <typename Class>
ScenarioSpec Spec(const char* variant, VerdictKind expected, MemoryModel model,
                  const char* description, bool races = true, int cpus = kCpus) {
  ScenarioSpec s;
  s.target = "fxp";
  s.variant = variant;
  s.description = description;
  s.expected = expected;
  s.num_cpus = cpus;
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
ScenarioRegistrar r9(Spec<ReceiveOk>("receive", VerdictKind::kClean, MemoryModel::kSC,
                                     "frames arrive while two CPUs send: fxp_intr "
                                     "queues them, softnet delivers them",
                                     true, 4));
ScenarioRegistrar r10(Spec<RxNoConsumerScenario>(
    "rx_no_membar_consumer", VerdictKind::kMembarMisuse, MemoryModel::kRelaxed,
    "fxp_intr reads a received frame without membar_consumer after its "
    "status: a stale frame (judged as a memory-model bug: race detection off)",
    /*races=*/false, 4));
ScenarioRegistrar r11(Spec<RxHandbackEarlyScenario>(
    "rx_handback_early", VerdictKind::kDataRace, MemoryModel::kSC,
    "fxp_intr returns the descriptor to the device before reading the frame",
    true, 4));
ScenarioRegistrar r12(Spec<SoftnetWithoutLockScenario>(
    "softnet_without_lock", VerdictKind::kDataRace, MemoryModel::kSC,
    "softnet drains the input queue without its lock while fxp_intr fills it",
    true, 4));
ScenarioRegistrar r13(Spec<GiantOk>("giant_intr", VerdictKind::kClean, MemoryModel::kSC,
                                    "non-MPSAFE fxp_intr under kernel_lock; the "
                                    "ioctl takes kernel_lock before the device lock"));
ScenarioRegistrar r14(Spec<GiantInsideLockScenario>(
    "giant_inside_lock", VerdictKind::kDeadlock, MemoryModel::kSC,
    "the ioctl takes kernel_lock inside the device lock; non-MPSAFE fxp_intr "
    "holds kernel_lock and spins on the device lock"));
ScenarioRegistrar r15(Spec<Watchdog>("watchdog", VerdictKind::kClean, MemoryModel::kSC,
                                     "the watchdog callout resets the chip while "
                                     "packets are in flight; fxp_init and fxp_stop race it"));

}  // namespace
}  // namespace smp::fxp
