// The structure-aware mutator (libprotobuf-mutator is not packaged here):
// small edits of a schedule that keep it meaningful.
//
//   insert a decision (a preemption, an interrupt, a drain, a stale read),
//   delete one, move one to a nearby point, retarget one (CPU, argument),
//   duplicate one a point later, change the seed, flip the base policy,
//   the memory model or membar_enter's meaning, and change
//   the variant (unless the campaign pins one).
// CrossOver splices the decisions of two schedules.
#ifndef SMPFUZZ_FUZZ_MUTATOR_H_
#define SMPFUZZ_FUZZ_MUTATOR_H_

#include "core/prng.h"
#include "replay/fuzz_input.h"
#include "schedulers/schedule.pb.h"

namespace smp::fuzz {

void Mutate(proto::Schedule* s, Random& rng, const TargetInfo& info);
proto::Schedule CrossOver(const proto::Schedule& a, const proto::Schedule& b,
                          Random& rng);

}  // namespace smp::fuzz

#endif  // SMPFUZZ_FUZZ_MUTATOR_H_
