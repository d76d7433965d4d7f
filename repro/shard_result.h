// Shard results: what one `smpfuzz run --scheduler=exhaustive --shard=i/n
// --result=FILE` found, in a file a later `smpfuzz merge` adds up with its
// siblings into one certificate ("clean up to P, I, R: N executions in n
// shards") or one list of findings. The shards may have run anywhere (a
// Slurm array, a Kubernetes Indexed Job, bench/prove.sh): merge checks that
// they are one search, split once, and all there.
//
// The file is "key: value" lines, written atomically (replay/schedule_io.h
// WriteFileAtomic), so a shard killed mid-write leaves no file and is
// simply missing:
//
//   # smpfuzz shard result; `smpfuzz merge DIR` adds up a folder of them
//   format: 1
//   build: 3f2a9c0d41b7e865      BuildId() of the binary that ran it
//   scenario: demo/intr_masked
//   expects: clean               the scenario's declared verdict
//   model: sc                    the memory model the search ran under
//   settings: membar_enter=acquire lockdep=on races=off reduction=on max_steps=20000 prefix=none
//   bound: P=1, I=0, R=0
//   shard: 2/4
//   executions: 31               owned executions run whole
//   pruned: 2                    owned executions the preemption reduction stopped
//   stopped_early: no            or finding, runs (--runs=N reached), diverged
//   clean_up_to: P=1, I=0, R=0   or no
//   finding: KIND<TAB>SCHEDULE<TAB>SIGNATURE   one per finding (SCHEDULE: - if unsaved)
//
// Everything that decides which executions a search runs and how they are
// judged is in scenario, model, settings and bound; the build id stands for
// the code. Two shards merge only if all of these are equal.
#ifndef SMPFUZZ_REPRO_SHARD_RESULT_H_
#define SMPFUZZ_REPRO_SHARD_RESULT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace smp {

struct ShardFinding {
  std::string kind;
  std::string schedule;  // where the shard saved it; "-" if it did not
  std::string signature;
};

struct ShardResult {
  std::string build;
  std::string scenario;  // target/variant
  std::string expects;   // a verdict kind name
  std::string model;     // MemoryModelName
  std::string settings;
  int preemptions = 0, interrupts = 0, reorderings = 0;
  uint32_t shard = 0, shards = 1;
  uint64_t executions = 0, pruned = 0;
  std::string stopped_early = "no";  // no, finding, runs, diverged
  std::vector<ShardFinding> findings;

  bool exhausted() const { return stopped_early == "no"; }
  std::string bound() const;  // "P=1, I=0, R=0"
};

// The id of the running binary: FNV-1a (core/trace.h HashText) of the
// bytes of /proc/self/exe, 16 hex digits, computed once per process. The
// same binary gives the same id on every machine; a rebuild with any
// change to the code, the compiler or the flags gives another (and so
// may a rebuild of the same source on another machine: a cluster runs
// one copy of the binary, as the job scripts in tools/cluster do).
// "unknown" when the binary cannot be read.
const std::string& BuildId();

std::string RenderShardResult(const ShardResult& r);
// Every problem names the line and what is wrong with it.
absl::StatusOr<ShardResult> ParseShardResult(const std::string& text);
// WriteFileAtomic of the rendered result.
absl::Status WriteShardResult(const std::string& path, const ShardResult& r);

// Every *.result file in folder `dir`, by name, parsed; file names are
// given relative to `dir`. Fails on a folder that cannot be read and on
// the first file that does not parse (naming it and the line).
absl::StatusOr<std::vector<std::pair<std::string, ShardResult>>> ReadShardResults(
    const std::string& dir);

// The shards of one search, added up.
struct MergedResult {
  std::string scenario, expects, model, bound, build;
  uint32_t shards = 0;
  uint64_t executions = 0, pruned = 0;
  // Shards with no result (only with allow_missing), and those that have
  // not exhausted their part without a finding: they stopped at --runs, or
  // their prefix diverged. Ascending.
  std::vector<uint32_t> missing, unfinished;
  // Distinct by signature, in shard order; `shard` is where each was first.
  std::vector<std::pair<uint32_t, ShardFinding>> findings;
};

// `results` are (file name, parsed result) pairs. Refuses (InvalidArgument,
// naming the files and values) results of different builds, scenarios,
// models, settings, bounds or shard counts, and a shard that appears
// twice; `shards`, if given, is the count they must have. With
// `allow_missing` false, a shard with no result is refused too, naming
// every missing one. An empty `results` is refused unless `shards` is
// given and `allow_missing` (then every shard is missing).
absl::StatusOr<MergedResult> MergeShardResults(
    const std::vector<std::pair<std::string, ShardResult>>& results,
    std::optional<uint32_t> shards, bool allow_missing);

}  // namespace smp

#endif  // SMPFUZZ_REPRO_SHARD_RESULT_H_
