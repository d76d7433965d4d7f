// The smpfuzz command line's one flag table, as libFuzzer's FuzzerFlags.def
// is its: every command, its positional argument, and each of its flags
// with the flag's value placeholder (none for a boolean) and one-line help.
//
// Everything that lists flags comes from here, so they cannot disagree:
//   - the parser (ParseArgs, repro/cli_common.h) accepts exactly a
//     command's flags, with a value exactly where a placeholder is given;
//   - Usage(), the text `smpfuzz help` prints;
//   - the synopsis column of docs/usage.md's command table, which
//     cli_flags_test checks is MarkdownSynopsis() of each command.
// A flag's meaning (defaults, ranges, what it conflicts with) is decided
// where its command's request is parsed (repro/cli_request.h).
//
// Thread-safety: constant data; Usage() is built once, on first use.
#ifndef SMPFUZZ_REPRO_CLI_FLAGS_H_
#define SMPFUZZ_REPRO_CLI_FLAGS_H_

#include <span>
#include <string>
#include <string_view>

namespace smp::cli {

struct FlagSpec {
  std::string_view name;   // without the leading "--"
  std::string_view value;  // the placeholder ("N", "FILE", "sc|tso|pso|relaxed");
                           // empty: a boolean flag, which takes no value
  std::string_view help;   // one line, at most kMaxHelp characters
  bool required = false;   // shown without brackets; its command checks it
  bool boolean() const { return value.empty(); }
};

struct CommandSpec {
  std::string_view name;
  std::string_view positional;  // "FILE", "DIR"; empty: none
  std::span<const FlagSpec> flags;
  std::string_view summary;     // what the command does, wrapped by Usage()
};

// The longest help a flag may have: Usage() keeps to 80 columns.
inline constexpr size_t kMaxHelp = 52;

// Every command, in the order usage and docs list them.
std::span<const CommandSpec> Commands();

// The command called `name`, or nullptr.
const CommandSpec* FindCommand(std::string_view name);

// `command`'s flag called `name` (without "--"), or nullptr.
const FlagSpec* FindFlag(const CommandSpec& command, std::string_view name);

// "--name" or "--name=VALUE".
std::string FlagText(const FlagSpec& flag);

// One line: "smpfuzz run --target=NAME [--variant=V] ... [--result=FILE]".
std::string Synopsis(const CommandSpec& command);

// Synopsis() as a Markdown table cell holds it: in backticks, with each
// '|' escaped as "\|".
std::string MarkdownSynopsis(const CommandSpec& command);

// The text `smpfuzz help` prints: for each command its synopsis (wrapped),
// its summary, then each flag with its help; lines of at most 80 columns.
const std::string& Usage();

}  // namespace smp::cli

#endif  // SMPFUZZ_REPRO_CLI_FLAGS_H_
