// `smpfuzz run`: searches, bounded proofs and their estimates.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/executor.h"
#include "core/memory_model.h"
#include "core/scenario.h"
#include "replay/findings.h"
#include "replay/printable.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "repro/cli_common.h"
#include "repro/cli_request.h"
#include "repro/shard_result.h"
#include "schedulers/bounded.h"
#include "schedulers/bounded_estimate.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/search.h"

namespace smp::cli {

namespace {

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

// The --prefix schedule read: its scenario replaces the searched ones, its
// model and meaning apply unless --model or --membar-enter were given, and
// its decisions become the prefix searched around.
absl::Status ReadPrefix(const std::string& file, RunRequest* r) {
  absl::StatusOr<proto::Schedule> schedule = ReadScheduleFile(file);
  if (!schedule.ok()) return BadInput(schedule.status().message());
  const ScenarioSpec& spec = ScenarioOf(*schedule);
  if (spec.target != r->target || (r->variant && spec.variant != *r->variant)) {
    return BadInput(absl::StrCat("--prefix ", Printable(file), " is a schedule of ",
                                 spec.name(), ", not of the scenario(s) searched"));
  }
  r->specs = {&spec};
  const RunConfig config = RunConfig::Of(*schedule);
  if (!r->search.memory_model) r->bounded.memory_model = config.memory_model;
  if (!r->search.enter_meaning) r->bounded.enter_meaning = config.enter_meaning;
  Executor executor(spec);
  ScheduleRun run = PrepareExecution(*schedule, config, executor);
  r->bounded.prefix = DeviationPrefix(executor, *run.scheduler, config.max_steps);
  return absl::OkStatus();
}

}  // namespace

int Execute(const RunRequest& request, std::ostream& out, std::ostream& err,
            const std::string& self) {
  RunRequest r = request;
  if (r.prefix_file) {
    if (absl::Status st = ReadPrefix(*r.prefix_file, &r); !st.ok()) {
      return ReportBadInput(st, err);
    }
  }
  const std::vector<const ScenarioSpec*>& specs = r.specs;
  const SearchOptions& options = r.search;
  const BoundedOptions& bounded = r.bounded;
  const bool exhaustive = r.exhaustive;
  if (r.estimate != 0) return EstimateOnly(specs, bounded, r.estimate, options.seed, out);

  const std::string& result_path = r.result_path;
  if (!result_path.empty()) {
    // Its folder must take the file at the end, not hours later.
    const std::string folder = std::filesystem::path(result_path).parent_path().string();
    absl::Status st = CheckWritable(folder.empty() ? "." : folder);
    if (!st.ok()) {
      err << "smpfuzz: --result: " << st.message() << "\n";
      return kBadInput;
    }
  }

  const bool save = r.save;
  const std::string& out_dir = r.out_dir;
  if (save) {
    absl::Status st = CheckWritable(out_dir);
    if (!st.ok()) {
      err << "smpfuzz: " << st.message() << "\n";
      return kBadInput;
    }
  }

  if (exhaustive) {
    out << "smpfuzz run: target " << r.target << ", " << specs.size()
        << " scenario(s), exhaustive up to P=" << bounded.bounds.preemptions
        << ", I=" << bounded.bounds.interrupts
        << ", R=" << bounded.bounds.reorderings;
    if (!bounded.prefix.empty()) {
      out << " after a prefix of " << bounded.prefix.size() << " decision(s)";
    }
    if (bounded.shards > 1) out << ", shard " << bounded.shard << "/" << bounded.shards;
    out << " (at most " << bounded.max_executions << " executions each)\n\n";
  } else {
    out << "smpfuzz run: target " << r.target << ", " << specs.size()
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

}  // namespace smp::cli
