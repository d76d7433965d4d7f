// `smpfuzz replay` and `smpfuzz minimize`: one saved schedule.
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
#include "core/memory_model.h"
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
#include "repro/cli_common.h"
#include "repro/shard_result.h"
#include "schedulers/bounded.h"
#include "schedulers/bounded_estimate.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"

namespace smp::cli {

int Minimize(const std::vector<std::string>& args, std::ostream& out,
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
  absl::StatusOr<MinimizeResult> r = ::smp::Minimize(*schedule, budget);
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

}  // namespace smp::cli
