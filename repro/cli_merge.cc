// `smpfuzz merge`: shard results added up.
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

}  // namespace smp::cli
