#include "repro/cli.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/scenario.h"
#include "replay/printable.h"
#include "repro/cli_common.h"

namespace smp {

namespace cli {

int List(std::ostream& out) {
  const std::vector<const ScenarioSpec*>& all = ScenarioRegistry::Global().All();
  const int w = NameWidth(all);
  out << absl::StrFormat("%-*s %-14s %-5s %s\n", w, "scenario", "expects", "cpus",
                         "description");
  for (const ScenarioSpec* s : all) {
    out << absl::StrFormat("%-*s %-14s %-5d %s\n", w, s->name(),
                           VerdictKindName(s->expected), s->num_cpus,
                           s->description);
  }
  return kOk;
}

}  // namespace cli

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const std::string& self) {
  if (args.empty()) {
    err << cli::kUsage;
    return cli::kBadInput;
  }
  const std::string& cmd = args[0];
  if (cmd == "list") {
    if (args.size() > 1) {
      err << "smpfuzz: list takes no argument ('" << Printable(args[1]) << "')\n";
      return cli::kBadInput;
    }
    return cli::List(out);
  }
  if (cmd == "run") return cli::Run(args, out, err, self);
  if (cmd == "replay") return cli::Replay(args, out, err);
  if (cmd == "fuzz") return cli::Fuzz(args, out, err, self);
  if (cmd == "minimize") return cli::Minimize(args, out, err);
  if (cmd == "merge") return cli::Merge(args, out, err, self);
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    out << cli::kUsage;
    return cli::kOk;
  }
  err << "smpfuzz: unknown command '" << cmd << "'\n" << cli::kUsage;
  return cli::kBadInput;
}

}  // namespace smp
