// The bench/workload_shape.h workloads on the machine's Shared<T> cells:
// the twins of bench/relacy_workloads.cc, access for access (a Relacy
// fence is a Machine::Membar, an acquire load LoadAcquire, a relaxed
// atomic a cell marked atomic). The spin lock is bench/cell_counter.h's.
#ifndef SMPFUZZ_BENCH_TWIN_WORKLOADS_H_
#define SMPFUZZ_BENCH_TWIN_WORKLOADS_H_

#include "bench/workload_shape.h"
#include "core/scenario.h"

namespace smp::bench {

// Not registered: a ScenarioSpec the benchmark hands to an Executor.
const ScenarioSpec& TwinScenario(Workload w);

}  // namespace smp::bench

#endif  // SMPFUZZ_BENCH_TWIN_WORKLOADS_H_
