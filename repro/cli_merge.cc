// `smpfuzz merge`: shard results added up.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_join.h"
#include "replay/printable.h"
#include "repro/cli_common.h"
#include "repro/cli_request.h"
#include "repro/shard_result.h"

namespace smp::cli {

// `smpfuzz merge`: the shard results in a folder
// (repro/shard_result.h) added up into one certificate or one list of
// findings; with --missing, only the shards still to run.
int Execute(const MergeRequest& request, std::ostream& out, std::ostream& err,
            const std::string& self) {
  const std::string& dir = request.dir;
  const std::optional<uint32_t> shards = request.shards;
  const bool missing = request.missing;
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
