// The memory-model vocabulary every layer shares: the word, the models,
// the NetBSD barriers and the two meanings of membar_enter, with their
// names. What each means, and the store buffers that give it meaning:
// core/memory.h (internal to core).
#ifndef SMPFUZZ_CORE_MEMORY_MODEL_H_
#define SMPFUZZ_CORE_MEMORY_MODEL_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace smp {

using Word = uint64_t;

enum class MemoryModel : uint8_t { kSC = 0, kTSO, kPSO, kRelaxed };

// The NetBSD membar_ops(3) family (meanings above).
enum class Barrier : uint8_t {
  kProducer = 0,  // store -> store
  kConsumer,      // load -> load
  kSync,          // all four pairs
  kAcquire,       // load -> load/store (after taking a lock)
  kRelease,       // load/store -> store (before releasing a lock)
  kEnter,         // acquire, or the historical store -> load/store
  kExit,          // release (both readings agree)
};
std::string_view BarrierName(Barrier b);
enum class EnterMeaning : uint8_t { kAcquire = 0, kStoreBefore };

std::string_view MemoryModelName(MemoryModel model);
std::optional<MemoryModel> ParseMemoryModel(std::string_view name);

}  // namespace smp

#endif  // SMPFUZZ_CORE_MEMORY_MODEL_H_
