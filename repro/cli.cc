#include "repro/cli.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/scenario.h"
#include "replay/printable.h"
#include "repro/cli_common.h"
#include "repro/cli_flags.h"
#include "repro/cli_request.h"

namespace smp {

namespace cli {

int Execute(const ListRequest& /*request*/, std::ostream& out, std::ostream& /*err*/,
            const std::string& /*self*/) {
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

namespace {

// Bad input is reported before anything runs.
template <typename Request>
int ParseThenExecute(const absl::StatusOr<Request>& request, std::ostream& out,
                     std::ostream& err, const std::string& self) {
  if (!request.ok()) return ReportBadInput(request.status(), err);
  return Execute(*request, out, err, self);
}

}  // namespace

}  // namespace cli

int RunCli(const std::vector<std::string>& args, std::ostream& out,
           std::ostream& err, const std::string& self) {
  if (args.empty()) {
    err << cli::Usage();
    return cli::kBadInput;
  }
  const std::string& cmd = args[0];
  if (cmd == "list") return cli::ParseThenExecute(cli::ParseList(args, self), out, err, self);
  if (cmd == "run") return cli::ParseThenExecute(cli::ParseRun(args, self), out, err, self);
  if (cmd == "replay") {
    return cli::ParseThenExecute(cli::ParseReplay(args, self), out, err, self);
  }
  if (cmd == "fuzz") return cli::ParseThenExecute(cli::ParseFuzz(args, self), out, err, self);
  if (cmd == "minimize") {
    return cli::ParseThenExecute(cli::ParseMinimize(args, self), out, err, self);
  }
  if (cmd == "merge") {
    return cli::ParseThenExecute(cli::ParseMerge(args, self), out, err, self);
  }
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    out << cli::Usage();
    return cli::kOk;
  }
  return cli::ReportBadInput(
      cli::WithUsage(cli::BadInput(absl::StrCat("unknown command '", Printable(cmd), "'"))), err);
}

}  // namespace smp
