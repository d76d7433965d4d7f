#include "repro/cli.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/executor.h"
#include "core/memory.h"
#include "core/trace.h"
#include "core/scenario.h"
#include "core/trace_json.h"
#include "replay/findings.h"
#include "replay/fuzz_input.h"
#include "replay/minimize.h"
#include "replay/printable.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "repro/campaign.h"
#include "repro/shard_result.h"
#include "schedulers/bounded.h"
#include "schedulers/bounded_estimate.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"

namespace smp {
namespace {

constexpr int kOk = 0;
constexpr int kVerdict = 1;
constexpr int kBadInput = 2;

constexpr char kUsage[] =
    "usage:\n"
    "  smpfuzz list\n"
    "      targets, their variants, expected verdicts and descriptions\n"
    "  smpfuzz run --target=NAME [--variant=V] [--runs=N] [--seed=S]\n"
    "              [--scheduler=random|pct|exhaustive|none] [--depth=D]\n"
    "              [--preemptions=P] [--interrupts=I] [--reorderings=R]\n"
    "              [--prefix=FILE] [--shard=i/n] [--model=sc|tso|pso|relaxed]\n"
    "              [--membar-enter=acquire|store-before] [--max-steps=N] [--all]\n"
    "              [--races] [--no-lockdep] [--out=DIR] [--no-save] [--estimate=N]\n"
    "              [--no-reduction] [--result=FILE]\n"
    "      search every variant of NAME (or just V) with N executions each\n"
    "      (default 10000, seed 1); save each distinct finding under DIR\n"
    "      (default findings/) with its schedule, trace and replay command.\n"
    "      --model and --membar-enter replace the scenario's own memory model\n"
    "      and meaning of membar_enter.\n"
    "      pct: PCT of depth D (default 3). exhaustive: every execution with\n"
    "      at most P preemptions, I interrupts, R reorderings (default 2, 1,\n"
    "      1; N caps it, default 1000000), from the decisions of the schedule\n"
    "      FILE (its scenario), or shard i of n of the search; with\n"
    "      --estimate=N, only estimate each search's size and time from N\n"
    "      random probes of its tree; --no-reduction: run every bounded\n"
    "      interleaving, without the drain and preemption reductions;\n"
    "      --result=FILE: also write the search of one scenario (one shard)\n"
    "      as a result file for merge, atomically\n"
    "  smpfuzz fuzz --target=NAME [--variant=V] [--time=60s] [--jobs=N]\n"
    "              [--out=DIR] [--fuzzer=PATH] [--no-interleaving-coverage]\n"
    "              [--until-found] [--until=KIND] [--any-model]\n"
    "      a libFuzzer campaign on the target's fuzzer (tools/smpfuzz builds\n"
    "      it); findings are saved as they appear, the corpus is kept for\n"
    "      the next campaign; Ctrl-C stops it and loses nothing;\n"
    "      --until-found stops at the first new finding, --until=KIND at\n"
    "      the first new one of that verdict kind; each scenario runs its\n"
    "      own memory model, --any-model lets inputs choose (a finding is\n"
    "      reported under the strongest model that still shows it)\n"
    "  smpfuzz merge DIR [--shards=N] [--missing]\n"
    "      add up the shard results (--result) in DIR: the certificate\n"
    "      \"clean up to P, I, R: N executions in n shards\" or the findings;\n"
    "      exit 0/1 as run, 2 for mixed builds, scenarios, models, settings,\n"
    "      bounds or shard counts, a shard twice or missing; --missing: print\n"
    "      only the shards still to run (missing or stopped at --runs), as\n"
    "      1,3 (sbatch --array syntax)\n"
    "  smpfuzz minimize FILE [--out=PATH] [--max-executions=N]\n"
    "      the smallest schedule with the same verdict signature, written to\n"
    "      FILE.min.textproto (or PATH); prints its depth and PCT bound\n"
    "  smpfuzz replay FILE [--expect=KIND] [--quiet] [--json=PATH] [--target=T] [--any-model]\n"
    "      re-run a saved schedule (text or binary) and print its trace;\n"
    "      exit 0 if clean (or KIND reproduced), 1 on a verdict, 2 bad input\n";

// --name=value flags after the command; positional arguments kept in order.
struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
};

std::optional<Args> ParseArgs(const std::vector<std::string>& args, size_t from,
                              const std::set<std::string>& known,
                              const std::set<std::string>& booleans,
                              std::ostream& err) {
  Args a;
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.rfind("--", 0) != 0) {
      a.positional.push_back(s);
      continue;
    }
    const size_t eq = s.find('=');
    const std::string name = s.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (known.count(name) == 0 && booleans.count(name) == 0) {
      err << "smpfuzz: unknown flag --" << name << " for " << args[0] << "\n"
          << kUsage;
      return std::nullopt;
    }
    if (booleans.count(name) != 0) {
      if (eq != std::string::npos) {
        err << "smpfuzz: --" << name << " takes no value\n";
        return std::nullopt;
      }
      a.flags[name] = "1";
    } else {
      if (eq == std::string::npos) {
        err << "smpfuzz: --" << name << " needs a value (--" << name << "=...)\n";
        return std::nullopt;
      }
      a.flags[name] = s.substr(eq + 1);
    }
  }
  return a;
}

bool ParseCount(const Args& a, const std::string& name, uint64_t* value,
                std::ostream& err) {
  auto it = a.flags.find(name);
  if (it == a.flags.end()) return true;
  if (!absl::SimpleAtoi(it->second, value)) {
    err << "smpfuzz: --" << name << " wants a non-negative integer, not '"
        << it->second << "'\n";
    return false;
  }
  return true;
}

// The width of the scenario column: the longest "target/variant" of `specs`.
int NameWidth(const std::vector<const ScenarioSpec*>& specs) {
  size_t width = std::string("scenario").size();
  for (const ScenarioSpec* s : specs) width = std::max(width, s->name().size());
  return static_cast<int>(width);
}

int List(std::ostream& out) {
  const std::vector<const ScenarioSpec*>& all = ScenarioRegistry::Global().All();
  const int w = NameWidth(all);
  out << absl::StrFormat("%-*s %-14s %-5s %s\n", w, "scenario", "expects", "cpus",
                         "description");
  for (const ScenarioSpec* s : all) {
    out << absl::StrFormat("%-*s %-14s %-5d %s\n", w, s->name(),
                           VerdictKindName(s->expected), s->num_cpus,
                           s->description);
  }
  return kOk;
}

// `smpfuzz run --scheduler=exhaustive --estimate=N`: how big each bounded
// search would be, from N probes, and how long it would take at the
// probes' own rate. Runs no search and saves nothing.
int EstimateOnly(const std::vector<const ScenarioSpec*>& specs, const BoundedOptions& bounded,
                 uint64_t probes, uint64_t seed, std::ostream& out) {
  const std::string bound =
      absl::StrCat("P=", bounded.bounds.preemptions, ", I=", bounded.bounds.interrupts,
                   ", R=", bounded.bounds.reorderings);
  out << "smpfuzz run: estimating the exhaustive search up to " << bound << " from "
      << probes << " probes per scenario (seed " << seed << ")\n\n";
  const int w = NameWidth(specs);
  out << absl::StrFormat("%-*s %14s %8s %10s %12s\n", w, "scenario", "executions",
                         "error", "exec/s", "would take");
  for (const ScenarioSpec* spec : specs) {
    // Wall time is reported, never used to decide anything.
    const auto start = std::chrono::steady_clock::now();
    const BoundedEstimate e = EstimateBounded(*spec, bounded, probes, seed);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = seconds > 0 ? static_cast<double>(e.probes) / seconds : 0.0;
    std::string takes = "?";
    if (rate > 0) {
      const double t = e.executions / rate;
      takes = t < 120      ? absl::StrFormat("%.0f s", t)
              : t < 7200   ? absl::StrFormat("%.0f min", t / 60)
              : t < 172800 ? absl::StrFormat("%.1f h", t / 3600)
                           : absl::StrFormat("%.0f days", t / 86400);
    }
    out << absl::StrFormat("%-*s %14.3g %7.0f%% %10.0f %12s\n", w, spec->name(),
                           e.executions,
                           e.executions > 0 ? 100 * e.standard_error / e.executions : 0.0,
                           rate, takes);
  }
  out << "\n(error: one standard error of the estimate; exec/s: the probes' own rate, "
         "one core; the whole tree, though a search stops at --runs="
      << bounded.max_executions << " and a bug variant's at its first finding; "
      << "under SC, the tree without the preemption reduction, which the search "
         "runs less of; docs/schedulers.md)\n";
  return kOk;
}

// What --result records of one scenario's bounded search (findings are
// added as they are saved): everything that decides which executions ran
// and how they were judged, resolved against the scenario's own defaults.
ShardResult ShardRecord(const ScenarioSpec& spec, const BoundedOptions& o,
                        const BoundedResult& b) {
  ShardResult r;
  r.build = BuildId();
  r.scenario = spec.name();
  r.expects = std::string(VerdictKindName(spec.expected));
  r.model = std::string(MemoryModelName(o.memory_model.value_or(spec.memory_model)));
  const bool store_before =
      o.enter_meaning.value_or(spec.enter_meaning) == EnterMeaning::kStoreBefore;
  r.settings = absl::StrCat(
      "membar_enter=", store_before ? "store-before" : "acquire",
      " lockdep=", o.lockdep ? "on" : "off",
      " races=", o.detect_races.value_or(spec.detect_races) ? "on" : "off",
      " reduction=", o.reduce_drains || o.reduce_preemptions ? "on" : "off",
      " max_steps=", o.max_steps != 0 ? o.max_steps : spec.max_steps, " prefix=",
      o.prefix.empty()
          ? std::string("none")
          : absl::StrFormat("%016x", HashText(absl::StrJoin(o.prefix, ","))));
  r.preemptions = o.bounds.preemptions;
  r.interrupts = o.bounds.interrupts;
  r.reorderings = o.bounds.reorderings;
  r.shard = o.shard;
  r.shards = o.shards;
  r.executions = b.executions;
  r.pruned = b.pruned;
  r.stopped_early = b.diverged                              ? "diverged"
                    : b.complete                            ? "no"
                    : b.executions >= o.max_executions      ? "runs"
                                                            : "finding";
  return r;
}

int Run(const std::vector<std::string>& args, std::ostream& out,
        std::ostream& err, const std::string& self) {
  std::optional<Args> a = ParseArgs(
      args, 1,
      {"target", "variant", "runs", "seed", "scheduler", "max-steps", "out", "model",
       "membar-enter", "depth", "preemptions", "interrupts", "reorderings", "prefix", "shard", "estimate",
       "result"},
      {"all", "no-save", "races", "no-lockdep", "no-reduction"}, err);
  if (!a) return kBadInput;
  if (!a->positional.empty()) {
    err << "smpfuzz: run takes no positional argument ('" << a->positional[0]
        << "')\n";
    return kBadInput;
  }
  auto target = a->flags.find("target");
  if (target == a->flags.end()) {
    err << "smpfuzz: run needs --target=NAME (see `" << self << " list`)\n";
    return kBadInput;
  }
  std::vector<const ScenarioSpec*> specs =
      ScenarioRegistry::Global().ForTarget(target->second);
  if (specs.empty()) {
    err << "smpfuzz: unknown target '" << Printable(target->second) << "' (see `"
        << self << " list`)\n";
    return kBadInput;
  }
  if (auto v = a->flags.find("variant"); v != a->flags.end()) {
    const ScenarioSpec* spec =
        ScenarioRegistry::Global().Find(target->second, v->second);
    if (spec == nullptr) {
      err << "smpfuzz: target '" << Printable(target->second) << "' has no variant '"
          << Printable(v->second) << "' (see `" << self << " list`)\n";
      return kBadInput;
    }
    specs = {spec};
  }
  SearchOptions options;
  bool exhaustive = false;
  BoundedOptions bounded;
  if (!ParseCount(*a, "runs", &options.runs, err) ||
      !ParseCount(*a, "seed", &options.seed, err) ||
      !ParseCount(*a, "max-steps", &options.max_steps, err)) {
    return kBadInput;
  }
  if (a->flags.count("runs") != 0 && options.runs == 0) {
    err << "smpfuzz: --runs wants at least 1 execution\n";
    return kBadInput;
  }
  // A saved schedule records the budget in 32 bits.
  if (options.max_steps > UINT32_MAX) {
    err << "smpfuzz: --max-steps wants at most " << UINT32_MAX << "\n";
    return kBadInput;
  }
  options.all_findings = a->flags.count("all") != 0;
  if (auto s = a->flags.find("scheduler"); s != a->flags.end()) {
    if (s->second == "random") {
      options.scheduler = SchedulerKind::kRandom;
    } else if (s->second == "none") {
      options.scheduler = SchedulerKind::kNoPreemption;
    } else if (s->second == "pct") {
      options.scheduler = SchedulerKind::kPct;
    } else if (s->second == "exhaustive") {
      exhaustive = true;
    } else {
      err << "smpfuzz: unknown scheduler '" << s->second
          << "' (random, pct, exhaustive or none)\n";
      return kBadInput;
    }
  }
  uint64_t depth = 3;
  if (!ParseCount(*a, "depth", &depth, err)) return kBadInput;
  if (depth < 1 || depth > 64) {
    err << "smpfuzz: --depth wants 1 to 64\n";
    return kBadInput;
  }
  options.depth = static_cast<int>(depth);
  if (options.scheduler != SchedulerKind::kPct && a->flags.count("depth") != 0) {
    err << "smpfuzz: --depth is for --scheduler=pct\n";
    return kBadInput;
  }
  for (const char* name :
       {"preemptions", "interrupts", "reorderings", "prefix", "shard", "estimate",
        "no-reduction", "result"}) {
    if (!exhaustive && a->flags.count(name) != 0) {
      err << "smpfuzz: --" << name << " is for --scheduler=exhaustive\n";
      return kBadInput;
    }
  }
  if (exhaustive) {
    uint64_t p = 2, i = 1, r = 1;
    if (!ParseCount(*a, "preemptions", &p, err) ||
        !ParseCount(*a, "interrupts", &i, err) ||
        !ParseCount(*a, "reorderings", &r, err)) {
      return kBadInput;
    }
    if (p > 64 || i > 64 || r > 64) {
      err << "smpfuzz: bounds above 64 would never finish\n";
      return kBadInput;
    }
    bounded.bounds = Bounds{static_cast<int>(p), static_cast<int>(i), static_cast<int>(r)};
    bounded.max_executions = a->flags.count("runs") != 0 ? options.runs : 1000000;
    if (auto sh = a->flags.find("shard"); sh != a->flags.end()) {
      const size_t slash = sh->second.find('/');
      uint32_t index = 0, count = 0;
      if (slash == std::string::npos ||
          !absl::SimpleAtoi(sh->second.substr(0, slash), &index) ||
          !absl::SimpleAtoi(sh->second.substr(slash + 1), &count) || count == 0 ||
          index >= count) {
        err << "smpfuzz: --shard wants i/n with 0 <= i < n, not '" << sh->second
            << "'\n";
        return kBadInput;
      }
      bounded.shard = index;
      bounded.shards = count;
    }
    if (auto pf = a->flags.find("prefix"); pf != a->flags.end()) {
      absl::StatusOr<proto::Schedule> schedule = ReadScheduleFile(pf->second);
      if (!schedule.ok()) {
        err << "smpfuzz: " << schedule.status().message() << "\n";
        return kBadInput;
      }
      const ScenarioSpec& spec = ScenarioOf(*schedule);
      if (spec.target != target->second ||
          (a->flags.count("variant") != 0 && spec.variant != a->flags["variant"])) {
        err << "smpfuzz: --prefix " << pf->second << " is a schedule of "
            << spec.name() << ", not of the scenario(s) searched\n";
        return kBadInput;
      }
      specs = {&spec};
      // The schedule's own configuration, unless --model or --membar-enter
      // overrides it.
      const RunConfig config = RunConfig::Of(*schedule);
      bounded.memory_model = config.memory_model;
      bounded.enter_meaning = config.enter_meaning;
      Executor executor(spec);
      config.ApplyTo(executor);
      ScheduleRun run = SchedulerFor(*schedule);
      bounded.prefix = DeviationPrefix(executor, *run.scheduler, config.max_steps);
    }
  }
  if (auto m = a->flags.find("model"); m != a->flags.end()) {
    options.memory_model = ParseMemoryModel(m->second);
    if (!options.memory_model) {
      err << "smpfuzz: unknown memory model '" << m->second
          << "' (sc, tso, pso or relaxed)\n";
      return kBadInput;
    }
  }
  if (auto m = a->flags.find("membar-enter"); m != a->flags.end()) {
    if (m->second == "acquire") {
      options.enter_meaning = EnterMeaning::kAcquire;
    } else if (m->second == "store-before") {
      options.enter_meaning = EnterMeaning::kStoreBefore;
    } else {
      err << "smpfuzz: unknown membar_enter meaning '" << Printable(m->second)
          << "' (acquire or store-before)\n";
      return kBadInput;
    }
  }
  if (a->flags.count("races") != 0) options.detect_races = true;
  // Lockdep predicts lock-order and IPL-safety bugs from executions that
  // did not fail; without it a search reports only what actually happened.
  if (a->flags.count("no-lockdep") != 0) options.lockdep = false;
  bounded.lockdep = options.lockdep;
  // The reductions prune interleavings, never verdicts (docs/schedulers.md);
  // without them, to cross-check one or to count every interleaving.
  if (a->flags.count("no-reduction") != 0) {
    bounded.reduce_drains = false;
    bounded.reduce_preemptions = false;
  }
  if (options.memory_model) bounded.memory_model = options.memory_model;
  if (options.enter_meaning) bounded.enter_meaning = options.enter_meaning;
  bounded.detect_races = options.detect_races;
  bounded.max_steps = options.max_steps;
  uint64_t estimate = 0;
  if (!ParseCount(*a, "estimate", &estimate, err)) return kBadInput;
  if (a->flags.count("estimate") != 0) {
    if (estimate < 2) {
      err << "smpfuzz: --estimate wants at least 2 probes (the error needs two)\n";
      return kBadInput;
    }
    for (const char* name : {"shard", "all", "out", "result"}) {
      if (a->flags.count(name) != 0) {
        err << "smpfuzz: --" << name << " does not go with --estimate, which "
            << "estimates the whole tree and runs no search\n";
        return kBadInput;
      }
    }
    return EstimateOnly(specs, bounded, estimate, options.seed, out);
  }

  const std::string result_path =
      a->flags.count("result") != 0 ? a->flags["result"] : std::string();
  if (!result_path.empty() && specs.size() != 1) {
    err << "smpfuzz: --result records one scenario's search: give --variant "
        << "(target " << Printable(target->second) << " has " << specs.size() << ")\n";
    return kBadInput;
  }
  if (a->flags.count("result") != 0 && result_path.empty()) {
    err << "smpfuzz: --result wants a file name\n";
    return kBadInput;
  }
  if (!result_path.empty()) {
    // Its folder must take the file at the end, not hours later.
    const std::string folder = std::filesystem::path(result_path).parent_path().string();
    absl::Status st = CheckWritable(folder.empty() ? "." : folder);
    if (!st.ok()) {
      err << "smpfuzz: --result: " << st.message() << "\n";
      return kBadInput;
    }
  }

  const bool save = a->flags.count("no-save") == 0;
  const std::string out_dir =
      a->flags.count("out") != 0 ? a->flags["out"] : std::string("findings");
  if (save) {
    absl::Status st = CheckWritable(out_dir);
    if (!st.ok()) {
      err << "smpfuzz: " << st.message() << "\n";
      return kBadInput;
    }
  }

  if (exhaustive) {
    out << "smpfuzz run: target " << target->second << ", " << specs.size()
        << " scenario(s), exhaustive up to P=" << bounded.bounds.preemptions
        << ", I=" << bounded.bounds.interrupts
        << ", R=" << bounded.bounds.reorderings;
    if (!bounded.prefix.empty()) {
      out << " after a prefix of " << bounded.prefix.size() << " decision(s)";
    }
    if (bounded.shards > 1) out << ", shard " << bounded.shard << "/" << bounded.shards;
    out << " (at most " << bounded.max_executions << " executions each)\n\n";
  } else {
    out << "smpfuzz run: target " << target->second << ", " << specs.size()
        << " scenario(s), " << options.runs << " executions each, seed "
        << options.seed;
    if (options.scheduler == SchedulerKind::kPct) out << ", PCT depth " << options.depth;
    out << "\n\n";
  }
  struct Row {
    const ScenarioSpec* spec;
    SearchResult result;
    double seconds;
  };
  std::vector<Row> rows;
  int unexpected = 0;
  for (const ScenarioSpec* spec : specs) {
    // Wall time is reported, never used to decide anything.
    const auto start = std::chrono::steady_clock::now();
    // Unless --all: keep going past other findings (lockdep's predictions,
    // say) until the scenario's declared verdict shows, or the budget ends.
    SearchOptions scenario_options = options;
    if (!options.all_findings && spec->expected != VerdictKind::kClean) {
      scenario_options.all_findings = true;
      scenario_options.stop_kind = spec->expected;
    }
    SearchResult r;
    std::string summary;
    ShardResult record;  // --result
    if (exhaustive) {
      BoundedOptions o = bounded;
      o.all_findings = scenario_options.all_findings;
      o.stop_kind = scenario_options.stop_kind;
      // A bounded search can run for hours: say it is alive, on stderr,
      // every million executions (a count, never a clock).
      BoundedResult b = RunBounded(*spec, o, [&](const BoundedResult& p) {
        if (p.executions % 1000000 != 0) return;
        err << spec->name() << ": " << p.executions
            << " executions, not exhausted yet\n";
        err.flush();
      });
      r.executions = b.executions;
      r.steps = b.steps;
      r.findings = std::move(b.findings);
      record = ShardRecord(*spec, o, b);
      const std::string bound = absl::StrCat(
          "P=", o.bounds.preemptions, ", I=", o.bounds.interrupts,
          ", R=", o.bounds.reorderings);
      if (b.diverged) {
        summary = "the prefix did not replay on this build: the search is not "
                  "around it";
      } else if (r.findings.empty() && b.complete) {
        summary = absl::StrCat("clean up to ", bound, ": ", b.executions,
                               " executions");
      } else if (r.findings.empty()) {
        summary = absl::StrCat("not exhausted: ", b.executions,
                               " executions within ", bound,
                               " ran without a finding (raise --runs)");
      }
      if (!summary.empty() && b.drains_reduced) {
        summary += " (early drains only where observable: docs/schedulers.md)";
      }
      if (!summary.empty() && b.preemptions_reduced) {
        summary += absl::StrCat(" (", b.pruned,
                                " more stopped early: their preemption commuted, "
                                "docs/schedulers.md)");
      }
      if (!summary.empty() && o.shards > 1) {
        summary += absl::StrCat(" (shard ", o.shard, "/", o.shards, ", ",
                                b.probes, " executions walked other shards)");
      }
    } else {
      r = RunSearch(*spec, scenario_options);
      if (options.scheduler == SchedulerKind::kPct) {
        const std::string bound = absl::StrFormat(
            "%.3g", PctScheduler::Bound(r.pct_agents, r.pct_steps, options.depth));
        summary = absl::StrCat("PCT d=", options.depth, ": n=", r.pct_agents,
                               " agents, k=", r.pct_steps,
                               " decisions, bound 1/(n*k^(d-1)) = ", bound);
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (!summary.empty()) out << spec->name() << ": " << summary << "\n";
    for (const Finding& f : r.findings) {
      out << "== " << spec->name() << ": " << VerdictKindName(f.verdict.kind)
          << " after " << (f.execution + 1) << " execution(s)\n"
          << f.verdict.message << "\n";
      std::string saved_path = "-";
      if (save) {
        absl::StatusOr<SavedFinding> saved = SaveMinimized(out_dir, *spec, f, self);
        if (!saved.ok()) {
          err << "smpfuzz: " << saved.status().message() << "\n";
          return kBadInput;
        }
        out << (saved->already_known ? "   (already in " : "   saved in ")
            << saved->dir << (saved->already_known ? ")" : "") << "\n"
            << "   replay: " << self << " replay " << saved->schedule_path
            << "\n";
        saved_path = saved->schedule_path;
      }
      record.findings.push_back(ShardFinding{
          std::string(VerdictKindName(f.verdict.kind)), saved_path, f.verdict.signature});
      out << "\n";
    }
    if (!result_path.empty()) {
      absl::Status st = WriteShardResult(result_path, record);
      if (!st.ok()) {
        err << "smpfuzz: --result: " << st.message() << "\n";
        return kBadInput;
      }
      out << "wrote " << result_path << "\n\n";
    }
    bool expected_seen = r.findings.empty() && spec->expected == VerdictKind::kClean;
    for (const Finding& f : r.findings) expected_seen |= f.verdict.kind == spec->expected;
    if (!expected_seen) ++unexpected;
    rows.push_back(Row{spec, std::move(r), seconds});
  }

  const int w = NameWidth(specs);
  out << absl::StrFormat("%-*s %-14s %-26s %10s %10s\n", w, "scenario", "expects",
                         "found", "executions", "exec/s");
  for (const Row& row : rows) {
    std::string found = "clean";
    if (!row.result.findings.empty()) {
      found.clear();
      for (const Finding& f : row.result.findings) {
        if (!found.empty()) found += ",";
        found += std::string(VerdictKindName(f.verdict.kind));
      }
    }
    out << absl::StrFormat(
        "%-*s %-14s %-26s %10d %10.0f\n", w, row.spec->name(),
        VerdictKindName(row.spec->expected), found, row.result.executions,
        row.seconds > 0 ? static_cast<double>(row.result.executions) / row.seconds
                        : 0.0);
  }
  if (unexpected != 0) {
    out << "\n" << unexpected
        << " scenario(s) did not produce their expected verdict within the "
           "budget.\n";
    return kVerdict;  // a script (or CI) can tell without parsing the table
  }
  return kOk;
}

// `smpfuzz merge DIR [--shards=N] [--missing]`: the shard results in DIR
// (repro/shard_result.h) added up into one certificate or one list of
// findings; with --missing, only the shards still to run.
int Merge(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          const std::string& self) {
  std::optional<Args> a = ParseArgs(args, 1, {"shards"}, {"missing"}, err);
  if (!a) return kBadInput;
  if (a->positional.size() != 1) {
    err << "smpfuzz: merge takes exactly one folder of shard results\n" << kUsage;
    return kBadInput;
  }
  const std::string& dir = a->positional[0];
  std::optional<uint32_t> shards;
  if (a->flags.count("shards") != 0) {
    uint64_t n = 0;
    if (!ParseCount(*a, "shards", &n, err)) return kBadInput;
    if (n < 1 || n > UINT32_MAX) {
      err << "smpfuzz: --shards wants at least 1\n";
      return kBadInput;
    }
    shards = static_cast<uint32_t>(n);
  }
  const bool missing = a->flags.count("missing") != 0;
  absl::StatusOr<std::vector<std::pair<std::string, ShardResult>>> results =
      ReadShardResults(dir);
  if (!results.ok()) {
    err << "smpfuzz: merge: " << results.status().message() << "\n";
    return kBadInput;
  }
  absl::StatusOr<MergedResult> m = MergeShardResults(*results, shards, missing);
  if (!m.ok()) {
    err << "smpfuzz: merge: " << Printable(dir) << ": " << m.status().message()
        << "\n";
    return kBadInput;
  }
  if (missing) {
    // Slurm's --array syntax, and a list a shell loop takes apart.
    std::vector<uint32_t> run = m->missing;
    run.insert(run.end(), m->unfinished.begin(), m->unfinished.end());
    std::sort(run.begin(), run.end());
    if (!run.empty()) out << absl::StrJoin(run, ",") << "\n";
    return kOk;
  }
  out << "smpfuzz merge: " << m->shards << " shard result(s) in " << dir << ": "
      << m->scenario << " under " << m->model << ", build " << m->build << "\n";
  for (const auto& [shard, f] : m->findings) {
    out << "== " << m->scenario << ": " << f.kind << " (shard " << shard << "/"
        << m->shards << ")\n   " << f.signature << "\n";
    if (f.schedule != "-") out << "   replay: " << self << " replay " << f.schedule << "\n";
  }
  bool expected_seen = m->findings.empty() && m->expects == "clean";
  for (const auto& [shard, f] : m->findings) expected_seen |= f.kind == m->expects;
  if (!m->findings.empty()) {
    out << m->scenario << ": " << m->findings.size() << " finding(s) in "
        << m->executions << " executions of " << m->shards << " shards (expects "
        << m->expects << ")\n";
    return expected_seen ? kOk : kVerdict;
  }
  if (!m->unfinished.empty()) {
    out << m->scenario << ": not exhausted: shard(s) " << absl::StrJoin(m->unfinished, ",")
        << " stopped before the end of their part (raise --runs and run them again; "
           "`merge --missing` lists them)\n";
    return kVerdict;
  }
  out << m->scenario << ": clean up to " << m->bound << ": " << m->executions
      << " executions in " << m->shards << " shards";
  if (m->pruned != 0) out << " (" << m->pruned << " more stopped early: their preemption commuted)";
  out << "\n";
  return expected_seen ? kOk : kVerdict;
}

// "90", "90s", "2m", "1h": seconds.
bool ParseDuration(const std::string& text, double* seconds) {
  if (text.empty()) return false;
  double unit = 1;
  std::string number = text;
  switch (text.back()) {
    case 's': number.pop_back(); break;
    case 'm': unit = 60; number.pop_back(); break;
    case 'h': unit = 3600; number.pop_back(); break;
    default: break;
  }
  uint64_t n = 0;
  if (!absl::SimpleAtoi(number, &n) || n == 0 || n > 30 * 24 * 3600) return false;
  *seconds = static_cast<double>(n) * unit;
  return true;
}

int Fuzz(const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err, const std::string& self) {
  std::optional<Args> a = ParseArgs(
      args, 1,
      {"target", "variant", "time", "jobs", "out", "fuzzer", "seeds", "max-len",
       "until"},
      {"no-interleaving-coverage", "until-found", "any-model"}, err);
  if (!a) return kBadInput;
  if (!a->positional.empty()) {
    err << "smpfuzz: fuzz takes no positional argument ('" << a->positional[0]
        << "')\n";
    return kBadInput;
  }
  CampaignOptions o;
  o.self = self;
  if (a->flags.count("target") == 0) {
    err << "smpfuzz: fuzz needs --target=NAME (see `" << self << " list`)\n";
    return kBadInput;
  }
  o.target = a->flags["target"];
  if (a->flags.count("variant") != 0) o.variant = a->flags["variant"];
  if (a->flags.count("time") != 0 && !ParseDuration(a->flags["time"], &o.seconds)) {
    err << "smpfuzz: --time wants a duration such as 60s, 5m or 1h, not '"
        << a->flags["time"] << "'\n";
    return kBadInput;
  }
  uint64_t n = 1;
  if (!ParseCount(*a, "jobs", &n, err)) return kBadInput;
  if (n == 0 || n > 64) {
    err << "smpfuzz: --jobs wants 1 to 64\n";
    return kBadInput;
  }
  o.jobs = static_cast<int>(n);
  uint64_t max_len = 512;
  if (!ParseCount(*a, "max-len", &max_len, err)) return kBadInput;
  o.max_len = static_cast<int>(std::clamp<uint64_t>(max_len, 16, 1 << 20));
  if (a->flags.count("out") != 0) o.out = a->flags["out"];
  const char* env_fuzzer = std::getenv("SMPFUZZ_FUZZER");
  o.fuzzer = a->flags.count("fuzzer") != 0 ? a->flags["fuzzer"]
             : env_fuzzer != nullptr     ? env_fuzzer
                                         : "";
  const char* env_seeds = std::getenv("SMPFUZZ_SEEDS");
  o.seeds = a->flags.count("seeds") != 0 ? a->flags["seeds"]
            : env_seeds != nullptr      ? std::string(env_seeds) + "/" + o.target
                                        : "corpus/" + o.target;
  o.interleaving_coverage = a->flags.count("no-interleaving-coverage") == 0;
  o.until_found = a->flags.count("until-found") != 0;
  o.any_model = a->flags.count("any-model") != 0;
  if (a->flags.count("until") != 0) {
    const std::string& kind = a->flags["until"];
    const std::optional<VerdictKind> k = ParseVerdictKind(kind);
    if (!k || *k == VerdictKind::kClean) {
      err << "smpfuzz: --until wants a verdict kind such as deadlock, "
             "lost_wakeup or membar_misuse, not '"
          << kind << "'\n";
      return kBadInput;
    }
    o.until_kind = kind;
  }

  absl::StatusOr<CampaignResult> r = RunCampaign(o, out);
  if (!r.ok()) {
    err << "smpfuzz: " << r.status().message() << "\n";
    return kBadInput;
  }
  int fresh = 0, other = 0;
  for (const CampaignFinding& f : r->findings) {
    fresh += f.is_new;
    other += f.by_other;
  }
  out << (r->interrupted ? "interrupted" : "done") << " after "
      << static_cast<int>(r->seconds) << " s, " << r->executions
      << " executions: " << r->findings.size() << " finding(s) for " << o.target
      << ", " << fresh << " new";
  if (other != 0) out << ", " << other << " new by other campaigns sharing " << o.out;
  out << "\n";
  if (!r->findings.empty()) {
    out << absl::StrFormat("\n%-24s %-14s %-5s %s\n", "variant", "kind", "new",
                           "signature");
    for (const CampaignFinding& f : r->findings) {
      out << absl::StrFormat("%-24s %-14s %-5s %s\n", f.variant, f.kind,
                             f.is_new ? "yes" : f.by_other ? "other" : "", f.signature);
    }
    out << "\nreplay any of them: " << self
        << " replay <findings>/<target>/<variant>/<finding>/schedule.textproto\n";
  }
  return kOk;
}

int MinimizeCommand(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  std::optional<Args> a = ParseArgs(args, 1, {"out", "max-executions"}, {}, err);
  if (!a) return kBadInput;
  if (a->positional.size() != 1) {
    err << "smpfuzz: minimize takes exactly one schedule file\n" << kUsage;
    return kBadInput;
  }
  uint64_t budget = 20000;
  if (!ParseCount(*a, "max-executions", &budget, err)) return kBadInput;
  const std::string& path = a->positional[0];
  absl::StatusOr<proto::Schedule> schedule = ReadScheduleFile(path);
  if (!schedule.ok()) {
    err << "smpfuzz: " << schedule.status().message() << "\n";
    return kBadInput;
  }
  absl::StatusOr<MinimizeResult> r = Minimize(*schedule, budget);
  if (!r.ok()) {
    err << "smpfuzz: " << path << ": " << r.status().message() << "\n";
    return kBadInput;
  }
  std::string target = a->flags.count("out") != 0 ? a->flags["out"] : "";
  if (target.empty()) {
    target = path;
    const std::string ext = ".textproto";
    if (target.size() > ext.size() &&
        target.compare(target.size() - ext.size(), ext.size(), ext) == 0) {
      target.resize(target.size() - ext.size());
    }
    target += ".min.textproto";
  }
  const std::string text =
      "# " + std::string(VerdictKindName(r->verdict.kind)) + ": " +
      r->verdict.signature + "\n# expect: " +
      std::string(VerdictKindName(r->verdict.kind)) + "\n# " + MinimizeSummary(*r) +
      "\n" + ScheduleToText(r->schedule);
  absl::Status st = WriteFile(target, text);
  if (!st.ok()) {
    err << "smpfuzz: " << st.message() << "\n";
    return kBadInput;
  }
  out << "verdict kept: " << VerdictKindName(r->verdict.kind) << "  "
      << r->verdict.signature << "\n"
      << MinimizeSummary(*r) << "\nwrote " << target << "\n";
  return kOk;
}

int Replay(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err) {
  std::optional<Args> a =
      ParseArgs(args, 1, {"expect", "json", "target"}, {"quiet", "any-model"}, err);
  if (!a) return kBadInput;
  if (a->positional.size() != 1) {
    err << "smpfuzz: replay takes exactly one schedule file\n" << kUsage;
    return kBadInput;
  }
  std::optional<VerdictKind> expect;
  if (auto e = a->flags.find("expect"); e != a->flags.end()) {
    expect = ParseVerdictKind(e->second);
    if (!expect) {
      err << "smpfuzz: unknown verdict kind '" << e->second
          << "' for --expect (clean, deadlock, lost_wakeup, hang, assertion, "
             "...)\n";
      return kBadInput;
    }
  }
  absl::StatusOr<proto::Schedule> schedule = ReadScheduleFile(a->positional[0]);
  if (!schedule.ok()) {
    // A libFuzzer input (crash-<sha1> under <out>/.crashes/<target>/, or any
    // file with --target) need not be a schedule: decode it as the target's
    // fuzzer did.
    std::string target = a->flags.count("target") != 0 ? a->flags["target"] : "";
    const std::string& path = a->positional[0];
    if (const size_t at = path.find(".crashes/"); target.empty() && at != std::string::npos) {
      target = path.substr(at + 9, path.find('/', at + 9) - at - 9);
    }
    fuzz::TargetInfo info;
    info.target = target;
    info.variants = ScenarioRegistry::Global().ForTarget(target);
    info.any_model = a->flags.count("any-model") != 0;  // as the campaign ran
    std::ifstream in(path, std::ios::binary);
    if (target.empty() || info.variants.empty() || !in) {
      err << "smpfuzz: " << schedule.status().message()
          << (target.empty() ? ""
                             : " (and '" + Printable(target) + "' is not a known target)")
          << "\n";
      return kBadInput;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    schedule = fuzz::Decode(reinterpret_cast<const uint8_t*>(bytes.data()),
                            bytes.size(), info);
    out << "note: " << path << " is not a schedule; decoded it as a " << target
        << " fuzzer input\n";
  }
  Trace trace;
  RunOptions options;
  options.trace = &trace;
  options.classify = true;
  const ScheduleResult result = RunSchedule(*schedule, options);
  const ScenarioSpec& spec = *result.config.spec;
  const ScheduleRun& run = result.run;
  const Execution& e = result.execution;
  if (a->flags.count("quiet") == 0) out << trace.RenderText();
  if (a->flags.count("json") != 0) {
    absl::Status st =
        WriteFile(a->flags["json"], RenderChromeTrace(trace, spec.name()));
    if (!st.ok()) {
      err << "smpfuzz: " << st.message() << "\n";
      return kBadInput;
    }
    out << "wrote " << a->flags["json"] << " (open it in ui.perfetto.dev)\n";
  }
  out << "scenario: " << spec.name() << " under "
      << MemoryModelName(result.config.memory_model) << ", schedule version "
      << schedule->version() << "\n";
  if (run.replay != nullptr) {
    if (run.replay->first_divergence() >= 0) {
      out << "warning: the schedule diverged from this build at pick "
          << run.replay->first_divergence()
          << ": it was recorded on other code, and the replay folded the pick "
             "into range\n";
    } else if (run.replay->beyond() != 0) {
      out << "note: the recorded picks ran out; " << run.replay->beyond()
          << " later decision(s) came from the schedule's seed\n";
    }
  } else if (run.sparse->ignored() != 0 || run.sparse->unreached() != 0) {
    // The schedule no longer addresses the same events: say where.
    out << "warning: the schedule diverged from this build: ";
    if (run.sparse->ignored() != 0) {
      const SparseDecision& d = run.sparse->first_ignored();
      out << run.sparse->ignored() << " of " << schedule->decisions_size()
          << " decision(s) named a choice not offered at their point, the "
             "first at CPU"
          << d.at_cpu << "'s decision point " << d.at
          << " (the base policy decided there instead)";
      if (run.sparse->unreached() != 0) out << "; ";
    }
    if (run.sparse->unreached() != 0) {
      out << run.sparse->unreached()
          << " decision(s) address points the execution never reached";
    }
    out << ". (A schedule recorded on other code, edited by hand, or made by the fuzzer.)\n";
  }
  out << "verdict: " << VerdictKindName(e.verdict.kind) << "\n";
  if (expect) {
    if (e.verdict.kind == *expect) return kOk;
    out << "expected " << VerdictKindName(*expect) << ": not reproduced\n";
    return kVerdict;
  }
  return e.verdict.clean() ? kOk : kVerdict;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const std::string& self) {
  if (args.empty()) {
    err << kUsage;
    return kBadInput;
  }
  const std::string& cmd = args[0];
  if (cmd == "list") {
    if (args.size() > 1) {
      err << "smpfuzz: list takes no argument ('" << Printable(args[1]) << "')\n";
      return kBadInput;
    }
    return List(out);
  }
  if (cmd == "run") return Run(args, out, err, self);
  if (cmd == "replay") return Replay(args, out, err);
  if (cmd == "fuzz") return Fuzz(args, out, err, self);
  if (cmd == "minimize") return MinimizeCommand(args, out, err);
  if (cmd == "merge") return Merge(args, out, err, self);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    out << kUsage;
    return kOk;
  }
  err << "smpfuzz: unknown command '" << cmd << "'\n" << kUsage;
  return kBadInput;
}

}  // namespace smp
