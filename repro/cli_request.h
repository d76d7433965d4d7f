// Each smpfuzz command in two steps: its command line parsed into a typed
// request, then the request executed.
//
// Parse*(args) takes the whole command line after the program name
// (args[0] is the command) and `self`, how the user invokes smpfuzz (named
// in messages). It checks everything that can be checked without touching
// a file or running an execution: the flags the table allows
// (repro/cli_flags.h), numbers, ranges, names (targets and variants are
// looked up in ScenarioRegistry::Global()) and flags that do not go
// together. Bad input is an InvalidArgument status whose message is the
// one line printed after "smpfuzz: " (repro/cli_common.h).
//
// Execute(request, ...) does the rest: it reads and writes files, runs
// executions, prints to `out` (diagnostics to `err`) and returns the exit
// status (repro/cli.h), kBadInput for an input found bad only then (an
// unreadable schedule, an unwritable folder).
#ifndef SMPFUZZ_REPRO_CLI_REQUEST_H_
#define SMPFUZZ_REPRO_CLI_REQUEST_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/scenario.h"
#include "core/verdict.h"
#include "repro/campaign.h"
#include "schedulers/bounded.h"
#include "schedulers/search.h"

namespace smp::cli {

// `smpfuzz list`: takes nothing.
struct ListRequest {};

// `smpfuzz run`: a seeded search (random, pct, none) or a bounded
// exhaustive one, of one target's scenarios.
struct RunRequest {
  std::string target;
  std::optional<std::string> variant;
  // Every variant of the target, or the one asked for. An exhaustive
  // search from a --prefix searches the prefix's scenario instead (it is
  // one of these: checked when the file is read).
  std::vector<const ScenarioSpec*> specs;
  bool exhaustive = false;
  SearchOptions search;    // the seeded search; also its settings for bounded
  BoundedOptions bounded;  // exhaustive; `prefix` is filled from prefix_file
  std::optional<std::string> prefix_file;  // exhaustive: a schedule to search around
  uint64_t estimate = 0;    // exhaustive: > 0, only estimate from this many probes
  std::string result_path;  // exhaustive, one scenario: write its ShardResult, or ""
  bool save = true;
  std::string out_dir = "findings";
};

// `smpfuzz fuzz`: a libFuzzer campaign (repro/campaign.h).
struct FuzzRequest {
  // All but `fuzzer`, `seeds` and `self`, which Execute fills in.
  CampaignOptions campaign;
  // As given; absent: $SMPFUZZ_FUZZER, and $SMPFUZZ_SEEDS/<target> or
  // corpus/<target>, when executed.
  std::optional<std::string> fuzzer;
  std::optional<std::string> seeds;
};

// `smpfuzz merge DIR`: shard results added up (repro/shard_result.h).
struct MergeRequest {
  std::string dir;
  std::optional<uint32_t> shards;  // how many there must be
  bool missing = false;            // print only the shards still to run
};

// `smpfuzz minimize FILE`.
struct MinimizeRequest {
  std::string file;
  std::string out;  // "": FILE with .textproto replaced by .min.textproto
  uint64_t max_executions = 20000;
};

// `smpfuzz replay FILE` (or DIR: every schedule below it, when executed).
struct ReplayRequest {
  std::string file;  // or a folder
  std::optional<VerdictKind> expect;
  bool quiet = false;
  std::optional<std::string> json;  // write the Chrome trace here
  std::string target;   // decode a FILE that is not a schedule as its input
  bool any_model = false;
};

absl::StatusOr<ListRequest> ParseList(const std::vector<std::string>& args,
                                      const std::string& self);
absl::StatusOr<RunRequest> ParseRun(const std::vector<std::string>& args,
                                    const std::string& self);
absl::StatusOr<FuzzRequest> ParseFuzz(const std::vector<std::string>& args,
                                      const std::string& self);
absl::StatusOr<MergeRequest> ParseMerge(const std::vector<std::string>& args,
                                        const std::string& self);
absl::StatusOr<MinimizeRequest> ParseMinimize(const std::vector<std::string>& args,
                                              const std::string& self);
absl::StatusOr<ReplayRequest> ParseReplay(const std::vector<std::string>& args,
                                          const std::string& self);

// Implemented in cli.cc (list), cli_run.cc, cli_fuzz.cc, cli_merge.cc and
// cli_replay.cc (replay and minimize).
int Execute(const ListRequest& r, std::ostream& out, std::ostream& err,
            const std::string& self);
int Execute(const RunRequest& r, std::ostream& out, std::ostream& err,
            const std::string& self);
int Execute(const FuzzRequest& r, std::ostream& out, std::ostream& err,
            const std::string& self);
int Execute(const MergeRequest& r, std::ostream& out, std::ostream& err,
            const std::string& self);
int Execute(const MinimizeRequest& r, std::ostream& out, std::ostream& err,
            const std::string& self);
int Execute(const ReplayRequest& r, std::ostream& out, std::ostream& err,
            const std::string& self);
// `smpfuzz replay DIR` (cli_replay_dir.cc): Execute(ReplayRequest) hands
// it a request whose `file` is a folder.
int ExecuteReplayFolder(const ReplayRequest& r, std::ostream& out, std::ostream& err);

}  // namespace smp::cli

#endif  // SMPFUZZ_REPRO_CLI_REQUEST_H_
