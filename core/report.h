// Text shared by the reports detectors write: context names and the
// lockdep-style "possible scenario" picture in CPU columns. One home, so
// that the deadlock and lockdep reports name things the same way.
//
// These texts are part of verdict messages and signatures, which the
// regression corpus pins: change them only with it.
#ifndef SMPFUZZ_CORE_REPORT_H_
#define SMPFUZZ_CORE_REPORT_H_

#include <string>
#include <utility>
#include <vector>

#include "core/loc.h"
#include "core/trace.h"

namespace smp {

// LocText(Loc), "file:line", is in core/loc.h (the trace uses it too).

// "thread NAME", "intr NAME" or "softint NAME" (`name`: the thread's or
// the interrupt line's).
std::string ContextLabel(CtxKind kind, const std::string& name);

// The label, then " (level L)" for a handler, then " on CPUn" if cpu >= 0.
std::string ContextText(CtxKind kind, const std::string& name, int level,
                        int cpu);

// The "possible scenario" picture: lines of text placed in CPU columns,
// 34 characters wide, closed by "*** DEADLOCK ***".
class ScenarioColumns {
 public:
  enum class Heads {
    kPlain,  // "CPUn" over each column (the machine's deadlock report)
    kRuled,  // "     CPUn" over "     ----" (lockdep's, trailing blanks cut)
  };
  ScenarioColumns(std::vector<int> cpus, Heads heads)
      : cpus_(std::move(cpus)), heads_(heads) {}

  // A line in the column of the `index`th CPU given to the constructor.
  void Add(int index, std::string text) {
    lines_.emplace_back(index, std::move(text));
  }
  std::string Render() const;

 private:
  std::vector<int> cpus_;
  Heads heads_;
  std::vector<std::pair<int, std::string>> lines_;
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_REPORT_H_
