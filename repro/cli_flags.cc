#include "repro/cli_flags.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace smp::cli {

namespace {

constexpr bool kRequired = true;

// Each command's flags, in the order its synopsis lists them. A flag's
// defaults and limits are parsed in repro/cli_request.cc: keep the help
// saying the same.
constexpr FlagSpec kRunFlags[] = {
    {"target", "NAME", "the target to search (see `smpfuzz list`)", kRequired},
    {"variant", "V", "only this variant (default: every one)"},
    {"runs", "N", "executions each, at least 1 (default 10000)"},
    {"seed", "S", "the search's seed (default 1)"},
    {"scheduler", "random|pct|exhaustive|none",
     "how executions are chosen (default random)"},
    {"depth", "D", "pct: the PCT depth, 1 to 64 (default 3)"},
    {"preemptions", "P", "exhaustive: at most P preemptions (default 2)"},
    {"interrupts", "I", "exhaustive: at most I interrupts (default 1)"},
    {"reorderings", "R", "exhaustive: at most R reorderings (default 1)"},
    {"prefix", "FILE", "exhaustive: start from this schedule's decisions"},
    {"shard", "i/n", "exhaustive: only shard i of n, 0 <= i < n"},
    {"model", "sc|tso|pso|relaxed", "this memory model, not the scenario's"},
    {"membar-enter", "acquire|store-before",
     "this membar_enter meaning, not the scenario's"},
    {"max-steps", "N", "this step budget, not the scenario's"},
    {"all", "", "keep collecting distinct findings"},
    {"races", "", "run the data race detector"},
    {"no-lockdep", "", "without the lock-order / IPL-safety checker"},
    {"out", "DIR", "save findings under DIR (default findings/)"},
    {"no-save", "", "save nothing"},
    {"estimate", "N", "exhaustive: only estimate it, from N >= 2 probes"},
    {"no-reduction", "", "exhaustive: without drain, preemption reductions"},
    {"result", "FILE", "exhaustive: also write a result file for merge"},
};

constexpr FlagSpec kFuzzFlags[] = {
    {"target", "NAME", "the target to fuzz (see `smpfuzz list`)", kRequired},
    {"variant", "V", "only this variant (default: every one)"},
    {"time", "60s", "how long: seconds, or 90s, 5m, 1h (default 60s)"},
    {"jobs", "N", "fuzzer processes, 1 to 64 (default 1)"},
    {"out", "DIR", "findings and corpus under DIR (default findings/)"},
    {"fuzzer", "PATH", "the target's fuzzer (default $SMPFUZZ_FUZZER)"},
    {"no-interleaving-coverage", "", "guide inputs by code coverage only"},
    {"until-found", "", "stop at the first new finding"},
    {"until", "KIND", "stop at the first new finding of this kind"},
    {"any-model", "", "inputs choose memory model and membar_enter too"},
    {"seeds", "DIR", "seed corpus ($SMPFUZZ_SEEDS/NAME, else corpus/NAME)"},
    {"max-len", "N", "longest input in bytes, 16 to 1048576 (default 512)"},
};

constexpr FlagSpec kMergeFlags[] = {
    {"shards", "N", "there must be N shards"},
    {"missing", "", "print only the shards still to run"},
};

constexpr FlagSpec kMinimizeFlags[] = {
    {"out", "PATH", "write it to PATH instead"},
    {"max-executions", "N", "at most N replays (default 20000)"},
};

constexpr FlagSpec kReplayFlags[] = {
    {"expect", "KIND", "exit 0 if it ends in this verdict kind, else 1"},
    {"quiet", "", "leave the trace out"},
    {"json", "PATH", "also write the trace as Chrome trace-event JSON"},
    {"target", "T", "a FILE that is no schedule is a T fuzzer input"},
    {"any-model", "", "it is an input of a `fuzz --any-model` campaign"},
};

constexpr CommandSpec kCommands[] = {
    {"list", "", {}, "targets, their variants, expected verdicts and descriptions"},
    {"run", "", kRunFlags,
     "search every variant of NAME (or just V) with N executions each; save "
     "each distinct finding under DIR with its schedule, trace and replay "
     "command. A bug variant's search goes on until its declared verdict "
     "shows. exhaustive: every execution within the bounds (N caps it, "
     "default 1000000); pct and exhaustive: docs/schedulers.md. Exit 1 if a "
     "scenario did not end as declared."},
    {"merge", "DIR", kMergeFlags,
     "add up the shard results (--result) in DIR: the certificate \"clean up "
     "to P, I, R: N executions in n shards\" or the findings; exit 0/1 as run, "
     "2 for mixed builds, scenarios, models, settings, bounds or shard counts, "
     "a shard twice or missing. --missing prints the shards missing or "
     "stopped at --runs as 1,3 (sbatch --array syntax)."},
    {"fuzz", "", kFuzzFlags,
     "a libFuzzer campaign on the target's fuzzer (tools/smpfuzz builds it); "
     "findings are saved as they appear, the corpus is kept for the next "
     "campaign; Ctrl-C stops it and loses nothing. With --any-model a finding "
     "is reported under the strongest model that still shows it."},
    {"minimize", "FILE", kMinimizeFlags,
     "the smallest schedule with the same verdict signature, written to "
     "FILE.min.textproto (or PATH); prints its depth and PCT bound"},
    {"replay", "FILE", kReplayFlags,
     "re-run a saved schedule (text or binary) and print its trace; exit 0 "
     "if clean (or KIND reproduced), 1 on a verdict, 2 bad input. FILE may be "
     "a folder (findings, corpus): every *.textproto below it, one row each "
     "(saved kind, verdict now); exit 0 if each ends as saved (or as KIND), "
     "1 if some changed, 2 if some file is no schedule"},
};

constexpr size_t kWidth = 80;
constexpr size_t kIndent = 6;      // a command's summary and flags
constexpr size_t kHelpColumn = 28;  // a flag's help

// Appends `words` to `out`, each line at most kWidth columns (unless one
// word is longer), continuation lines starting with `indent` spaces; the
// first line continues what `out` already holds, `column` wide.
void Wrap(const std::vector<std::string>& words, size_t column, size_t indent,
          std::string* out) {
  bool first_on_line = true;
  for (const std::string& w : words) {
    if (!first_on_line && column + 1 + w.size() > kWidth) {
      absl::StrAppend(out, "\n", std::string(indent, ' '));
      column = indent;
      first_on_line = true;
    }
    if (!first_on_line) {
      out->push_back(' ');
      ++column;
    }
    out->append(w);
    column += w.size();
    first_on_line = false;
  }
  out->push_back('\n');
}

std::vector<std::string> SynopsisWords(const CommandSpec& c) {
  std::vector<std::string> words = {"smpfuzz", std::string(c.name)};
  if (!c.positional.empty()) words.emplace_back(c.positional);
  for (const FlagSpec& f : c.flags) {
    words.push_back(f.required ? FlagText(f) : absl::StrCat("[", FlagText(f), "]"));
  }
  return words;
}

std::string RenderUsage() {
  std::string u = "usage:\n";
  for (const CommandSpec& c : Commands()) {
    // Continuation lines line up after "smpfuzz <command> ".
    u += "  ";
    Wrap(SynopsisWords(c), 2, 2 + std::string_view("smpfuzz ").size() + c.name.size() + 1,
         &u);
    u += std::string(kIndent, ' ');
    const std::vector<std::string> summary =
        absl::StrSplit(std::string(c.summary), ' ', absl::SkipEmpty());
    Wrap(summary, kIndent, kIndent, &u);
    for (const FlagSpec& f : c.flags) {
      // The help at kHelpColumn, on a line of its own after a long flag.
      std::string line = std::string(kIndent, ' ') + FlagText(f);
      if (line.size() + 2 > kHelpColumn) {
        absl::StrAppend(&u, line, "\n");
        line.clear();
      }
      line.resize(kHelpColumn, ' ');
      absl::StrAppend(&u, line, std::string(f.help), "\n");
    }
  }
  return u;
}

}  // namespace

std::span<const CommandSpec> Commands() { return kCommands; }

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& c : kCommands) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

const FlagSpec* FindFlag(const CommandSpec& command, std::string_view name) {
  for (const FlagSpec& f : command.flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string FlagText(const FlagSpec& flag) {
  std::string text = "--" + std::string(flag.name);
  if (!flag.boolean()) text += "=" + std::string(flag.value);
  return text;
}

std::string Synopsis(const CommandSpec& command) {
  std::string s;
  for (const std::string& w : SynopsisWords(command)) {
    if (!s.empty()) s += ' ';
    s += w;
  }
  return s;
}

std::string MarkdownSynopsis(const CommandSpec& command) {
  return absl::StrCat("`", absl::StrReplaceAll(Synopsis(command), {{"|", "\\|"}}), "`");
}

const std::string& Usage() {
  static const std::string* const usage = new std::string(RenderUsage());
  return *usage;
}

}  // namespace smp::cli
