// Core performance: fiber switch cost, and scheduling points and executions
// per second on the workload Relacy was measured with here (4 CPUs x 10
// critical sections of a CAS spin lock, counter checked at the end).
//
//   bazel run --config=opt //bench:core_bench
//
// Counters: points/s (scheduling points, i.e. machine steps), exec/s, and
// for the long run the resident set size after N executions.
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

#include "bench/cell_counter.h"
#include "benchmark/benchmark.h"
#include "core/executor.h"
#include "core/fiber.h"
#include "core/memory_model.h"
#include "core/scenario.h"
#include "schedulers/no_preemption.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/search.h"

namespace smp {
namespace {

struct PingPong {
  FiberPool* pool;
  Fiber* self;
  Fiber* peer;
};

void PingPongMain(void* arg) {
  auto* p = static_cast<PingPong*>(arg);
  for (;;) p->pool->SwitchTo(p->self, p->peer);
}

void BM_FiberSwitch(benchmark::State& state) {
  FiberPool pool;
  PingPong fiber{&pool, nullptr, pool.main()};
  fiber.self = pool.Acquire(&PingPongMain, &fiber);
  for (auto _ : state) {
    pool.SwitchTo(pool.main(), fiber.self);  // there and back: 2 switches
  }
  state.SetItemsProcessed(state.iterations() * 2);
  state.counters["ns/switch"] = benchmark::Counter(
      static_cast<double>(state.iterations() * 2),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FiberSwitch);

const ScenarioSpec& Spec(const char* variant, const char* target = "demo") {
  const ScenarioSpec* s = ScenarioRegistry::Global().Find(target, variant);
  if (s == nullptr) {
    std::fprintf(stderr, "%s/%s is not linked in\n", target, variant);
    std::abort();
  }
  return *s;
}

void Report(benchmark::State& state, uint64_t executions, uint64_t steps) {
  state.counters["exec/s"] =
      benchmark::Counter(static_cast<double>(executions), benchmark::Counter::kIsRate);
  state.counters["points/s"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kIsRate);
  state.counters["points/exec"] =
      static_cast<double>(steps) / static_cast<double>(executions);
}

// The random scheduler's executions of `executor`'s scenario, seeded as a
// campaign seeds them, each required clean.
void RandomLoop(benchmark::State& state, Executor& executor) {
  RandomScheduler random(1);
  uint64_t executions = 0, steps = 0;
  for (auto _ : state) {
    random.Reseed(ExecutionSeed(1, executions));
    const Execution e = executor.Run(random);
    if (!e.verdict.clean()) state.SkipWithError("a correct scenario is not clean");
    ++executions;
    steps += e.steps;
  }
  Report(state, executions, steps);
}

// Random scheduling of one scenario; the state's range(0) selects the
// memory model, range(1) whether lockdep (on by default in campaigns) runs.
void RandomRuns(benchmark::State& state, const char* variant) {
  Executor executor(Spec(variant));
  executor.set_memory_model(static_cast<MemoryModel>(state.range(0)));
  executor.set_lockdep(state.range(1) != 0);
  state.SetLabel(std::string(MemoryModelName(executor.memory_model())) +
                 (executor.lockdep() ? "+lockdep" : ""));
  RandomLoop(state, executor);
}

// The Relacy workload: the core alone (SC, no detectors), then with lockdep.
void BM_SpinlockCounterRandom(benchmark::State& state) {
  RandomRuns(state, "spinlock_counter");
}
BENCHMARK(BM_SpinlockCounterRandom)->Args({0, 0})->Args({0, 1});

// The same workload under each weaker memory model (no detectors): the
// lock's acquire/release ordering keeps it correct there.
BENCHMARK(BM_SpinlockCounterRandom)->Args({1, 0})->Args({2, 0})->Args({3, 0});

// The C path's price: demo/spinlock_counter is plain C seen through the
// instrumentation (targets/demo/demo_scenarios.c); the same workload on
// Shared<T> cells (bench/cell_counter.cc) runs beside it, with the same
// scheduling points and the same seeds. range(0): 0 cells, 1 C;
// range(1): the memory model; lockdep off (the core alone).
void BM_SpinlockCounterCellsVsC(benchmark::State& state) {
  const bool c = state.range(0) != 0;
  Executor executor(c ? Spec("spinlock_counter") : bench::CellSpinlockCounter());
  executor.set_memory_model(static_cast<MemoryModel>(state.range(1)));
  executor.set_lockdep(false);
  state.SetLabel(std::string(c ? "C " : "cells ") +
                 std::string(MemoryModelName(executor.memory_model())));
  RandomLoop(state, executor);
}
BENCHMARK(BM_SpinlockCounterCellsVsC)
    ->Args({0, 0})->Args({1, 0})->Args({0, 1})->Args({1, 1})->Args({0, 3})->Args({1, 3});

// The targets' own scenarios, as campaigns run them: the scenario's memory
// model and detectors (lockdep always, the race detector where the scenario
// asks for it). range(0) picks the scenario.
constexpr const char* kScenarios[][2] = {
    {"spin_mutex", "spin_counter"},  // where the fuzzing aims are stated
    {"fxp", "send"},                 // the driver: TX ring, device, waiter
    {"fxp", "receive"},              // the driver: RX ring, softnet
};

void BM_ScenarioRandom(benchmark::State& state) {
  const auto& [target, variant] = kScenarios[state.range(0)];
  Executor executor(Spec(variant, target));
  state.SetLabel(std::string(target) + "/" + variant + " " +
                 std::string(MemoryModelName(executor.memory_model())));
  RandomLoop(state, executor);
}
BENCHMARK(BM_ScenarioRandom)->DenseRange(0, 2);

void BM_SpinlockCounterNoPreemption(benchmark::State& state) {
  Executor executor(Spec("spinlock_counter"));
  executor.set_lockdep(false);
  NoPreemptionScheduler none;
  uint64_t executions = 0, steps = 0;
  for (auto _ : state) {
    const Execution e = executor.Run(none);
    ++executions;
    steps += e.steps;
  }
  Report(state, executions, steps);
}
BENCHMARK(BM_SpinlockCounterNoPreemption);

long ResidentKiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

// Resident memory must stay flat over a long campaign: measured after the
// first 10% and at the end of 1 M executions.
void BM_ResidentMemoryOverAMillionExecutions(benchmark::State& state) {
  for (auto _ : state) {
    Executor executor(Spec("spinlock_counter"));
    executor.set_lockdep(false);
    RandomScheduler random(1);
    long early = 0;
    const uint64_t n = 1000000;
    for (uint64_t i = 0; i < n; ++i) {
      random.Reseed(ExecutionSeed(7, i));
      executor.Run(random);
      if (i == n / 10) early = ResidentKiB();
    }
    state.counters["rss_kib@100k"] = static_cast<double>(early);
    state.counters["rss_kib@1M"] = static_cast<double>(ResidentKiB());
  }
}
BENCHMARK(BM_ResidentMemoryOverAMillionExecutions)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace smp

BENCHMARK_MAIN();
