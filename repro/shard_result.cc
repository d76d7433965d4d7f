#include "repro/shard_result.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/trace.h"
#include "replay/printable.h"
#include "replay/schedule_io.h"

namespace smp {
namespace {

constexpr char kHeader[] =
    "# smpfuzz shard result; `smpfuzz merge DIR` adds up a folder of them\n";
constexpr int kFormat = 1;

absl::Status LineError(int line, const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", what));
}

}  // namespace

std::string ShardResult::bound() const {
  return absl::StrCat("P=", preemptions, ", I=", interrupts, ", R=", reorderings);
}

const std::string& BuildId() {
  static const std::string id = [] {
    std::ifstream in("/proc/self/exe", std::ios::binary);
    if (!in) return std::string("unknown");
    const std::string bytes((std::istreambuf_iterator<char>(in)),
                            std::istreambuf_iterator<char>());
    if (bytes.empty()) return std::string("unknown");
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016" PRIx64, HashText(bytes));
    return std::string(hex);
  }();
  return id;
}

std::string RenderShardResult(const ShardResult& r) {
  std::string text = absl::StrCat(
      kHeader, "format: ", kFormat, "\nbuild: ", r.build, "\nscenario: ", r.scenario,
      "\nexpects: ", r.expects, "\nmodel: ", r.model, "\nsettings: ", r.settings,
      "\nbound: ", r.bound(), "\nshard: ", r.shard, "/", r.shards,
      "\nexecutions: ", r.executions, "\npruned: ", r.pruned,
      "\nstopped_early: ", r.stopped_early, "\nclean_up_to: ",
      r.exhausted() && r.findings.empty() ? r.bound() : "no", "\n");
  for (const ShardFinding& f : r.findings) {
    absl::StrAppend(&text, "finding: ", f.kind, "\t", f.schedule, "\t", f.signature,
                    "\n");
  }
  return text;
}

absl::StatusOr<ShardResult> ParseShardResult(const std::string& text) {
  ShardResult r;
  std::set<std::string> seen;
  std::string clean_up_to;
  int n = 0;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++n;
    const std::string line(raw);
    if (line.empty() || line[0] == '#') continue;
    const size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      return LineError(n, absl::StrCat("not 'key: value': '", Printable(line), "'"));
    }
    const std::string key = line.substr(0, colon), value = line.substr(colon + 2);
    if (key != "finding" && !seen.insert(key).second) {
      return LineError(n, absl::StrCat("'", Printable(key), "' given twice"));
    }
    bool ok = true;
    if (key == "format") {
      ok = value == absl::StrCat(kFormat);
      if (!ok) return LineError(n, absl::StrCat("format ", Printable(value),
                                                ", this smpfuzz reads ", kFormat));
    } else if (key == "build") {
      r.build = value;
    } else if (key == "scenario") {
      r.scenario = value;
      ok = value.find('/') != std::string::npos;
    } else if (key == "expects") {
      r.expects = value;
    } else if (key == "model") {
      r.model = value;
    } else if (key == "settings") {
      r.settings = value;
    } else if (key == "bound") {
      ok = std::sscanf(value.c_str(), "P=%d, I=%d, R=%d", &r.preemptions,
                       &r.interrupts, &r.reorderings) == 3 &&
           value == r.bound();
    } else if (key == "shard") {
      const std::vector<std::string> parts = absl::StrSplit(value, '/');
      ok = parts.size() == 2 && absl::SimpleAtoi(parts[0], &r.shard) &&
           absl::SimpleAtoi(parts[1], &r.shards) && r.shards >= 1 &&
           r.shard < r.shards;
    } else if (key == "executions") {
      ok = absl::SimpleAtoi(value, &r.executions);
    } else if (key == "pruned") {
      ok = absl::SimpleAtoi(value, &r.pruned);
    } else if (key == "stopped_early") {
      r.stopped_early = value;
      ok = value == "no" || value == "finding" || value == "runs" || value == "diverged";
    } else if (key == "clean_up_to") {
      clean_up_to = value;
    } else if (key == "finding") {
      const std::vector<std::string> parts = absl::StrSplit(value, absl::MaxSplits('\t', 2));
      ok = parts.size() == 3 && !parts[0].empty() && !parts[2].empty();
      if (ok) r.findings.push_back(ShardFinding{parts[0], parts[1], parts[2]});
    } else {
      return LineError(n, absl::StrCat("unknown key '", Printable(key), "'"));
    }
    if (!ok) {
      return LineError(n, absl::StrCat("bad ", key, " '", Printable(value), "'"));
    }
  }
  for (const char* key : {"format", "build", "scenario", "expects", "model", "settings",
                          "bound", "shard", "executions", "pruned", "stopped_early",
                          "clean_up_to"}) {
    if (seen.count(key) == 0) {
      return absl::InvalidArgumentError(absl::StrCat("no '", key, "' line"));
    }
  }
  const std::string derived =
      r.exhausted() && r.findings.empty() ? r.bound() : std::string("no");
  if (clean_up_to != derived) {
    return absl::InvalidArgumentError(
        absl::StrCat("clean_up_to: ", Printable(clean_up_to), " contradicts the rest (",
                     derived, ")"));
  }
  return r;
}

absl::Status WriteShardResult(const std::string& path, const ShardResult& r) {
  return WriteFileAtomic(path, RenderShardResult(r));
}

absl::StatusOr<std::vector<std::pair<std::string, ShardResult>>> ReadShardResults(
    const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat(Printable(dir), " is not a folder"));
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(dir, ec), end; it != end && !ec; it.increment(ec)) {
    if (it->path().extension() == ".result") names.push_back(it->path().filename());
  }
  if (ec) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read ", Printable(dir), ": ", ec.message()));
  }
  std::sort(names.begin(), names.end());
  std::vector<std::pair<std::string, ShardResult>> results;
  for (const std::string& name : names) {
    std::ifstream in(fs::path(dir) / name, std::ios::binary);
    absl::StatusOr<ShardResult> r = absl::DataLossError("cannot be read");
    if (in) {
      r = ParseShardResult(std::string((std::istreambuf_iterator<char>(in)),
                                       std::istreambuf_iterator<char>()));
    }
    if (!r.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat((fs::path(dir) / name).string(), ": ", r.status().message()));
    }
    results.emplace_back(name, *std::move(r));
  }
  return results;
}

namespace {

// Refuses `results` whose `field` differs: "mixed WHAT: A (f1, f2), B (f3)".
template <typename Field>
absl::Status Same(const std::vector<std::pair<std::string, ShardResult>>& results,
                  const std::string& what, Field field) {
  std::map<std::string, std::vector<std::string>> files;
  for (const auto& [file, r] : results) files[field(r)].push_back(file);
  if (files.size() <= 1) return absl::OkStatus();
  std::vector<std::string> groups;
  for (const auto& [value, names] : files) {
    std::vector<std::string> shown(names.begin(),
                                   names.begin() + std::min<size_t>(names.size(), 3));
    if (names.size() > 3) shown.push_back(absl::StrCat(names.size() - 3, " more"));
    groups.push_back(absl::StrCat(value, " (", absl::StrJoin(shown, ", "), ")"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("mixed ", what, ": ", absl::StrJoin(groups, "; ")));
}

}  // namespace

absl::StatusOr<MergedResult> MergeShardResults(
    const std::vector<std::pair<std::string, ShardResult>>& results,
    std::optional<uint32_t> shards, bool allow_missing) {
  if (results.empty() && !(shards && allow_missing)) {
    return absl::InvalidArgumentError("no shard results");
  }
  using R = const ShardResult&;
  for (const absl::Status& st :
       {Same(results, "builds", [](R r) { return r.build; }),
        Same(results, "scenarios", [](R r) { return r.scenario; }),
        Same(results, "memory models", [](R r) { return r.model; }),
        Same(results, "settings", [](R r) { return r.settings; }),
        Same(results, "bounds", [](R r) { return r.bound(); }),
        Same(results, "shard counts",
             [](R r) { return absl::StrCat("of ", r.shards); })}) {
    if (!st.ok()) return st;
  }
  MergedResult m;
  m.shards = shards ? *shards : results.front().second.shards;
  if (!results.empty() && results.front().second.shards != m.shards) {
    return absl::InvalidArgumentError(
        absl::StrCat("the results are shards of ", results.front().second.shards,
                     ", not of ", m.shards, " (", results.front().first, ")"));
  }
  std::map<uint32_t, const std::pair<std::string, ShardResult>*> by_shard;
  for (const auto& entry : results) {
    auto [it, fresh] = by_shard.emplace(entry.second.shard, &entry);
    if (!fresh) {
      return absl::InvalidArgumentError(
          absl::StrCat("shard ", entry.second.shard, "/", m.shards, " twice: ",
                       it->second->first, " and ", entry.first));
    }
  }
  for (uint32_t i = 0; i < m.shards; ++i) {
    if (by_shard.count(i) == 0) m.missing.push_back(i);
  }
  if (!m.missing.empty() && !allow_missing) {
    return absl::InvalidArgumentError(absl::StrCat(
        "missing shard(s) ", absl::StrJoin(m.missing, ","), " of ", m.shards,
        " (run them, e.g. sbatch --array=", absl::StrJoin(m.missing, ","), ")"));
  }
  std::set<std::string> signatures;
  for (const auto& [index, entry] : by_shard) {
    const ShardResult& r = entry->second;
    if (m.scenario.empty()) {
      m.scenario = r.scenario;
      m.expects = r.expects;
      m.model = r.model;
      m.bound = r.bound();
      m.build = r.build;
    }
    m.executions += r.executions;
    m.pruned += r.pruned;
    if (!r.exhausted() && r.findings.empty()) m.unfinished.push_back(index);
    for (const ShardFinding& f : r.findings) {
      if (signatures.insert(f.signature).second) m.findings.emplace_back(index, f);
    }
  }
  return m;
}

}  // namespace smp
