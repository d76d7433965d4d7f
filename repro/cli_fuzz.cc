// `smpfuzz fuzz`: a libFuzzer campaign (repro/campaign.h).
#include <cstdlib>
#include <string>

#include "absl/strings/str_format.h"
#include "repro/campaign.h"
#include "repro/cli_common.h"
#include "repro/cli_request.h"

namespace smp::cli {

int Execute(const FuzzRequest& request, std::ostream& out, std::ostream& err,
            const std::string& self) {
  CampaignOptions o = request.campaign;
  o.self = self;
  const char* env_fuzzer = std::getenv("SMPFUZZ_FUZZER");
  o.fuzzer = request.fuzzer         ? *request.fuzzer
             : env_fuzzer != nullptr ? std::string(env_fuzzer)
                                     : std::string();
  const char* env_seeds = std::getenv("SMPFUZZ_SEEDS");
  o.seeds = request.seeds          ? *request.seeds
            : env_seeds != nullptr ? std::string(env_seeds) + "/" + o.target
                                   : "corpus/" + o.target;
  absl::StatusOr<CampaignResult> r = RunCampaign(o, out);
  if (!r.ok()) {
    err << "smpfuzz: " << r.status().message() << "\n";
    return kBadInput;
  }
  int fresh = 0, other = 0;
  for (const CampaignFinding& f : r->findings) {
    fresh += f.is_new;
    other += f.by_other;
  }
  out << (r->interrupted ? "interrupted" : "done") << " after "
      << static_cast<int>(r->seconds) << " s, " << r->executions
      << " executions: " << r->findings.size() << " finding(s) for " << o.target
      << ", " << fresh << " new";
  if (other != 0) out << ", " << other << " new by other campaigns sharing " << o.out;
  out << "\n";
  if (!r->findings.empty()) {
    out << absl::StrFormat("\n%-24s %-14s %-5s %s\n", "variant", "kind", "new",
                           "signature");
    for (const CampaignFinding& f : r->findings) {
      out << absl::StrFormat("%-24s %-14s %-5s %s\n", f.variant, f.kind,
                             f.is_new ? "yes" : f.by_other ? "other" : "", f.signature);
    }
    out << "\nreplay any of them: " << self
        << " replay <findings>/<target>/<variant>/<finding>/schedule.textproto\n";
  }
  return kOk;
}

}  // namespace smp::cli
