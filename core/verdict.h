// Verdicts: what the referee concludes about one execution.
//
// A verdict has a kind, a message for a person, a signature for
// deduplication and the step at which it was reached. Signatures are stable:
// they name contexts, locks, cells and source lines, never step numbers,
// addresses or anything that varies between two schedules hitting the same
// bug the same way.
#ifndef SMPFUZZ_CORE_VERDICT_H_
#define SMPFUZZ_CORE_VERDICT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace smp {

enum class VerdictKind : uint8_t {
  kClean = 0,
  kDeadlock,         // no context can make progress; someone has not finished
  kLostWakeup,       // quiescent, yet a thread is parked or an interrupt pending
  kHang,             // step budget exhausted without quiescence
  kAssertion,        // SMP_ASSERT or a scenario's final check failed
  kMembarMisuse,     // invariant broken only under a weaker memory model
  kDataRace,         // conflicting accesses unordered by happens-before
  kLockOrder,        // lock-order cycle (predictive)
  kIplUnsafe,        // lock taken in a handler and elsewhere at a lower IPL
  kLockMisuse,       // recursion, release of a lock not held, sleep with spin lock
  kNondeterminism,   // a re-run of the same schedule did not reproduce
};

// Lower-case names used on the command line and in corpus files
// ("clean", "deadlock", "lost_wakeup", ...).
std::string_view VerdictKindName(VerdictKind kind);
std::optional<VerdictKind> ParseVerdictKind(std::string_view name);

struct Verdict {
  VerdictKind kind = VerdictKind::kClean;
  std::string message;    // several lines, for a person
  std::string signature;  // one line, stable across schedules
  uint64_t step = 0;
  // kMembarMisuse: how many reorderings the failure needs (those it lists
  // as needed, at least 1), whether or not a decision made them.
  int reorderings_needed = 0;

  bool clean() const { return kind == VerdictKind::kClean; }
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_VERDICT_H_
