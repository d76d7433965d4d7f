// What the smpfuzz commands share: exit codes, bad input as an
// absl::Status and how it is reported, and the split of a command line
// into its flags (checked against the flag table, repro/cli_flags.h) and
// positional arguments. Internal to repro/.
#ifndef SMPFUZZ_REPRO_CLI_COMMON_H_
#define SMPFUZZ_REPRO_CLI_COMMON_H_

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/scenario.h"
#include "repro/cli_flags.h"

namespace smp::cli {

constexpr int kOk = 0;
constexpr int kVerdict = 1;
constexpr int kBadInput = 2;

// Bad input: an InvalidArgument status whose message is the one line the
// user sees after "smpfuzz: ". WithUsage() marks it to be followed by the
// usage text (an unknown command or flag, a wrong number of arguments).
absl::Status BadInput(absl::string_view message);
absl::Status WithUsage(absl::Status status);
bool ShowsUsage(const absl::Status& status);

// Prints `status` (REQUIRES: not ok) on `err` as "smpfuzz: <message>\n",
// then the usage text if it is marked so, and returns kBadInput.
int ReportBadInput(const absl::Status& status, std::ostream& err);

// A command line after its command: each --name=value (or --name, for a
// boolean flag, stored as "1"; a repeated flag's last value wins) and the
// positional arguments in order.
struct Args {
  std::map<std::string, std::string> flags;
  std::vector<std::string> positional;

  bool Has(const std::string& name) const { return flags.count(name) != 0; }
  // The flag's value; "" if absent.
  std::string Get(const std::string& name) const;
};

// Parses args[1..] (args[0] is the command) as `command`'s table says.
// Bad input: an unknown flag (with usage), a value given to a boolean
// flag, none given to one that takes it. Anything not starting with "--"
// is positional.
absl::StatusOr<Args> ParseArgs(const CommandSpec& command,
                               const std::vector<std::string>& args);

// Flag `name` as a non-negative integer into *value (left alone if the
// flag is absent); bad input if it is not one.
absl::Status ParseCount(const Args& a, const std::string& name, uint64_t* value);

// The width of the scenario column: the longest "target/variant" of `specs`.
int NameWidth(const std::vector<const ScenarioSpec*>& specs);

}  // namespace smp::cli

#endif  // SMPFUZZ_REPRO_CLI_COMMON_H_
