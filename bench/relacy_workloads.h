// The bench/workload_shape.h workloads written for Relacy (Debian's
// relacy-dev, its rl:: types), in a translation unit of their own: Relacy's
// headers define `new` and `malloc` as macros and replace the global
// operator new, so nothing else may include them.
#ifndef SMPFUZZ_BENCH_RELACY_WORKLOADS_H_
#define SMPFUZZ_BENCH_RELACY_WORKLOADS_H_

#include <cstdint>

#include "bench/workload_shape.h"

namespace smp::bench {

// Runs `executions` executions of `w` with Relacy's random scheduler (its
// C++11 memory model and race detector always on; its iterations are
// seeded by their index, so a run is deterministic). Returns false if
// Relacy reported anything: every workload is correct.
bool RunRelacy(Workload w, uint64_t executions);

}  // namespace smp::bench

#endif  // SMPFUZZ_BENCH_RELACY_WORKLOADS_H_
