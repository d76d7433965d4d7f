#include "replay/findings.h"

#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "core/trace.h"
#include "replay/minimize.h"
#include "replay/schedule_io.h"

namespace smp {
namespace fs = std::filesystem;

absl::Status CheckWritable(const std::string& out) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create output folder ", out, ": ", ec.message()));
  }
  const std::string probe = (fs::path(out) / ".smpfuzz-write-test").string();
  absl::Status st = WriteFile(probe, "");
  if (!st.ok()) {
    return absl::PermissionDeniedError(
        absl::StrCat("output folder ", out, " is not writable"));
  }
  fs::remove(probe, ec);
  return absl::OkStatus();
}

absl::StatusOr<SavedFinding> SaveFinding(const std::string& out,
                                         const ScenarioSpec& spec,
                                         const Finding& finding,
                                         const std::string& replay_prefix,
                                         const proto::Schedule* schedule,
                                         const std::string& note,
                                         const std::string& unclassified,
                                         const std::string& origin) {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%08" PRIx64,
                HashText(finding.verdict.signature) & 0xffffffffu);
  SavedFinding saved;
  const fs::path dir = fs::path(out) / spec.target / spec.variant /
                       absl::StrCat(std::string(VerdictKindName(finding.verdict.kind)), "-", hash);
  saved.dir = dir.string();
  saved.schedule_path = (dir / "schedule.textproto").string();
  std::error_code ec;
  if (fs::exists(saved.schedule_path, ec)) {
    saved.already_known = true;
    return saved;
  }
  // Written whole in a folder of its own under <out>/.tmp/ (no scan of
  // <out>/<target>/ sees it), then renamed into place: a finding appears
  // complete or not at all, and of processes that save the same one at
  // once, here or on other machines sharing <out>, exactly one renames it
  // in; the others find it there.
  const fs::path temp =
      TempPathBeside((fs::path(out) / ".tmp" / dir.filename()).string());
  fs::remove_all(temp, ec);
  fs::create_directories(temp, ec);
  if (!ec) fs::create_directories(dir.parent_path(), ec);
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot create ", dir.string(), ": ", ec.message()));
  }
  const std::string replay =
      absl::StrCat(replay_prefix, " replay ", saved.schedule_path);
  absl::Status st = WriteFile((temp / "trace.txt").string(), finding.trace_text);
  if (st.ok() && !finding.trace_json.empty()) {
    st = WriteFile((temp / "trace.json").string(), finding.trace_json);
  }
  if (st.ok()) {
    st = WriteFile(
        (temp / "verdict.txt").string(),
        absl::StrCat("kind: ", std::string(VerdictKindName(finding.verdict.kind)),
                     "\nsignature: ", finding.verdict.signature,
                     unclassified.empty() || unclassified == finding.verdict.signature
                         ? ""
                         : absl::StrCat("\nunclassified: ", unclassified),
                     origin.empty() ? "" : absl::StrCat("\nfound by: ", origin),
                     "\nscenario: ", spec.name(), "\nreplay: ", replay, "\n",
                     note, "\n", finding.verdict.message, "\n"));
  }
  if (st.ok()) {
    st = WriteFile((temp / "schedule.textproto").string(),
                   absl::StrCat("# ", std::string(VerdictKindName(finding.verdict.kind)), ": ",
                                finding.verdict.signature, "\n# replay: ",
                                replay, "\n# expect: ",
                                std::string(VerdictKindName(finding.verdict.kind)), "\n",
                                ScheduleToText(schedule != nullptr
                                                   ? *schedule
                                                   : ScheduleOf(spec, finding))));
  }
  if (!st.ok()) {
    fs::remove_all(temp, ec);
    return st;
  }
  for (int attempt = 0;; ++attempt) {
    fs::rename(temp, dir, ec);  // replaces an empty folder, never a full one
    if (!ec) return saved;
    std::error_code ignored;
    if (fs::exists(saved.schedule_path, ignored)) {
      saved.already_known = true;  // another process renamed it in first
      break;
    }
    if (attempt == 0 && fs::is_directory(dir, ignored)) {
      // A folder without a schedule: an older smpfuzz stopped while it
      // wrote in place. Ours is complete; put it there instead.
      fs::remove_all(dir, ignored);
      continue;
    }
    fs::remove_all(temp, ignored);
    return absl::PermissionDeniedError(
        absl::StrCat("cannot move ", temp.string(), " to ", dir.string(), ": ",
                     ec.message()));
  }
  fs::remove_all(temp, ec);
  return saved;
}

std::string MinimizeSummary(const MinimizeResult& r) {
  char bound[32];
  std::snprintf(bound, sizeof bound, "%.3g", r.pct_bound);
  return absl::StrCat("minimized: ", r.decisions_before, " -> ", r.decisions_after,
                      " decision(s) in ", r.executions, " replays; depth ",
                      r.depth.total(), " (", r.depth.preemptions, " preemption(s), ",
                      r.depth.interrupts, " interrupt(s), ", r.depth.reorderings,
                      " reordering(s)); PCT depth d = ", r.depth.total() + 1,
                      ", bound 1/(n*k^(d-1)) = ", bound,
                      " for n=", r.contexts, " contexts, k=", r.steps, " steps");
}

absl::StatusOr<SavedFinding> SaveMinimized(const std::string& out,
                                           const ScenarioSpec& spec,
                                           const Finding& finding,
                                           const std::string& replay_prefix,
                                           uint64_t budget,
                                           const std::string& unclassified,
                                           const std::string& origin) {
  const proto::Schedule schedule = ScheduleOf(spec, finding);
  absl::StatusOr<MinimizeResult> m = Minimize(schedule, budget);
  if (!m.ok() || m->verdict.signature != finding.verdict.signature) {
    return SaveFinding(out, spec, finding, replay_prefix, nullptr, "", unclassified,
                       origin);
  }
  return SaveFinding(out, spec, FindingOf(*m), replay_prefix, &m->schedule,
                     MinimizeSummary(*m), unclassified, origin);
}

std::set<std::string> SavedSignatures(const std::string& out, const std::string& target,
                                      const std::string& variant) {
  std::set<std::string> known;
  std::error_code ec;
  const fs::path root = fs::path(out) / target / variant;
  if (!fs::is_directory(root, ec)) return known;
  // <root>[/<variant>]/<kind>-<hash>/{schedule.textproto,verdict.txt}
  for (fs::recursive_directory_iterator it(root, ec), end; it != end && !ec;
       it.increment(ec)) {
    if (it->path().filename() != "schedule.textproto") continue;  // complete ones
    std::ifstream in(it->path().parent_path() / "verdict.txt");
    // The header lines only: the message below them is free text.
    std::string line, signature, unclassified;
    while (std::getline(in, line) && line.rfind("scenario: ", 0) != 0) {
      if (line.rfind("signature: ", 0) == 0) {
        signature = line.substr(11);
      } else if (line.rfind("unclassified: ", 0) == 0) {
        unclassified = line.substr(14);
      }
    }
    if (signature.empty()) continue;
    constexpr std::string_view kMisuse = "membar-misuse ";
    if (unclassified.empty() && signature.rfind(kMisuse, 0) == 0) {
      unclassified = signature.substr(kMisuse.size());
    }
    known.insert(signature);
    if (!unclassified.empty()) known.insert(unclassified);
  }
  return known;
}

}  // namespace smp
