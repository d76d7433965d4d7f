// The findings folder: one directory per distinct finding,
//   <out>/<target>/<variant>/<kind>-<hash of signature>/
//     schedule.textproto   replays the finding
//     trace.txt            the rendered trace
//     trace.json           the same as Chrome trace-event JSON (Perfetto)
//     verdict.txt          kind, signature, message and the replay command
//                          (and "unclassified:", the signature the
//                          execution ended with before classification,
//                          when that differs: "assertion ..." for a
//                          "membar-misuse assertion ..." finding)
// A finding already on disk with the same signature is left as it is, so
// a second run never overwrites (or loses) what an earlier one found.
// A folder is written whole under <out>/.tmp/ and renamed into place, so
// it is complete the moment it appears, and processes that share <out>
// (on one machine, or on several over a shared file system) each save a
// finding once between them: the first rename wins, the others report it
// already known.
#ifndef SMPFUZZ_REPLAY_FINDINGS_H_
#define SMPFUZZ_REPLAY_FINDINGS_H_

#include <cstdint>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "core/scenario.h"
#include "schedulers/schedule.pb.h"
#include "schedulers/search.h"

namespace smp {

struct SavedFinding {
  std::string dir;
  std::string schedule_path;
  bool already_known = false;
};

// Writes `finding` of `spec` below `out`. `replay_prefix` is how the user
// runs smpfuzz (e.g. "tools/smpfuzz"), used in the printed replay command.
// `schedule`, if given, is written instead of the one made from `finding`
// (a minimized schedule keeps its own configuration); `note` is added to
// verdict.txt (the minimization summary). `unclassified` is the signature
// the finding's execution ended with before Confirm classified it (empty
// or equal to the finding's: nothing is written). `origin`, if not empty,
// names the campaign that found it ("found by: " in verdict.txt), so that
// campaigns sharing <out> each report only their own as new.
absl::StatusOr<SavedFinding> SaveFinding(const std::string& out,
                                         const ScenarioSpec& spec,
                                         const Finding& finding,
                                         const std::string& replay_prefix,
                                         const proto::Schedule* schedule = nullptr,
                                         const std::string& note = "",
                                         const std::string& unclassified = "",
                                         const std::string& origin = "");

inline constexpr uint64_t kMinimizeBudget = 3000;

// Minimizes the finding's schedule (replay/minimize.h, at most `budget`
// replays) and saves the minimized schedule, its trace and, in
// verdict.txt, the minimization summary (size before/after, depth, PCT
// bound). Falls back to the unminimized finding if minimizing fails.
// `unclassified` and `origin` as for SaveFinding.
absl::StatusOr<SavedFinding> SaveMinimized(const std::string& out,
                                           const ScenarioSpec& spec,
                                           const Finding& finding,
                                           const std::string& replay_prefix,
                                           uint64_t budget = kMinimizeBudget,
                                           const std::string& unclassified = "",
                                           const std::string& origin = "");

// Every signature a complete finding below <out>/<target>/ (of `variant`
// only, unless it is empty) is known by: its own and its unclassified one.
// For a folder saved without an "unclassified:" line, a "membar-misuse X"
// signature is also known as X (ClassifyMembarMisuse's prefix), so
// findings saved by older runs are recognised too. Missing or unreadable
// folders contribute nothing.
std::set<std::string> SavedSignatures(const std::string& out, const std::string& target,
                                      const std::string& variant = "");

// The one-line minimization summary SaveMinimized writes.
struct MinimizeResult;
std::string MinimizeSummary(const MinimizeResult& r);

// Checks that `out` can be created and written, before a campaign starts.
absl::Status CheckWritable(const std::string& out);

}  // namespace smp

#endif  // SMPFUZZ_REPLAY_FINDINGS_H_
