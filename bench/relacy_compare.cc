// Relacy and the machine side by side, in one process: the same workloads
// (bench/workload_shape.h), the same number of executions, each with its
// random scheduler. For every row and every round the two are timed back
// to back, in an order that alternates from round to round, so machine
// noise falls on both; a row's ratio is the median over rounds of
//   (our time for N executions) / (Relacy's time for N executions),
// lower is better.
//
//   bazel run --config=opt //bench:relacy_compare -- [--executions=N] [--rounds=R]
//
// Relacy always runs its C++11 relaxed model with its race detector, so
// the "relaxed+races" rows are the like-for-like ones. The spin lock runs
// in its C version too (demo/spinlock_counter: target C through the
// instrumentation, lockdep via the lock annotations).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/relacy_workloads.h"
#include "bench/twin_workloads.h"
#include "core/executor.h"
#include "core/memory_model.h"
#include "core/scenario.h"
#include "schedulers/random_scheduler.h"
#include "schedulers/search.h"

namespace smp::bench {
namespace {

struct Config {
  const char* name;
  MemoryModel model;
  bool lockdep;
  bool races;
};

constexpr Config kConfigs[] = {
    {"SC", MemoryModel::kSC, false, false},
    {"TSO+lockdep", MemoryModel::kTSO, true, false},
    {"relaxed+races", MemoryModel::kRelaxed, false, true},
};

struct Row {
  const char* workload;
  Workload w;
  bool c;  // the spin lock in target C (demo/spinlock_counter)
  Config config;
  std::vector<double> ours, relacy;  // seconds per round
  double points_per_exec = 0;
};

double Seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

const ScenarioSpec& SpecOf(const Row& row) {
  if (!row.c) return TwinScenario(row.w);
  const ScenarioSpec* s = ScenarioRegistry::Global().Find("demo", "spinlock_counter");
  if (s == nullptr) {
    std::fprintf(stderr, "demo/spinlock_counter is not linked in\n");
    std::exit(1);
  }
  return *s;
}

// Our N executions, seeded as a campaign seeds them, each required clean.
double TimeOurs(Row& row, uint64_t n) {
  Executor executor(SpecOf(row));
  executor.set_memory_model(row.config.model);
  executor.set_lockdep(row.config.lockdep);
  executor.set_races(row.config.races);
  RandomScheduler random(1);
  uint64_t steps = 0;
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < n; ++i) {
    random.Reseed(ExecutionSeed(1, i));
    const Execution e = executor.Run(random);
    if (!e.verdict.clean()) {
      std::fprintf(stderr, "%s (%s): execution %llu is not clean\n", row.workload,
                   row.config.name, static_cast<unsigned long long>(i));
      std::exit(1);
    }
    steps += e.steps;
  }
  const double t = Seconds(std::chrono::steady_clock::now() - start);
  row.points_per_exec = static_cast<double>(steps) / static_cast<double>(n);
  return t;
}

double TimeRelacy(const Row& row, uint64_t n) {
  const auto start = std::chrono::steady_clock::now();
  if (!RunRelacy(row.w, n)) {
    std::fprintf(stderr, "%s: Relacy reported a failure\n", row.workload);
    std::exit(1);
  }
  return Seconds(std::chrono::steady_clock::now() - start);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t k = v.size();
  return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
}

bool ParseFlag(const char* arg, const char* name, uint64_t* out) {
  const size_t len = std::strlen(name);
  if (std::strncmp(arg, name, len) != 0 || arg[len] != '=') return false;
  char* end = nullptr;
  *out = std::strtoull(arg + len + 1, &end, 10);
  return end != arg + len + 1 && *end == '\0' && *out > 0;
}

int Main(int argc, char** argv) {
  uint64_t n = 20000, rounds = 5;
  for (int i = 1; i < argc; ++i) {
    if (!ParseFlag(argv[i], "--executions", &n) && !ParseFlag(argv[i], "--rounds", &rounds)) {
      std::fprintf(stderr,
                   "usage: relacy_compare [--executions=N] [--rounds=R]\n"
                   "  N executions per timing (default 20000), R rounds (default 5),\n"
                   "  both positive integers; bad argument: %s\n",
                   argv[i]);
      return 2;
    }
  }

  std::vector<Row> rows;
  const struct {
    const char* name;
    Workload w;
    bool c;
    uint64_t scale;  // executions are this many times N: small workloads
  } workloads[] = {
      {"spinlock (cells)", Workload::kSpinlock, false, 1},
      {"spinlock (C)", Workload::kSpinlock, true, 1},
      {"message passing, fences", Workload::kMessagePassingFenced, false, 4},
      {"message passing, no fences", Workload::kMessagePassingPlain, false, 4},
      {"seqlock", Workload::kSeqlock, false, 2},
  };
  std::vector<uint64_t> scale;
  for (const auto& w : workloads) {
    for (const Config& c : kConfigs) {
      rows.push_back(Row{w.name, w.w, w.c, c, {}, {}, 0});
      scale.push_back(w.scale);
    }
  }

  for (uint64_t r = 0; r < rounds; ++r) {
    std::fprintf(stderr, "round %llu/%llu\n", static_cast<unsigned long long>(r + 1),
                 static_cast<unsigned long long>(rounds));
    for (size_t i = 0; i < rows.size(); ++i) {
      const uint64_t k = n * scale[i];
      if ((r + i) % 2 == 0) {
        rows[i].ours.push_back(TimeOurs(rows[i], k));
        rows[i].relacy.push_back(TimeRelacy(rows[i], k));
      } else {
        rows[i].relacy.push_back(TimeRelacy(rows[i], k));
        rows[i].ours.push_back(TimeOurs(rows[i], k));
      }
    }
  }

  std::printf("%llu rounds; per row N = %llu executions x the workload's scale\n\n",
              static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(n));
  std::printf("| workload | ours | points/exec | ours us/exec | Relacy us/exec | "
              "ours/Relacy (median) | range |\n|---|---|---|---|---|---|---|\n");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const double k = static_cast<double>(n * scale[i]);
    std::vector<double> ratios;
    for (size_t j = 0; j < row.ours.size(); ++j) ratios.push_back(row.ours[j] / row.relacy[j]);
    const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
    std::printf("| %s | %s | %.1f | %.2f | %.2f | **%.2f** | %.2f-%.2f |\n", row.workload,
                row.config.name, row.points_per_exec, Median(row.ours) / k * 1e6,
                Median(row.relacy) / k * 1e6, Median(ratios), *lo, *hi);
  }
  return 0;
}

}  // namespace
}  // namespace smp::bench

int main(int argc, char** argv) { return smp::bench::Main(argc, argv); }
