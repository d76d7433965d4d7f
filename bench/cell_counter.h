// demo/spinlock_counter written against core's C++ API (Shared<T> cells),
// as the demo target was before it became plain C: the same threads, the
// same scheduling points, the same final check. The benchmarks run it
// beside the C scenario to price the instrumented C path.
#ifndef SMPFUZZ_BENCH_CELL_COUNTER_H_
#define SMPFUZZ_BENCH_CELL_COUNTER_H_

#include "core/scenario.h"

namespace smp::bench {

// Not registered: a ScenarioSpec the benchmark hands to an Executor.
const ScenarioSpec& CellSpinlockCounter();

}  // namespace smp::bench

#endif  // SMPFUZZ_BENCH_CELL_COUNTER_H_
