// The scheduler comparison: for every bug variant of every linked target,
// executions and seconds to the first finding of the variant's declared
// verdict under random scheduling, PCT (d = 1..3) and bounded exhaustive
// search (P=2, I=1, R=1), with a fixed budget of executions per run. Random
// and PCT give the median of --seeds seeds (a run that does not find it
// counts as above every run that does); exhaustive is deterministic, one
// run. libFuzzer columns come from bench/compare.sh, which measures them
// with `smpfuzz fuzz --until-found` and passes them in with --fuzz=FILE.
//
//   bench/compare.sh                  # everything, the table in docs/schedulers.md
//   bazel run --config=opt //bench:compare -- --budget=20000 --seeds=5
//
// Prints a markdown table. Wall time is measured for the table only.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "core/verdict.h"
#include "schedulers/bounded.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/search.h"

namespace smp {
namespace {

struct Flags {
  uint64_t budget = 20000;             // executions per random/PCT run
  uint64_t seeds = 5;
  uint64_t exhaustive_budget = 200000;  // executions of the bounded search
  std::string target;                  // empty: all
  std::string fuzz;                    // libFuzzer cells, from compare.sh
};

struct Sample {
  bool found = false;
  uint64_t executions = 0;
  double seconds = 0;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
      .count();
}

Sample SearchOnce(const ScenarioSpec& spec, SchedulerKind kind, int depth,
                  uint64_t seed, uint64_t budget) {
  SearchOptions o;
  o.seed = seed;
  o.runs = budget;
  o.scheduler = kind;
  o.depth = depth;
  o.all_findings = true;
  o.stop_kind = spec.expected;
  const auto start = std::chrono::steady_clock::now();
  const SearchResult r = RunSearch(spec, o);
  Sample s;
  s.seconds = Seconds(start);
  for (const Finding& f : r.findings) {
    if (f.verdict.kind == spec.expected) {
      s.found = true;
      s.executions = f.execution + 1;
      break;
    }
  }
  if (!s.found) s.executions = r.executions;
  return s;
}

// "12 / 0.4ms": executions, then wall time.
std::string Time(double seconds) {
  char buf[32];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%.1fms", seconds * 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%.2fs", seconds);
  }
  return buf;
}

std::string Cell(std::vector<Sample> samples, uint64_t budget) {
  // Not found sorts last; the median is the middle one.
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
    if (a.found != b.found) return a.found;
    return a.executions < b.executions;
  });
  const Sample& m = samples[(samples.size() - 1) / 2];
  int hits = 0;
  for (const Sample& s : samples) hits += s.found;
  char buf[96];
  if (!m.found) {
    std::snprintf(buf, sizeof buf, ">%llu (%d/%zu)",
                  static_cast<unsigned long long>(budget), hits, samples.size());
  } else if (hits == static_cast<int>(samples.size())) {
    std::snprintf(buf, sizeof buf, "%llu / %s",
                  static_cast<unsigned long long>(m.executions), Time(m.seconds).c_str());
  } else {
    std::snprintf(buf, sizeof buf, "%llu / %s (%d/%zu)",
                  static_cast<unsigned long long>(m.executions), Time(m.seconds).c_str(),
                  hits, samples.size());
  }
  return buf;
}

std::string Exhaustive(const ScenarioSpec& spec, uint64_t budget) {
  BoundedOptions o;
  o.max_executions = budget;
  o.all_findings = true;
  o.stop_kind = spec.expected;
  const auto start = std::chrono::steady_clock::now();
  const BoundedResult r = RunBounded(spec, o);
  const double seconds = Seconds(start);
  char buf[96];
  for (const Finding& f : r.findings) {
    if (f.verdict.kind != spec.expected) continue;
    std::snprintf(buf, sizeof buf, "%llu / %s",
                  static_cast<unsigned long long>(f.execution + 1), Time(seconds).c_str());
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%s %llu / %s", r.complete ? "clean at" : ">",
                static_cast<unsigned long long>(r.executions), Time(seconds).c_str());
  return buf;
}

// Rows of bench/compare.sh's libFuzzer file: "name<TAB>with<TAB>without".
std::map<std::string, std::pair<std::string, std::string>> ReadFuzz(
    const std::string& path) {
  std::map<std::string, std::pair<std::string, std::string>> cells;
  if (path.empty()) return cells;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::stringstream row(line);
    std::string name, with, without;
    if (std::getline(row, name, '\t') && std::getline(row, with, '\t') &&
        std::getline(row, without, '\t')) {
      cells[name] = {with, without};
    }
  }
  return cells;
}

bool ParseFlag(const std::string& arg, const char* name, std::string* value) {
  const std::string prefix = std::string("--") + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  *value = arg.substr(prefix.size());
  return true;
}

int Main(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    std::string v;
    if (ParseFlag(arg, "budget", &v)) {
      flags.budget = std::stoull(v);
    } else if (ParseFlag(arg, "seeds", &v)) {
      flags.seeds = std::max<uint64_t>(1, std::stoull(v));
    } else if (ParseFlag(arg, "exhaustive-budget", &v)) {
      flags.exhaustive_budget = std::stoull(v);
    } else if (ParseFlag(arg, "target", &v)) {
      flags.target = v;
    } else if (ParseFlag(arg, "fuzz", &v)) {
      flags.fuzz = v;
    } else if (arg == "--list") {  // the bug variants, for compare.sh
      for (const ScenarioSpec* spec : ScenarioRegistry::Global().All()) {
        if (spec->expected == VerdictKind::kClean) continue;
        std::printf("%s %s\n", spec->name().c_str(),
                    std::string(VerdictKindName(spec->expected)).c_str());
      }
      return 0;
    } else {
      std::fprintf(stderr,
                   "usage: compare [--budget=N] [--seeds=S] "
                   "[--exhaustive-budget=N] [--target=T] [--fuzz=FILE] | --list\n");
      return 2;
    }
  }
  const auto fuzz = ReadFuzz(flags.fuzz);
  std::printf("| variant | expects | random | PCT d=1 | PCT d=2 | PCT d=3 | "
              "exhaustive P2 I1 R1 |%s\n",
              fuzz.empty() ? "" : " libFuzzer + interleaving cov., s | libFuzzer, s |");
  std::printf("|---|---|---|---|---|---|---|%s\n", fuzz.empty() ? "" : "---|---|");
  for (const ScenarioSpec* spec : ScenarioRegistry::Global().All()) {
    if (spec->expected == VerdictKind::kClean) continue;
    if (!flags.target.empty() && spec->target != flags.target) continue;
    std::vector<std::string> cells;
    for (int depth = 0; depth <= 3; ++depth) {  // 0: random
      std::vector<Sample> samples;
      for (uint64_t seed = 1; seed <= flags.seeds; ++seed) {
        samples.push_back(SearchOnce(
            *spec, depth == 0 ? SchedulerKind::kRandom : SchedulerKind::kPct,
            std::max(depth, 1), seed, flags.budget));
      }
      cells.push_back(Cell(samples, flags.budget));
    }
    cells.push_back(Exhaustive(*spec, flags.exhaustive_budget));
    std::printf("| %s | %s |", spec->name().c_str(),
                std::string(VerdictKindName(spec->expected)).c_str());
    for (const std::string& c : cells) std::printf(" %s |", c.c_str());
    if (!fuzz.empty()) {
      auto it = fuzz.find(spec->name());
      if (it == fuzz.end()) {
        std::printf(" - | - |");
      } else {
        std::printf(" %s | %s |", it->second.first.c_str(),
                    it->second.second.c_str());
      }
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace smp

int main(int argc, char** argv) { return smp::Main(argc, argv); }
