// `smpfuzz fuzz`: a libFuzzer campaign (repro/campaign.h).
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "core/executor.h"
#include "core/memory_model.h"
#include "core/trace.h"
#include "core/scenario.h"
#include "core/trace_json.h"
#include "replay/findings.h"
#include "replay/fuzz_input.h"
#include "replay/minimize.h"
#include "replay/printable.h"
#include "replay/run_schedule.h"
#include "replay/schedule_io.h"
#include "repro/campaign.h"
#include "repro/cli_common.h"
#include "repro/shard_result.h"
#include "schedulers/bounded.h"
#include "schedulers/bounded_estimate.h"
#include "schedulers/pct_scheduler.h"
#include "schedulers/replay_scheduler.h"
#include "schedulers/search.h"

namespace smp::cli {

namespace {

// "90", "90s", "2m", "1h": seconds.
bool ParseDuration(const std::string& text, double* seconds) {
  if (text.empty()) return false;
  double unit = 1;
  std::string number = text;
  switch (text.back()) {
    case 's': number.pop_back(); break;
    case 'm': unit = 60; number.pop_back(); break;
    case 'h': unit = 3600; number.pop_back(); break;
    default: break;
  }
  uint64_t n = 0;
  if (!absl::SimpleAtoi(number, &n) || n == 0 || n > 30 * 24 * 3600) return false;
  *seconds = static_cast<double>(n) * unit;
  return true;
}

}  // namespace

int Fuzz(const std::vector<std::string>& args, std::ostream& out,
         std::ostream& err, const std::string& self) {
  std::optional<Args> a = ParseArgs(
      args, 1,
      {"target", "variant", "time", "jobs", "out", "fuzzer", "seeds", "max-len",
       "until"},
      {"no-interleaving-coverage", "until-found", "any-model"}, err);
  if (!a) return kBadInput;
  if (!a->positional.empty()) {
    err << "smpfuzz: fuzz takes no positional argument ('" << a->positional[0]
        << "')\n";
    return kBadInput;
  }
  CampaignOptions o;
  o.self = self;
  if (a->flags.count("target") == 0) {
    err << "smpfuzz: fuzz needs --target=NAME (see `" << self << " list`)\n";
    return kBadInput;
  }
  o.target = a->flags["target"];
  if (a->flags.count("variant") != 0) o.variant = a->flags["variant"];
  if (a->flags.count("time") != 0 && !ParseDuration(a->flags["time"], &o.seconds)) {
    err << "smpfuzz: --time wants a duration such as 60s, 5m or 1h, not '"
        << a->flags["time"] << "'\n";
    return kBadInput;
  }
  uint64_t n = 1;
  if (!ParseCount(*a, "jobs", &n, err)) return kBadInput;
  if (n == 0 || n > 64) {
    err << "smpfuzz: --jobs wants 1 to 64\n";
    return kBadInput;
  }
  o.jobs = static_cast<int>(n);
  uint64_t max_len = 512;
  if (!ParseCount(*a, "max-len", &max_len, err)) return kBadInput;
  o.max_len = static_cast<int>(std::clamp<uint64_t>(max_len, 16, 1 << 20));
  if (a->flags.count("out") != 0) o.out = a->flags["out"];
  const char* env_fuzzer = std::getenv("SMPFUZZ_FUZZER");
  o.fuzzer = a->flags.count("fuzzer") != 0 ? a->flags["fuzzer"]
             : env_fuzzer != nullptr     ? env_fuzzer
                                         : "";
  const char* env_seeds = std::getenv("SMPFUZZ_SEEDS");
  o.seeds = a->flags.count("seeds") != 0 ? a->flags["seeds"]
            : env_seeds != nullptr      ? std::string(env_seeds) + "/" + o.target
                                        : "corpus/" + o.target;
  o.interleaving_coverage = a->flags.count("no-interleaving-coverage") == 0;
  o.until_found = a->flags.count("until-found") != 0;
  o.any_model = a->flags.count("any-model") != 0;
  if (a->flags.count("until") != 0) {
    const std::string& kind = a->flags["until"];
    const std::optional<VerdictKind> k = ParseVerdictKind(kind);
    if (!k || *k == VerdictKind::kClean) {
      err << "smpfuzz: --until wants a verdict kind such as deadlock, "
             "lost_wakeup or membar_misuse, not '"
          << kind << "'\n";
      return kBadInput;
    }
    o.until_kind = kind;
  }

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
