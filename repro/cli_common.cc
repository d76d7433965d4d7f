#include "repro/cli_common.h"

#include <algorithm>

#include "absl/strings/numbers.h"

namespace smp::cli {

const char kUsage[] =
    "usage:\n"
    "  smpfuzz list\n"
    "      targets, their variants, expected verdicts and descriptions\n"
    "  smpfuzz run --target=NAME [--variant=V] [--runs=N] [--seed=S]\n"
    "              [--scheduler=random|pct|exhaustive|none] [--depth=D]\n"
    "              [--preemptions=P] [--interrupts=I] [--reorderings=R]\n"
    "              [--prefix=FILE] [--shard=i/n] [--model=sc|tso|pso|relaxed]\n"
    "              [--membar-enter=acquire|store-before] [--max-steps=N] [--all]\n"
    "              [--races] [--no-lockdep] [--out=DIR] [--no-save] [--estimate=N]\n"
    "              [--no-reduction] [--result=FILE]\n"
    "      search every variant of NAME (or just V) with N executions each\n"
    "      (default 10000, seed 1); save each distinct finding under DIR\n"
    "      (default findings/) with its schedule, trace and replay command.\n"
    "      --model and --membar-enter replace the scenario's own memory model\n"
    "      and meaning of membar_enter.\n"
    "      pct: PCT of depth D (default 3). exhaustive: every execution with\n"
    "      at most P preemptions, I interrupts, R reorderings (default 2, 1,\n"
    "      1; N caps it, default 1000000), from the decisions of the schedule\n"
    "      FILE (its scenario), or shard i of n of the search; with\n"
    "      --estimate=N, only estimate each search's size and time from N\n"
    "      random probes of its tree; --no-reduction: run every bounded\n"
    "      interleaving, without the drain and preemption reductions;\n"
    "      --result=FILE: also write the search of one scenario (one shard)\n"
    "      as a result file for merge, atomically\n"
    "  smpfuzz fuzz --target=NAME [--variant=V] [--time=60s] [--jobs=N]\n"
    "              [--out=DIR] [--fuzzer=PATH] [--no-interleaving-coverage]\n"
    "              [--until-found] [--until=KIND] [--any-model]\n"
    "      a libFuzzer campaign on the target's fuzzer (tools/smpfuzz builds\n"
    "      it); findings are saved as they appear, the corpus is kept for\n"
    "      the next campaign; Ctrl-C stops it and loses nothing;\n"
    "      --until-found stops at the first new finding, --until=KIND at\n"
    "      the first new one of that verdict kind; each scenario runs its\n"
    "      own memory model, --any-model lets inputs choose (a finding is\n"
    "      reported under the strongest model that still shows it)\n"
    "  smpfuzz merge DIR [--shards=N] [--missing]\n"
    "      add up the shard results (--result) in DIR: the certificate\n"
    "      \"clean up to P, I, R: N executions in n shards\" or the findings;\n"
    "      exit 0/1 as run, 2 for mixed builds, scenarios, models, settings,\n"
    "      bounds or shard counts, a shard twice or missing; --missing: print\n"
    "      only the shards still to run (missing or stopped at --runs), as\n"
    "      1,3 (sbatch --array syntax)\n"
    "  smpfuzz minimize FILE [--out=PATH] [--max-executions=N]\n"
    "      the smallest schedule with the same verdict signature, written to\n"
    "      FILE.min.textproto (or PATH); prints its depth and PCT bound\n"
    "  smpfuzz replay FILE [--expect=KIND] [--quiet] [--json=PATH] [--target=T] [--any-model]\n"
    "      re-run a saved schedule (text or binary) and print its trace;\n"
    "      exit 0 if clean (or KIND reproduced), 1 on a verdict, 2 bad input\n";

std::optional<Args> ParseArgs(const std::vector<std::string>& args, size_t from,
                              const std::set<std::string>& known,
                              const std::set<std::string>& booleans,
                              std::ostream& err) {
  Args a;
  for (size_t i = from; i < args.size(); ++i) {
    const std::string& s = args[i];
    if (s.rfind("--", 0) != 0) {
      a.positional.push_back(s);
      continue;
    }
    const size_t eq = s.find('=');
    const std::string name = s.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (known.count(name) == 0 && booleans.count(name) == 0) {
      err << "smpfuzz: unknown flag --" << name << " for " << args[0] << "\n"
          << kUsage;
      return std::nullopt;
    }
    if (booleans.count(name) != 0) {
      if (eq != std::string::npos) {
        err << "smpfuzz: --" << name << " takes no value\n";
        return std::nullopt;
      }
      a.flags[name] = "1";
    } else {
      if (eq == std::string::npos) {
        err << "smpfuzz: --" << name << " needs a value (--" << name << "=...)\n";
        return std::nullopt;
      }
      a.flags[name] = s.substr(eq + 1);
    }
  }
  return a;
}

bool ParseCount(const Args& a, const std::string& name, uint64_t* value,
                std::ostream& err) {
  auto it = a.flags.find(name);
  if (it == a.flags.end()) return true;
  if (!absl::SimpleAtoi(it->second, value)) {
    err << "smpfuzz: --" << name << " wants a non-negative integer, not '"
        << it->second << "'\n";
    return false;
  }
  return true;
}

int NameWidth(const std::vector<const ScenarioSpec*>& specs) {
  size_t width = std::string("scenario").size();
  for (const ScenarioSpec* s : specs) width = std::max(width, s->name().size());
  return static_cast<int>(width);
}

}  // namespace smp::cli
