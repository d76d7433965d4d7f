#include "repro/cli_common.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "replay/printable.h"

namespace smp::cli {

namespace {

// The payload that asks ReportBadInput for the usage text.
constexpr char kUsagePayload[] = "smpfuzz/show-usage";

}  // namespace

absl::Status BadInput(absl::string_view message) {
  return absl::InvalidArgumentError(message);
}

absl::Status WithUsage(absl::Status status) {
  status.SetPayload(kUsagePayload, absl::Cord());
  return status;
}

bool ShowsUsage(const absl::Status& status) {
  return status.GetPayload(kUsagePayload).has_value();
}

int ReportBadInput(const absl::Status& status, std::ostream& err) {
  err << "smpfuzz: " << status.message() << "\n";
  if (ShowsUsage(status)) err << Usage();
  return kBadInput;
}

std::string Args::Get(const std::string& name) const {
  auto it = flags.find(name);
  return it == flags.end() ? std::string() : it->second;
}

absl::StatusOr<Args> ParseArgs(const CommandSpec& command,
                               const std::vector<std::string>& args) {
  Args a;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.rfind("--", 0) != 0) {
      a.positional.push_back(s);
      continue;
    }
    const size_t eq = s.find('=');
    const std::string name = s.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const FlagSpec* flag = FindFlag(command, name);
    if (flag == nullptr) {
      return WithUsage(BadInput(
          absl::StrCat("unknown flag --", Printable(name), " for ", std::string(command.name))));
    }
    if (flag->boolean()) {
      if (eq != std::string::npos) {
        return BadInput(absl::StrCat("--", name, " takes no value"));
      }
      a.flags[name] = "1";
    } else {
      if (eq == std::string::npos) {
        return BadInput(absl::StrCat("--", name, " needs a value (--", name, "=...)"));
      }
      a.flags[name] = s.substr(eq + 1);
    }
  }
  return a;
}

absl::Status ParseCount(const Args& a, const std::string& name, uint64_t* value) {
  auto it = a.flags.find(name);
  if (it == a.flags.end()) return absl::OkStatus();
  if (!absl::SimpleAtoi(it->second, value)) {
    return BadInput(absl::StrCat("--", name, " wants a non-negative integer, not '",
                                 Printable(it->second), "'"));
  }
  return absl::OkStatus();
}

int NameWidth(const std::vector<const ScenarioSpec*>& specs) {
  size_t width = std::string("scenario").size();
  for (const ScenarioSpec* s : specs) width = std::max(width, s->name().size());
  return static_cast<int>(width);
}

}  // namespace smp::cli
