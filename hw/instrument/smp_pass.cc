// smp_pass: LLVM 14 pass plugin that routes the shared-memory accesses of
// target kernel C code through the smpfuzz runtime.
//
// Build:  clang++-14 -shared -fPIC $(llvm-config-14 --cxxflags) -I. \
//             hw/instrument/*.cc -o smp_pass.so
// Use:    clang-14 -fpass-plugin=smp_pass.so -g -O2 -ffreestanding ...
//
// Contract
// --------
// The pass runs once per module at the start of the pipeline (also at -O0),
// before any optimization, so locals are still allocas and the IR still has
// the frontend's structured GEPs (which is what the access names are built
// from).
//
// Instrumented (replaced by a call that the simulated machine performs):
//   - plain loads and stores            -> __smp_load_N / __smp_store_N
//   - atomic loads and stores           -> __smp_atomic_load_N / _store_N
//   - cmpxchg                           -> __smp_atomic_cas_N (returns old)
//   - atomicrmw                         -> __smp_atomic_rmw_N (returns old)
//   - fence (not syncscope singlethread)-> __smp_fence
//   - llvm.memcpy/memmove/memset        -> __smp_memcpy/_memmove/_memset
//   Every call gets its own private constant __smp_site {file, line, flags,
//   what}, so a trace line points at the source and names the location.
//   Every defined, non-constant global is announced to the runtime by a
//   module constructor calling __smp_register_global.
//
// Left alone, and why:
//   - accesses whose underlying objects are all allocas (or byval
//     arguments): the memory is private to the running context, so no other
//     CPU can observe it and routing it through the runtime would only cost.
//     A local whose address is handed to another context is therefore
//     invisible; target code must keep shared state in globals or the heap.
//   - loads from constant globals (and memcpy from them into locals): the
//     contents never change, so there is nothing to order or race on.
//   - syncscope("singlethread") fences (signal fences): they order nothing
//     between CPUs.
//   - functions named __smp_* and the constructor this pass creates: they
//     are the runtime side of the interface.
//   - inline asm without memory operands or memory clobber, and the empty
//     asm template with a "memory" clobber (a pure compiler barrier): neither
//     touches memory, and every shared access is already an opaque call, so
//     a compiler barrier has nothing left to order.
//
// Refused with a compile error at the offending file:line:
//   - inline asm with a non-empty template that has a "memory" clobber or a
//     memory operand (indirect "*m"-style constraints, or m/o/V/Q): the
//     runtime cannot see what it does.
//   - thread_local globals: per-CPU data lives in struct cpu_info.
//   - calls to pthread_*: contexts are simulated, use kthread_create.
//   - setjmp/longjmp and their variants: a jump cannot cross a scheduling
//     point.
//   - loads/stores/atomics of values that are not 1/8/16/32/64-bit
//     integers, pointers, or 16/32/64-bit floating point (vectors,
//     aggregates, i128, long double, ...): the runtime ABI has no entry for
//     them.
//
// Files: smp_pass.cc registers the pass; instrumenter.h rewrites a module
// (instrumenter.cc: the walk and the runtime ABI; rewrite.cc: each kind of
// access; rules.cc: what is left alone or refused); namer.h names the
// sites from debug info.

#include "hw/instrument/instrumenter.h"
#include "hw/instrument/pass_types.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

namespace smp_pass {

struct SmpPass : llvm::PassInfoMixin<SmpPass> {
  llvm::PreservedAnalyses run(Module& m, llvm::ModuleAnalysisManager&) {
    Instrumenter(m).Run();
    return llvm::PreservedAnalyses::none();
  }
  // Without this, -O0's optnone functions would be skipped.
  static bool isRequired() { return true; }
};

}  // namespace smp_pass

extern "C" LLVM_ATTRIBUTE_WEAK ::llvm::PassPluginLibraryInfo
llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "smp_pass", "1",
          [](llvm::PassBuilder& pb) {
            // PipelineStart runs at every -O level (OptimizerLast does not
            // at -O0) and before SROA, so locals are still allocas.
            pb.registerPipelineStartEPCallback(
                [](llvm::ModulePassManager& mpm, llvm::OptimizationLevel) {
                  mpm.addPass(smp_pass::SmpPass());
                });
          }};
}
