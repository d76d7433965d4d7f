// The smpfuzz command line's shared pieces: exit codes, the usage text,
// flag parsing, and one function per command (each in its own file:
// cli_run.cc, cli_merge.cc, cli_fuzz.cc, cli_replay.cc; list and the
// dispatch in cli.cc). Internal to repro/.
#ifndef SMPFUZZ_REPRO_CLI_COMMON_H_
#define SMPFUZZ_REPRO_CLI_COMMON_H_

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "core/scenario.h"

namespace smp::cli {

constexpr int kOk = 0;
constexpr int kVerdict = 1;
constexpr int kBadInput = 2;

// Every command and flag, as `smpfuzz help` prints it.
extern const char kUsage[];

// --name=value flags after the command; positional arguments kept in order.
struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;
};

// Parses args[from..]: `known` flags take a value, `booleans` none. An
// unknown flag, a value where none is taken or none where one is: a
// message on `err` and nullopt.
std::optional<Args> ParseArgs(const std::vector<std::string>& args, size_t from,
                              const std::set<std::string>& known,
                              const std::set<std::string>& booleans,
                              std::ostream& err);

// Flag `name` as a non-negative integer into *value (left alone if absent);
// false, with a message, if it is not one.
bool ParseCount(const Args& a, const std::string& name, uint64_t* value,
                std::ostream& err);

// The width of the scenario column: the longest "target/variant" of `specs`.
int NameWidth(const std::vector<const ScenarioSpec*>& specs);

// The commands. `args[0]` is the command; `self` is how the user invokes
// smpfuzz (shown in replay commands). Each returns the exit status.
int List(std::ostream& out);
int Run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
        const std::string& self);
int Merge(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
          const std::string& self);
int Fuzz(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
         const std::string& self);
int Minimize(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int Replay(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace smp::cli

#endif  // SMPFUZZ_REPRO_CLI_COMMON_H_
