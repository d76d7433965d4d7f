// The findings folder: one directory per distinct finding,
//   <out>/<target>/<variant>/<kind>-<hash of signature>/
//     schedule.textproto   replays the finding
//     trace.txt            the rendered trace
//     trace.json           the same as Chrome trace-event JSON (Perfetto)
//     verdict.txt          kind, signature, message and the replay command
// A finding already on disk with the same signature is left as it is, so
// a second run never overwrites (or loses) what an earlier one found.
#ifndef SMPFUZZ_REPRO_FINDINGS_H_
#define SMPFUZZ_REPRO_FINDINGS_H_

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
// verdict.txt (the minimization summary).
absl::StatusOr<SavedFinding> SaveFinding(const std::string& out,
                                         const ScenarioSpec& spec,
                                         const Finding& finding,
                                         const std::string& replay_prefix,
                                         const proto::Schedule* schedule = nullptr,
                                         const std::string& note = "");

// Minimizes the finding's schedule (repro/minimize.h, at most `budget`
// replays) and saves the minimized schedule, its trace and, in
// verdict.txt, the minimization summary (size before/after, depth, PCT
// bound). Falls back to the unminimized finding if minimizing fails.
absl::StatusOr<SavedFinding> SaveMinimized(const std::string& out,
                                           const ScenarioSpec& spec,
                                           const Finding& finding,
                                           const std::string& replay_prefix,
                                           uint64_t budget = 3000);

// The one-line minimization summary SaveMinimized writes.
struct MinimizeResult;
std::string MinimizeSummary(const MinimizeResult& r);

// Checks that `out` can be created and written, before a campaign starts.
absl::Status CheckWritable(const std::string& out);

}  // namespace smp

#endif  // SMPFUZZ_REPRO_FINDINGS_H_
