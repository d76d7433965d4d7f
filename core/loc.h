// Source locations for trace events and verdicts.
//
// Every operation a target performs on the machine carries the file:line of
// its caller, taken with __builtin_FILE/__builtin_LINE in a default argument
// (std::source_location does not build with clang-14 + libstdc++ 12). The
// file is the path the build compiled, so traces are identical across runs
// of one build.
#ifndef SMPFUZZ_CORE_LOC_H_
#define SMPFUZZ_CORE_LOC_H_

#include <string>

namespace smp {

struct Loc {
  const char* file = "?";
  int line = 0;

  static constexpr Loc Here(const char* file = __builtin_FILE(),
                            int line = __builtin_LINE()) {
    return Loc{file, line};
  }
};

// "file:line": how every report and trace names a location.
inline std::string LocText(Loc loc) {
  return std::string(loc.file) + ":" + std::to_string(loc.line);
}

}  // namespace smp

#endif  // SMPFUZZ_CORE_LOC_H_
