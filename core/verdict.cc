#include "core/verdict.h"

namespace smp {
namespace {

constexpr std::string_view kNames[] = {
    "clean",     "deadlock",   "lost_wakeup", "hang",
    "assertion", "membar_misuse", "data_race", "lock_order",
    "ipl_unsafe", "lock_misuse", "nondeterminism",
};

}  // namespace

std::string_view VerdictKindName(VerdictKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < std::size(kNames) ? kNames[i] : "unknown";
}

std::optional<VerdictKind> ParseVerdictKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return static_cast<VerdictKind>(i);
  }
  return std::nullopt;
}

}  // namespace smp
