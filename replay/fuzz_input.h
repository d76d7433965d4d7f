// Turning fuzzer bytes into a schedule of one target, and back.
//
// Every input runs: bytes that parse as a binary Schedule are used (with
// the target forced to this fuzzer's, an unknown variant mapped onto one of
// the target's, invalid enums folded); bytes that do not parse are decoded
// as a decision stream, so no input is wasted. The result is always a
// valid version-2 schedule of this target. Its max_steps is 0 (the
// scenario's budget) or a larger budget up to a million: an input never
// cuts a scenario short.
#ifndef SMPFUZZ_REPLAY_FUZZ_INPUT_H_
#define SMPFUZZ_REPLAY_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "schedulers/schedule.pb.h"

namespace smp::fuzz {

// What a fuzzer knows about its target.
struct TargetInfo {
  std::string target;
  std::vector<const ScenarioSpec*> variants;  // sorted by name; not empty
  const ScenarioSpec* pinned = nullptr;       // only this variant, if set
  // Whether inputs may choose the memory model and membar_enter meaning
  // (else they run the scenario's own and the mutator leaves them alone).
  bool any_model = true;
};

// The schedule a fuzzer runs for input `data`: what the harness executes and
// what `smpfuzz replay` runs for a raw input. Without info.any_model the
// input's memory model and membar_enter meaning are dropped (the
// scenario's own apply).
proto::Schedule Decode(const uint8_t* data, size_t size, const TargetInfo& info);

// The spec a decoded schedule runs.
const ScenarioSpec& SpecOf(const proto::Schedule& s, const TargetInfo& info);

}  // namespace smp::fuzz

#endif  // SMPFUZZ_REPLAY_FUZZ_INPUT_H_
