// `smpfuzz replay DIR`: every schedule under a folder (a findings folder,
// one target's or variant's part of it, a corpus), replayed through the
// search driver (replay/schedule_strategy.h) and judged against the kind
// each was saved with: "which of my findings still reproduce?".
//
// The files: every `*.textproto` below DIR, recursively, in sorted path
// order; folders whose name starts with '.' are skipped (a findings
// folder's .tmp/ holds half-written findings, a campaign's .corpus/ and
// .crashes/ hold fuzzer inputs, not schedules). A `*.min.textproto` is a
// schedule of its own (minimization may have kept only what mattered on
// the old code), so it is replayed too; it shares its original's finding.
//
// The kind a schedule was saved with: its "# expect: KIND" line (smpfuzz
// writes one into every finding and minimized schedule; the corpus'
// regressions have one), else "kind: KIND" in verdict.txt beside it, else
// none (a corpus seed): such a schedule is listed but decides nothing.
// --expect=KIND replaces every schedule's saved kind. A saved kind that
// names no verdict kind makes its file bad input, as a malformed one.
//
// One row per file, then a summary line; exit 0 if every schedule with a
// saved kind ends in that kind, 1 if some changed, 2 if some file could
// not be read as a schedule (the others are still replayed).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "core/verdict.h"
#include "replay/printable.h"
#include "replay/schedule_io.h"
#include "replay/schedule_strategy.h"
#include "repro/cli_common.h"
#include "repro/cli_request.h"

namespace smp::cli {

namespace {

namespace fs = std::filesystem;

// Paths are echoed whole, but escaped like every other echoed name.
constexpr size_t kMaxPathChars = 4096;

// The schedule files below `dir`, sorted; a walk error is bad input.
absl::Status ScheduleFiles(const std::string& dir, std::vector<std::string>* files) {
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    std::error_code ignored;
    if (it->is_directory(ignored)) {
      if (absl::StartsWith(name, ".")) it.disable_recursion_pending();
      continue;
    }
    if (absl::EndsWith(name, ".textproto") && it->is_regular_file(ignored)) {
      files->push_back(p.string());
    }
  }
  if (ec) {
    return BadInput(absl::StrCat("cannot list ", Printable(dir, kMaxPathChars),
                                 " or a folder below it: ", ec.message()));
  }
  std::sort(files->begin(), files->end());
  return absl::OkStatus();
}

// The value of the first line of `text` that starts with `key`, if any.
std::optional<std::string> LineValue(const std::string& text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, key)) {
      return std::string(absl::StripTrailingAsciiWhitespace(line.substr(key.size())));
    }
  }
  return std::nullopt;
}

// The kind `path` was saved with (see the file comment), if it names one;
// bad input if it names a kind that does not exist.
absl::StatusOr<std::optional<VerdictKind>> SavedKind(const std::string& path) {
  std::string header;
  {
    std::ifstream in(path, std::ios::binary);
    std::string line;
    // The comment lines at the top of a text schedule.
    while (std::getline(in, line) && absl::StartsWith(line, "#")) {
      header += line + "\n";
    }
  }
  std::string where = "its '# expect:' line";
  std::optional<std::string> kind = LineValue(header, "# expect: ");
  if (!kind) {
    const fs::path verdict = fs::path(path).parent_path() / "verdict.txt";
    std::ifstream in(verdict, std::ios::binary);
    if (in) {
      const std::string text((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
      kind = LineValue(text, "kind: ");
      where = "the 'kind:' line of " + verdict.string();
    }
  }
  if (!kind) return std::optional<VerdictKind>();
  const std::optional<VerdictKind> parsed = ParseVerdictKind(*kind);
  if (!parsed) {
    return BadInput(Printable(absl::StrCat(path, ": unknown verdict kind '", *kind,
                                           "' on ", where),
                              kMaxPathChars));
  }
  return parsed;
}

}  // namespace

int ExecuteReplayFolder(const ReplayRequest& request, std::ostream& out,
                        std::ostream& err) {
  // The flags that concern one execution or a non-schedule input.
  const char* flag = request.json               ? "--json"
                     : !request.target.empty()  ? "--target"
                     : request.any_model        ? "--any-model"
                                                : nullptr;
  if (flag != nullptr) {
    return ReportBadInput(
        BadInput(absl::StrCat(flag, " applies to one FILE, not to the folder ",
                              Printable(request.file, kMaxPathChars),
                              "; replay its files one at a time")),
        err);
  }
  std::vector<std::string> files;
  if (absl::Status st = ScheduleFiles(request.file, &files); !st.ok()) {
    return ReportBadInput(st, err);
  }
  if (files.empty()) {
    return ReportBadInput(BadInput(absl::StrCat(Printable(request.file, kMaxPathChars),
                                                " holds no *.textproto schedule")),
                          err);
  }

  // Read every file and its saved kind; a bad one is reported and the rest
  // still replayed.
  std::vector<proto::Schedule> schedules;
  std::vector<size_t> file_of;  // schedules[i] was read from files[file_of[i]]
  std::vector<std::optional<VerdictKind>> saved(files.size(), request.expect);
  std::vector<std::string> errors(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    absl::StatusOr<proto::Schedule> s = ReadScheduleFile(files[i]);
    absl::Status st = s.status();
    if (st.ok() && !request.expect) {
      absl::StatusOr<std::optional<VerdictKind>> kind = SavedKind(files[i]);
      st = kind.status();
      if (kind.ok()) saved[i] = *kind;
    }
    if (!st.ok()) {
      errors[i] = Printable(std::string(st.message()), kMaxPathChars);
      err << "smpfuzz: " << errors[i] << "\n";
      continue;
    }
    schedules.push_back(*std::move(s));
    file_of.push_back(i);
  }
  const ScheduleReplayResult result = ReplaySchedules(schedules);

  std::vector<const ScheduleVerdict*> verdict_of(files.size(), nullptr);
  for (size_t i = 0; i < schedules.size(); ++i) {
    verdict_of[file_of[i]] = &result.schedules[i];
  }
  const char* label = request.expect ? "expect" : "saved";
  size_t same = 0, changed = 0, unjudged = 0, unreadable = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string path = Printable(files[i], kMaxPathChars);
    if (verdict_of[i] == nullptr) {
      ++unreadable;
      out << "error    " << errors[i] << "\n";
      continue;
    }
    const ScheduleVerdict& v = *verdict_of[i];
    const char* status = "-";
    if (!saved[i]) {
      ++unjudged;
    } else if (*saved[i] == v.verdict.kind) {
      ++same;
      status = "same";
    } else {
      ++changed;
      status = "changed";
    }
    out << status << std::string(9 - std::string(status).size(), ' ') << path << "  "
        << label << " " << (saved[i] ? VerdictKindName(*saved[i]) : "-") << "  now "
        << VerdictKindName(v.verdict.kind);
    if (!v.verdict.clean()) out << ": " << v.verdict.signature;
    if (v.diverged) out << "  (diverged: recorded on other code; replay it alone for where)";
    out << "\n";
  }
  out << "summary: " << files.size() << " schedule(s): " << same
      << (request.expect ? " as expected" : " as saved")
      << ", " << changed << " changed, " << unjudged << " without a saved kind, "
      << unreadable << " unreadable; " << result.tally.findings.size()
      << " distinct finding(s) confirmed\n";
  if (unreadable != 0) return kBadInput;
  return changed != 0 ? kVerdict : kOk;
}

}  // namespace smp::cli
