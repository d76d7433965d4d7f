#include "core/memory_model.h"

#include <iterator>

namespace smp {

std::string_view MemoryModelName(MemoryModel model) {
  switch (model) {
    case MemoryModel::kSC: return "sc";
    case MemoryModel::kTSO: return "tso";
    case MemoryModel::kPSO: return "pso";
    case MemoryModel::kRelaxed: return "relaxed";
  }
  return "?";
}

std::optional<MemoryModel> ParseMemoryModel(std::string_view name) {
  for (MemoryModel m : {MemoryModel::kSC, MemoryModel::kTSO, MemoryModel::kPSO,
                        MemoryModel::kRelaxed}) {
    if (MemoryModelName(m) == name) return m;
  }
  return std::nullopt;
}

std::string_view BarrierName(Barrier b) {
  static constexpr std::string_view kNames[] = {
      "membar_producer", "membar_consumer", "membar_sync", "membar_acquire",
      "membar_release",  "membar_enter",    "membar_exit"};
  const auto i = static_cast<size_t>(b);
  return i < std::size(kNames) ? kNames[i] : "membar_?";
}

}  // namespace smp
