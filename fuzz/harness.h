// One target's libFuzzer harness: what LLVMFuzzerTestOneInput and the
// custom mutator hooks call (fuzz/fuzz_main.cc binds them).
//
// Each input is decoded into a schedule of this target (replay/fuzz_input.h) and
// executed. A verdict that is not already known is confirmed (re-run with
// recording, membar classification), saved as a finding folder
// (replay/findings.h) and reported with one "SUMMARY: smpfuzz: <kind>
// <signature>" line; Run() then returns true and the caller aborts, so
// libFuzzer keeps the input. Known signatures (on disk already, or found
// earlier by this process) return false: a campaign does not crash again
// and again on the same bug. A signature this process has not seen is
// looked up in the findings folder (replay/findings.h SavedSignatures)
// before anything is confirmed, under the signature the execution ended
// with, before classification. Clean executions never abort.
//
// Configuration (environment, so that libFuzzer's own flags stay its own):
//   SMPFUZZ_VARIANT   fuzz only this variant of the target
//   SMPFUZZ_OUT       findings folder (default: findings)
//   SMPFUZZ_SELF      how replay commands name smpfuzz (default: smpfuzz)
//   SMPFUZZ_NO_INTERLEAVING_COVERAGE=1   code coverage only
//   SMPFUZZ_ANY_MODEL=1   also run inputs under other memory models and
//                         membar_enter meanings (smpfuzz fuzz --any-model)
//   SMPFUZZ_CAMPAIGN  who saves the findings ("found by:" in verdict.txt;
//                         smpfuzz fuzz sets it to <host>.<pid>)
//   SMPFUZZ_CLEAN_ONLY=1  fuzz only the variants declared clean, so that
//                         any finding is a regression (continuous fuzzing
//                         in CI: .clusterfuzzlite/ builds its fuzzers with
//                         this on by default, -DSMPFUZZ_CLEAN_ONLY)
//
// Memory model: by default every input runs under its scenario's own model
// and membar_enter meaning (the fields an input carries are ignored, and
// not mutated), so a correct scenario is judged only under what it claims.
// With any_model, a finding reached under a weaker model than it needs is
// reported under the strongest one whose replay of the same schedule still
// shows it (SC < TSO < PSO < relaxed), with that model's fix.
#ifndef SMPFUZZ_FUZZ_HARNESS_H_
#define SMPFUZZ_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "core/executor.h"
#include "fuzz/coverage.h"
#include "replay/fuzz_input.h"

namespace smp::fuzz {

struct HarnessOptions {
  std::string target;
  std::string variant;           // empty: every variant
  std::string out = "findings";
  std::string self = "smpfuzz";
  bool interleaving_coverage = true;
  bool any_model = false;        // inputs choose the model and meaning
  bool clean_only = false;       // only the variants declared clean
  std::string origin;            // the campaign, written with each finding
  uint8_t* counters = nullptr;   // libFuzzer's extra counters (may be null)
  size_t num_counters = 0;
};

// Reads the SMPFUZZ_* variables into `options` (target and counters kept).
void OptionsFromEnvironment(HarnessOptions* options);

class Harness {
 public:
  // Fails on an unknown target or variant.
  static absl::StatusOr<std::unique_ptr<Harness>> Create(HarnessOptions options);

  // Runs one input. True iff it produced a finding not known before.
  bool Run(const uint8_t* data, size_t size);

  // libFuzzer's custom mutator and cross-over, on serialized schedules.
  size_t Mutate(uint8_t* data, size_t size, size_t max_size, unsigned int seed);
  size_t CrossOver(const uint8_t* a, size_t a_size, const uint8_t* b,
                   size_t b_size, uint8_t* out, size_t max_out, unsigned int seed);

  const TargetInfo& info() const { return info_; }
  // How many executions were confirmed (Confirm, minimization, save): one
  // per new finding, none for a finding already on disk.
  uint64_t confirmations() const { return confirmations_; }

 private:
  explicit Harness(HarnessOptions options) : options_(std::move(options)) {}
  Executor& ExecutorFor(const ScenarioSpec& spec);
  size_t Emit(const proto::Schedule& s, uint8_t* out, size_t max_size);

  HarnessOptions options_;
  TargetInfo info_;
  std::map<std::string, std::unique_ptr<Executor>> executors_;
  std::unique_ptr<InterleavingCoverage> coverage_;
  std::set<std::string> known_;  // signatures already reported or on disk
  uint64_t confirmations_ = 0;
};

}  // namespace smp::fuzz

#endif  // SMPFUZZ_FUZZ_HARNESS_H_
