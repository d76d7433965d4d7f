// `smpfuzz fuzz`: a libFuzzer campaign on one target, run as a child
// process of a target's fuzzer binary (//targets/<name>:<name>_fuzzer
// built with --config=fuzz or --config=fuzzfast).
//
// The fuzzer saves each new finding itself, deduplicated by signature,
// under <out>/<target>/<variant>/<kind>-<hash>/ (see findings.h), before it
// aborts on it; libFuzzer's fork mode (-fork=jobs, -ignore_crashes=1)
// carries on. This side shows a live progress line (executions, exec/s,
// coverage, findings), announces each finding as it appears with its
// replay command, and ends with a summary table. The corpus is kept in
// <out>/.corpus/<target>/ so a second campaign resumes; the repository's
// corpus/<target>/ seeds it. Interrupting (Ctrl-C) stops the fuzzer and
// loses nothing: every finding is on disk the moment it is announced.
//
// Campaigns may share one <out> (several processes, on one machine or on
// several over a shared file system): they share the corpus, each finding
// is saved once between them (findings.h), and each campaign names itself
// in the findings it saves ("found by: <host>.<pid>" in verdict.txt), so a
// finding is new for the campaign that found it and announced by the
// others as another campaign's.
#ifndef SMPFUZZ_REPRO_CAMPAIGN_H_
#define SMPFUZZ_REPRO_CAMPAIGN_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace smp {

struct CampaignOptions {
  std::string target;
  std::string variant;           // empty: every variant of the target
  double seconds = 60;
  int jobs = 1;
  std::string out = "findings";
  std::string fuzzer;            // path of <target>_fuzzer
  std::string seeds;             // corpus/<target> of the repository, if any
  std::string self = "smpfuzz";  // how replay commands name smpfuzz
  bool interleaving_coverage = true;
  // Inputs choose the memory model and membar_enter meaning too (else each
  // scenario runs its own); a finding is reported under the strongest model
  // that still shows it (fuzz/harness.h).
  bool any_model = false;
  int max_len = 512;
  bool until_found = false;      // stop at the first new finding
  std::string until_kind;        // non-empty: at the first new one of this
                                 // verdict kind (implies until_found)
};

struct CampaignFinding {
  std::string variant;
  std::string kind;
  std::string signature;
  std::string schedule_path;
  std::string origin;   // the campaign that saved it ("found by:"), if named
  bool is_new = false;  // found by this campaign
  bool by_other = false;  // saved during this campaign by another one
};

struct CampaignResult {
  uint64_t executions = 0;
  double seconds = 0;
  std::vector<CampaignFinding> findings;  // every finding of the target on disk
  bool interrupted = false;
};

// Runs the campaign, writing progress to `out`. Errors: unknown target or
// variant, missing fuzzer binary, unwritable output folder, a fuzzer that
// cannot be started or that fails before fuzzing (its output is shown).
absl::StatusOr<CampaignResult> RunCampaign(const CampaignOptions& options,
                                           std::ostream& out);

// The findings saved for `target` under `out`, sorted by path.
std::vector<CampaignFinding> ListFindings(const std::string& out,
                                          const std::string& target);

}  // namespace smp

#endif  // SMPFUZZ_REPRO_CAMPAIGN_H_
