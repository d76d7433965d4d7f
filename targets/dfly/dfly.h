/* What the dfly scenarios share: every one has two CPUs and is judged
 * under TSO, with its own set-up `name##_setup` and final check (or
 * NULL). */
#ifndef SMPFUZZ_TARGETS_DFLY_DFLY_H_
#define SMPFUZZ_TARGETS_DFLY_DFLY_H_

#include <smp/hw.h>

#define DFLY_ARG(v) ((void*)(uintptr_t)(v))

#define DFLY_SCENARIO(name, kind, steps, check_fn, text)                          \
  SMP_SCENARIO_C(name, .target = "dfly", .variant = #name, .description = text, \
                 .expected = (kind), .cpus = 2, .max_steps = (steps),             \
                 .memory_model = SMP_TSO, .setup = name##_setup, .check = (check_fn))

#endif /* SMPFUZZ_TARGETS_DFLY_DFLY_H_ */
