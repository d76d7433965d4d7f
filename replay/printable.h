// Names echoed in error messages. A target or variant name comes from a
// schedule file or a flag and may hold anything: newlines, control bytes,
// megabytes. Every message that echoes one stays on one short line.
#ifndef SMPFUZZ_REPLAY_PRINTABLE_H_
#define SMPFUZZ_REPLAY_PRINTABLE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace smp {

constexpr size_t kMaxEchoedChars = 200;

// `name` for a one-line message: newline as \n, tab as \t, other bytes
// outside printable ASCII as \xNN; cut to `max_chars` characters of the
// escaped form, the cut marked with "...(N bytes)".
std::string Printable(std::string_view name, size_t max_chars = kMaxEchoedChars);

}  // namespace smp

#endif  // SMPFUZZ_REPLAY_PRINTABLE_H_
