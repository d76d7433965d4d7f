// The findings folder: one directory per distinct finding,
//   <out>/<target>/<variant>/<kind>-<hash of signature>/
//     schedule.textproto   replays the finding
//     trace.txt            the rendered trace
//     verdict.txt          kind, signature, message and the replay command
// A finding already on disk with the same signature is left as it is, so
// a second run never overwrites (or loses) what an earlier one found.
#ifndef SMPFUZZ_REPRO_FINDINGS_H_
#define SMPFUZZ_REPRO_FINDINGS_H_

#include <string>

#include "absl/status/statusor.h"
#include "core/scenario.h"
#include "schedulers/search.h"

namespace smp {

struct SavedFinding {
  std::string dir;
  std::string schedule_path;
  bool already_known = false;
};

// Writes `finding` of `spec` below `out`. `replay_prefix` is how the user
// runs smpfuzz (e.g. "tools/smpfuzz"), used in the printed replay command.
absl::StatusOr<SavedFinding> SaveFinding(const std::string& out,
                                         const ScenarioSpec& spec,
                                         const Finding& finding,
                                         const std::string& replay_prefix);

// Checks that `out` can be created and written, before a campaign starts.
absl::Status CheckWritable(const std::string& out);

}  // namespace smp

#endif  // SMPFUZZ_REPRO_FINDINGS_H_
