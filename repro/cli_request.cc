// Each command's command line into its request: every check that needs
// neither a file nor an execution. The messages are the ones users and
// scripts have seen so far; keep them.
#include "repro/cli_request.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/memory_model.h"
#include "replay/printable.h"
#include "repro/cli_common.h"
#include "repro/cli_flags.h"

namespace smp::cli {

namespace {

// The command's flags and positional arguments, as the table allows them.
absl::StatusOr<Args> ParseFor(std::string_view command,
                              const std::vector<std::string>& args) {
  const CommandSpec* spec = FindCommand(command);
  // REQUIRES: `command` is in the table (the callers name their own).
  return ParseArgs(*spec, args);
}

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
  // At most 30 days, whatever the unit.
  if (!absl::SimpleAtoi(number, &n) || n == 0 || n > 30 * 24 * 3600 ||
      static_cast<double>(n) * unit > 30 * 24 * 3600) {
    return false;
  }
  *seconds = static_cast<double>(n) * unit;
  return true;
}

// The scheduler-independent part of `run`: the scenarios, the budget, the
// model and the detectors.
absl::Status ParseRunScenarios(const Args& a, const std::string& self, RunRequest* r) {
  if (!a.positional.empty()) {
    return BadInput(absl::StrCat("run takes no positional argument ('",
                                 Printable(a.positional[0]), "')"));
  }
  if (!a.Has("target")) {
    return BadInput(absl::StrCat("run needs --target=NAME (see `", self, " list`)"));
  }
  r->target = a.Get("target");
  r->specs = ScenarioRegistry::Global().ForTarget(r->target);
  if (r->specs.empty()) {
    return BadInput(absl::StrCat("unknown target '", Printable(r->target), "' (see `", self,
                                 " list`)"));
  }
  if (a.Has("variant")) {
    r->variant = a.Get("variant");
    const ScenarioSpec* spec = ScenarioRegistry::Global().Find(r->target, *r->variant);
    if (spec == nullptr) {
      return BadInput(absl::StrCat("target '", Printable(r->target), "' has no variant '",
                                   Printable(*r->variant), "' (see `", self, " list`)"));
    }
    r->specs = {spec};
  }
  SearchOptions& o = r->search;
  for (const auto& [name, value] : {std::pair<const char*, uint64_t*>{"runs", &o.runs},
                                    {"seed", &o.seed},
                                    {"max-steps", &o.max_steps}}) {
    if (absl::Status st = ParseCount(a, name, value); !st.ok()) return st;
  }
  if (a.Has("runs") && o.runs == 0) return BadInput("--runs wants at least 1 execution");
  // A saved schedule records the budget in 32 bits.
  if (o.max_steps > UINT32_MAX) {
    return BadInput(absl::StrCat("--max-steps wants at most ", UINT32_MAX));
  }
  o.all_findings = a.Has("all");
  return absl::OkStatus();
}

// --scheduler and what goes with each: --depth, the bounds, --shard,
// --prefix.
absl::Status ParseRunScheduler(const Args& a, RunRequest* r) {
  SearchOptions& o = r->search;
  if (a.Has("scheduler")) {
    const std::string s = a.Get("scheduler");
    if (s == "random") {
      o.scheduler = SchedulerKind::kRandom;
    } else if (s == "none") {
      o.scheduler = SchedulerKind::kNoPreemption;
    } else if (s == "pct") {
      o.scheduler = SchedulerKind::kPct;
    } else if (s == "exhaustive") {
      r->exhaustive = true;
    } else {
      return BadInput(absl::StrCat("unknown scheduler '", Printable(s),
                                   "' (random, pct, exhaustive or none)"));
    }
  }
  uint64_t depth = 3;
  if (absl::Status st = ParseCount(a, "depth", &depth); !st.ok()) return st;
  if (depth < 1 || depth > 64) return BadInput("--depth wants 1 to 64");
  o.depth = static_cast<int>(depth);
  if (o.scheduler != SchedulerKind::kPct && a.Has("depth")) {
    return BadInput("--depth is for --scheduler=pct");
  }
  for (const char* name : {"preemptions", "interrupts", "reorderings", "prefix", "shard",
                           "estimate", "no-reduction", "result"}) {
    if (!r->exhaustive && a.Has(name)) {
      return BadInput(absl::StrCat("--", name, " is for --scheduler=exhaustive"));
    }
  }
  if (!r->exhaustive) return absl::OkStatus();
  uint64_t p = 2, i = 1, rr = 1;
  for (const auto& [name, value] : {std::pair<const char*, uint64_t*>{"preemptions", &p},
                                    {"interrupts", &i},
                                    {"reorderings", &rr}}) {
    if (absl::Status st = ParseCount(a, name, value); !st.ok()) return st;
  }
  if (p > 64 || i > 64 || rr > 64) return BadInput("bounds above 64 would never finish");
  BoundedOptions& b = r->bounded;
  b.bounds = Bounds{static_cast<int>(p), static_cast<int>(i), static_cast<int>(rr)};
  b.max_executions = a.Has("runs") ? o.runs : 1000000;
  if (a.Has("shard")) {
    const std::string sh = a.Get("shard");
    const size_t slash = sh.find('/');
    uint32_t index = 0, count = 0;
    if (slash == std::string::npos || !absl::SimpleAtoi(sh.substr(0, slash), &index) ||
        !absl::SimpleAtoi(sh.substr(slash + 1), &count) || count == 0 || index >= count) {
      return BadInput(
          absl::StrCat("--shard wants i/n with 0 <= i < n, not '", Printable(sh), "'"));
    }
    b.shard = index;
    b.shards = count;
  }
  if (a.Has("prefix")) r->prefix_file = a.Get("prefix");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ListRequest> ParseList(const std::vector<std::string>& args,
                                      const std::string& /*self*/) {
  if (args.size() > 1) {
    return BadInput(absl::StrCat("list takes no argument ('", Printable(args[1]), "')"));
  }
  return ListRequest{};
}

absl::StatusOr<RunRequest> ParseRun(const std::vector<std::string>& args,
                                    const std::string& self) {
  absl::StatusOr<Args> parsed = ParseFor("run", args);
  if (!parsed.ok()) return parsed.status();
  const Args& a = *parsed;
  RunRequest r;
  if (absl::Status st = ParseRunScenarios(a, self, &r); !st.ok()) return st;
  if (absl::Status st = ParseRunScheduler(a, &r); !st.ok()) return st;
  SearchOptions& o = r.search;
  if (a.Has("model")) {
    o.memory_model = ParseMemoryModel(a.Get("model"));
    if (!o.memory_model) {
      return BadInput(absl::StrCat("unknown memory model '", Printable(a.Get("model")),
                                   "' (sc, tso, pso or relaxed)"));
    }
  }
  if (a.Has("membar-enter")) {
    const std::string m = a.Get("membar-enter");
    if (m == "acquire") {
      o.enter_meaning = EnterMeaning::kAcquire;
    } else if (m == "store-before") {
      o.enter_meaning = EnterMeaning::kStoreBefore;
    } else {
      return BadInput(absl::StrCat("unknown membar_enter meaning '", Printable(m),
                                   "' (acquire or store-before)"));
    }
  }
  if (a.Has("races")) o.detect_races = true;
  // Lockdep predicts lock-order and IPL-safety bugs from executions that
  // did not fail; without it a search reports only what actually happened.
  if (a.Has("no-lockdep")) o.lockdep = false;
  BoundedOptions& b = r.bounded;
  b.lockdep = o.lockdep;
  // The reductions prune interleavings, never verdicts (docs/schedulers.md);
  // without them, to cross-check one or to count every interleaving.
  if (a.Has("no-reduction")) {
    b.reduce_drains = false;
    b.reduce_preemptions = false;
  }
  // A --prefix's own model and meaning apply unless these are given.
  if (o.memory_model) b.memory_model = o.memory_model;
  if (o.enter_meaning) b.enter_meaning = o.enter_meaning;
  b.detect_races = o.detect_races;
  b.max_steps = o.max_steps;

  if (absl::Status st = ParseCount(a, "estimate", &r.estimate); !st.ok()) return st;
  if (a.Has("estimate")) {
    if (r.estimate < 2) {
      return BadInput("--estimate wants at least 2 probes (the error needs two)");
    }
    for (const char* name : {"shard", "all", "out", "result"}) {
      if (a.Has(name)) {
        return BadInput(absl::StrCat("--", name,
                                     " does not go with --estimate, which estimates the "
                                     "whole tree and runs no search"));
      }
    }
  }
  r.result_path = a.Get("result");
  // A --prefix searches its one scenario.
  if (!r.result_path.empty() && !r.prefix_file && r.specs.size() != 1) {
    return BadInput(absl::StrCat("--result records one scenario's search: give --variant "
                                 "(target ",
                                 Printable(r.target), " has ", r.specs.size(), ")"));
  }
  if (a.Has("result") && r.result_path.empty()) {
    return BadInput("--result wants a file name");
  }
  r.save = !a.Has("no-save");
  if (a.Has("out")) r.out_dir = a.Get("out");
  return r;
}

absl::StatusOr<FuzzRequest> ParseFuzz(const std::vector<std::string>& args,
                                      const std::string& self) {
  absl::StatusOr<Args> parsed = ParseFor("fuzz", args);
  if (!parsed.ok()) return parsed.status();
  const Args& a = *parsed;
  if (!a.positional.empty()) {
    return BadInput(absl::StrCat("fuzz takes no positional argument ('",
                                 Printable(a.positional[0]), "')"));
  }
  if (!a.Has("target")) {
    return BadInput(absl::StrCat("fuzz needs --target=NAME (see `", self, " list`)"));
  }
  FuzzRequest r;
  CampaignOptions& o = r.campaign;
  o.target = a.Get("target");
  o.variant = a.Get("variant");
  if (a.Has("time") && !ParseDuration(a.Get("time"), &o.seconds)) {
    return BadInput(absl::StrCat("--time wants a duration such as 60s, 5m or 1h, not '",
                                 Printable(a.Get("time")), "'"));
  }
  uint64_t n = 1;
  if (absl::Status st = ParseCount(a, "jobs", &n); !st.ok()) return st;
  if (n == 0 || n > 64) return BadInput("--jobs wants 1 to 64");
  o.jobs = static_cast<int>(n);
  uint64_t max_len = 512;
  if (absl::Status st = ParseCount(a, "max-len", &max_len); !st.ok()) return st;
  o.max_len = static_cast<int>(std::clamp<uint64_t>(max_len, 16, 1 << 20));
  if (a.Has("out")) o.out = a.Get("out");
  if (a.Has("fuzzer")) r.fuzzer = a.Get("fuzzer");
  if (a.Has("seeds")) r.seeds = a.Get("seeds");
  o.interleaving_coverage = !a.Has("no-interleaving-coverage");
  o.until_found = a.Has("until-found");
  o.any_model = a.Has("any-model");
  if (a.Has("until")) {
    const std::string kind = a.Get("until");
    const std::optional<VerdictKind> k = ParseVerdictKind(kind);
    if (!k || *k == VerdictKind::kClean) {
      return BadInput(absl::StrCat("--until wants a verdict kind such as deadlock, "
                                   "lost_wakeup or membar_misuse, not '",
                                   Printable(kind), "'"));
    }
    o.until_kind = kind;
  }
  return r;
}

absl::StatusOr<MergeRequest> ParseMerge(const std::vector<std::string>& args,
                                        const std::string& /*self*/) {
  absl::StatusOr<Args> parsed = ParseFor("merge", args);
  if (!parsed.ok()) return parsed.status();
  const Args& a = *parsed;
  if (a.positional.size() != 1) {
    return WithUsage(BadInput("merge takes exactly one folder of shard results"));
  }
  MergeRequest r;
  r.dir = a.positional[0];
  if (a.Has("shards")) {
    uint64_t n = 0;
    if (absl::Status st = ParseCount(a, "shards", &n); !st.ok()) return st;
    if (n < 1 || n > UINT32_MAX) return BadInput("--shards wants at least 1");
    r.shards = static_cast<uint32_t>(n);
  }
  r.missing = a.Has("missing");
  return r;
}

absl::StatusOr<MinimizeRequest> ParseMinimize(const std::vector<std::string>& args,
                                              const std::string& /*self*/) {
  absl::StatusOr<Args> parsed = ParseFor("minimize", args);
  if (!parsed.ok()) return parsed.status();
  const Args& a = *parsed;
  if (a.positional.size() != 1) {
    return WithUsage(BadInput("minimize takes exactly one schedule file"));
  }
  MinimizeRequest r;
  r.file = a.positional[0];
  if (absl::Status st = ParseCount(a, "max-executions", &r.max_executions); !st.ok()) {
    return st;
  }
  r.out = a.Get("out");
  return r;
}

absl::StatusOr<ReplayRequest> ParseReplay(const std::vector<std::string>& args,
                                          const std::string& /*self*/) {
  absl::StatusOr<Args> parsed = ParseFor("replay", args);
  if (!parsed.ok()) return parsed.status();
  const Args& a = *parsed;
  if (a.positional.size() != 1) {
    return WithUsage(BadInput("replay takes exactly one schedule file or folder"));
  }
  ReplayRequest r;
  r.file = a.positional[0];
  if (a.Has("expect")) {
    r.expect = ParseVerdictKind(a.Get("expect"));
    if (!r.expect) {
      return BadInput(absl::StrCat("unknown verdict kind '", Printable(a.Get("expect")),
                                   "' for --expect (clean, deadlock, lost_wakeup, hang, "
                                   "assertion, ...)"));
    }
  }
  r.quiet = a.Has("quiet");
  if (a.Has("json")) r.json = a.Get("json");
  r.target = a.Get("target");
  r.any_model = a.Has("any-model");
  return r;
}

}  // namespace smp::cli
