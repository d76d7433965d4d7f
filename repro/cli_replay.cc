// `smpfuzz replay` and `smpfuzz minimize`: one saved schedule (a folder
// of them: cli_replay_dir.cc).
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>

#include "core/memory_model.h"
#include "core/scenario.h"
#include "core/trace.h"
#include "core/trace_json.h"
#include "replay/findings.h"
#include "replay/fuzz_input.h"
#include "replay/minimize.h"
#include "replay/printable.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "repro/cli_common.h"
#include "repro/cli_request.h"
#include "schedulers/replay_scheduler.h"

namespace smp::cli {

int Execute(const MinimizeRequest& request, std::ostream& out, std::ostream& err,
            const std::string& /*self*/) {
  const uint64_t budget = request.max_executions;
  const std::string& path = request.file;
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
  std::string target = request.out;
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

int Execute(const ReplayRequest& request, std::ostream& out, std::ostream& err,
            const std::string& /*self*/) {
  if (std::error_code ec; std::filesystem::is_directory(request.file, ec)) {
    return ExecuteReplayFolder(request, out, err);
  }
  const std::optional<VerdictKind>& expect = request.expect;
  absl::StatusOr<proto::Schedule> schedule = ReadScheduleFile(request.file);
  if (!schedule.ok()) {
    // A libFuzzer input (crash-<sha1> under <out>/.crashes/<target>/, or any
    // file with --target) need not be a schedule: decode it as the target's
    // fuzzer did.
    std::string target = request.target;
    const std::string& path = request.file;
    if (const size_t at = path.find(".crashes/"); target.empty() && at != std::string::npos) {
      target = path.substr(at + 9, path.find('/', at + 9) - at - 9);
    }
    fuzz::TargetInfo info;
    info.target = target;
    info.variants = ScenarioRegistry::Global().ForTarget(target);
    info.any_model = request.any_model;  // as the campaign ran
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
  if (!request.quiet) out << trace.RenderText();
  if (request.json) {
    absl::Status st = WriteFile(*request.json, RenderChromeTrace(trace, spec.name()));
    if (!st.ok()) {
      err << "smpfuzz: " << st.message() << "\n";
      return kBadInput;
    }
    out << "wrote " << *request.json << " (open it in ui.perfetto.dev)\n";
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
