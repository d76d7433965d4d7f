// Parsing each command's command line into its request, without running
// anything; and `smpfuzz help`.
#include "repro/cli_request.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/scenario.h"
#include "gtest/gtest.h"
#include "repro/cli_common.h"
#include "repro/cli_flags.h"
#include "repro/cli_test_util.h"

namespace smp::cli {
namespace {

using Line = std::vector<std::string>;

// The one-line message of a bad command line, "" if it parsed.
template <typename Request>
std::string Message(const absl::StatusOr<Request>& r) {
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(r.status().message());
}

TEST(CliRequest, UnknownFlagIsBadInputFollowedByUsage) {
  absl::StatusOr<RunRequest> r = ParseRun({"run", "--target=demo", "--bogus=1"}, "smpfuzz");
  EXPECT_EQ(Message(r), "unknown flag --bogus for run");
  EXPECT_TRUE(ShowsUsage(r.status()));
  // A flag of another command is unknown too.
  EXPECT_EQ(Message(ParseReplay({"replay", "f", "--runs=3"}, "smpfuzz")),
            "unknown flag --runs for replay");
}

TEST(CliRequest, BadCountsAndMissingOrUnwantedValues) {
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--runs=abc"}, "smpfuzz")),
            "--runs wants a non-negative integer, not 'abc'");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--seed=-1"}, "smpfuzz")),
            "--seed wants a non-negative integer, not '-1'");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--runs"}, "smpfuzz")),
            "--runs needs a value (--runs=...)");
  absl::StatusOr<RunRequest> r = ParseRun({"run", "--target=demo", "--no-save=yes"}, "smpfuzz");
  EXPECT_EQ(Message(r), "--no-save takes no value");
  EXPECT_FALSE(ShowsUsage(r.status()));
  EXPECT_EQ(Message(ParseReplay({"replay", "f", "--quiet=1"}, "smpfuzz")),
            "--quiet takes no value");
  EXPECT_EQ(Message(ParseFuzz({"fuzz", "--target=demo", "--jobs=0"}, "smpfuzz")),
            "--jobs wants 1 to 64");
  EXPECT_EQ(Message(ParseMerge({"merge", "d", "--shards=0"}, "smpfuzz")),
            "--shards wants at least 1");
}

TEST(CliRequest, NamesAreLookedUpAndSelfNamedInTheHint) {
  EXPECT_EQ(Message(ParseRun({"run"}, "tools/smpfuzz")),
            "run needs --target=NAME (see `tools/smpfuzz list`)");
  EXPECT_EQ(Message(ParseRun({"run", "--target=nosuch"}, "smpfuzz")),
            "unknown target 'nosuch' (see `smpfuzz list`)");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--variant=nosuch"}, "smpfuzz")),
            "target 'demo' has no variant 'nosuch' (see `smpfuzz list`)");
}

TEST(CliRequest, RunDefaults) {
  absl::StatusOr<RunRequest> r = ParseRun({"run", "--target=demo"}, "smpfuzz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->specs, ScenarioRegistry::Global().ForTarget("demo"));
  EXPECT_FALSE(r->exhaustive);
  EXPECT_EQ(r->search.runs, 10000u);
  EXPECT_EQ(r->search.seed, 1u);
  EXPECT_EQ(r->search.scheduler, SchedulerKind::kRandom);
  EXPECT_TRUE(r->search.lockdep);
  EXPECT_TRUE(r->save);
  EXPECT_EQ(r->out_dir, "findings");
  EXPECT_EQ(r->estimate, 0u);
  EXPECT_FALSE(r->prefix_file);
}

// A --prefix names a file: parsing keeps its name and reads nothing.
TEST(CliRequest, RunExhaustiveKeepsItsBoundsShardAndPrefixUnread) {
  absl::StatusOr<RunRequest> r =
      ParseRun({"run", "--target=demo", "--variant=intr_masked", "--scheduler=exhaustive",
                "--runs=50", "--preemptions=3", "--shard=1/4", "--prefix=/nonexistent",
                "--no-reduction", "--model=tso", "--no-save"},
               "smpfuzz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->exhaustive);
  ASSERT_EQ(r->specs.size(), 1u);
  EXPECT_EQ(r->specs[0]->name(), "demo/intr_masked");
  EXPECT_EQ(r->bounded.max_executions, 50u);
  EXPECT_EQ(r->bounded.bounds.preemptions, 3);
  EXPECT_EQ(r->bounded.bounds.interrupts, 1);
  EXPECT_EQ(r->bounded.bounds.reorderings, 1);
  EXPECT_EQ(r->bounded.shard, 1u);
  EXPECT_EQ(r->bounded.shards, 4u);
  EXPECT_EQ(r->prefix_file, "/nonexistent");
  EXPECT_FALSE(r->bounded.reduce_drains);
  EXPECT_FALSE(r->bounded.reduce_preemptions);
  EXPECT_EQ(r->bounded.memory_model, MemoryModel::kTSO);
  EXPECT_FALSE(r->save);
  // Without --runs an exhaustive search is capped at a million.
  r = ParseRun({"run", "--target=demo", "--scheduler=exhaustive"}, "smpfuzz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->bounded.max_executions, 1000000u);
}

TEST(CliRequest, RunFlagsThatDoNotGoTogether) {
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--depth=2"}, "smpfuzz")),
            "--depth is for --scheduler=pct");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--shard=0/2"}, "smpfuzz")),
            "--shard is for --scheduler=exhaustive");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--scheduler=exhaustive",
                              "--estimate=9", "--out=x"},
                             "smpfuzz")),
            "--out does not go with --estimate, which estimates the whole tree and runs "
            "no search");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--scheduler=exhaustive",
                              "--result=r.result"},
                             "smpfuzz")),
            "--result records one scenario's search: give --variant (target demo has " +
                std::to_string(ScenarioRegistry::Global().ForTarget("demo").size()) + ")");
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--scheduler=exhaustive",
                              "--shard=2/2"},
                             "smpfuzz")),
            "--shard wants i/n with 0 <= i < n, not '2/2'");
}

TEST(CliRequest, FuzzDurationLengthAndDefaultsLeftForExecution) {
  absl::StatusOr<FuzzRequest> r =
      ParseFuzz({"fuzz", "--target=demo", "--time=5m", "--max-len=3", "--until=deadlock"},
                "smpfuzz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->campaign.seconds, 300);
  EXPECT_EQ(r->campaign.max_len, 16);  // clamped, as it always was
  EXPECT_EQ(r->campaign.until_kind, "deadlock");
  EXPECT_FALSE(r->fuzzer);  // $SMPFUZZ_FUZZER, when it runs
  EXPECT_FALSE(r->seeds);
  r = ParseFuzz({"fuzz", "--target=demo", "--seeds=s", "--fuzzer=f"}, "smpfuzz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->seeds, "s");
  EXPECT_EQ(r->fuzzer, "f");
  EXPECT_EQ(Message(ParseFuzz({"fuzz", "--target=demo", "--time=soon"}, "smpfuzz")),
            "--time wants a duration such as 60s, 5m or 1h, not 'soon'");
  // At most 30 days, in any unit.
  EXPECT_TRUE(ParseFuzz({"fuzz", "--target=demo", "--time=720h"}, "smpfuzz").ok());
  EXPECT_EQ(Message(ParseFuzz({"fuzz", "--target=demo", "--time=721h"}, "smpfuzz")),
            "--time wants a duration such as 60s, 5m or 1h, not '721h'");
}

TEST(CliRequest, ReplayMinimizeMergeTakeOnePositional) {
  for (const Line& line : {Line{"replay"}, Line{"replay", "a", "b"}}) {
    absl::StatusOr<ReplayRequest> r = ParseReplay(line, "smpfuzz");
    EXPECT_EQ(Message(r), "replay takes exactly one schedule file or folder");
    EXPECT_TRUE(ShowsUsage(r.status()));
  }
  EXPECT_EQ(Message(ParseMinimize({"minimize"}, "smpfuzz")),
            "minimize takes exactly one schedule file");
  EXPECT_EQ(Message(ParseMerge({"merge", "a", "b"}, "smpfuzz")),
            "merge takes exactly one folder of shard results");
  absl::StatusOr<ReplayRequest> r =
      ParseReplay({"replay", "s.textproto", "--expect=deadlock", "--quiet", "--json=j"},
                  "smpfuzz");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->file, "s.textproto");
  EXPECT_EQ(r->expect, VerdictKind::kDeadlock);
  EXPECT_TRUE(r->quiet);
  EXPECT_EQ(r->json, "j");
  EXPECT_EQ(Message(ParseReplay({"replay", "x", "--expect=explosion"}, "smpfuzz")),
            "unknown verdict kind 'explosion' for --expect (clean, deadlock, lost_wakeup, "
            "hang, assertion, ...)");
  absl::StatusOr<MinimizeRequest> m = ParseMinimize({"minimize", "f"}, "smpfuzz");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->max_executions, 20000u);
  EXPECT_EQ(m->out, "");
}

// Every flag in the table is accepted by its command's parser, with or
// without a value as the table says.
TEST(CliRequest, ParseArgsAcceptsExactlyTheTablesFlags) {
  for (const CommandSpec& c : Commands()) {
    for (const FlagSpec& f : c.flags) {
      const std::string with = "--" + std::string(f.name) + "=x";
      const std::string without = "--" + std::string(f.name);
      const Line right = {std::string(c.name), f.boolean() ? without : with};
      const Line wrong = {std::string(c.name), f.boolean() ? with : without};
      EXPECT_TRUE(ParseArgs(c, right).ok()) << right[0] << " " << right[1];
      EXPECT_FALSE(ParseArgs(c, wrong).ok()) << wrong[0] << " " << wrong[1];
    }
  }
}

// The flags each command accepted before the table (scripts use them:
// tools/, bench/): still accepted, each taking a value or not as before.
TEST(CliRequest, EveryFlagAcceptedBeforeTheTableStillIs) {
  struct Known {
    const char* command;
    std::vector<std::string> values, booleans;
  };
  const std::vector<Known> before = {
      {"run",
       {"target", "variant", "runs", "seed", "scheduler", "max-steps", "out", "model",
        "membar-enter", "depth", "preemptions", "interrupts", "reorderings", "prefix",
        "shard", "estimate", "result"},
       {"all", "no-save", "races", "no-lockdep", "no-reduction"}},
      {"fuzz",
       {"target", "variant", "time", "jobs", "out", "fuzzer", "seeds", "max-len", "until"},
       {"no-interleaving-coverage", "until-found", "any-model"}},
      {"merge", {"shards"}, {"missing"}},
      {"minimize", {"out", "max-executions"}, {}},
      {"replay", {"expect", "json", "target"}, {"quiet", "any-model"}},
  };
  for (const Known& k : before) {
    const CommandSpec* c = FindCommand(k.command);
    ASSERT_NE(c, nullptr) << k.command;
    for (const std::string& name : k.values) {
      const FlagSpec* f = FindFlag(*c, name);
      ASSERT_NE(f, nullptr) << k.command << " --" << name;
      EXPECT_FALSE(f->boolean()) << k.command << " --" << name;
    }
    for (const std::string& name : k.booleans) {
      const FlagSpec* f = FindFlag(*c, name);
      ASSERT_NE(f, nullptr) << k.command << " --" << name;
      EXPECT_TRUE(f->boolean()) << k.command << " --" << name;
    }
  }
}

// docs/usage.md: an exit-2 message is one line, and a name it echoes from
// a flag is escaped and cut. Values of numeric and enumerated flags, and
// unknown flag names, were echoed raw.
TEST(CliRequest, EchoedFlagValuesAreEscapedAndCut) {
  const std::string nl = "a\nb";
  const std::string huge(5000, 'z');
  const std::vector<Line> lines = {
      {"run", "--target=demo", "--runs=" + nl},
      {"run", "--target=demo", "--runs=" + huge},
      {"run", "--target=demo", "--scheduler=" + nl},
      {"run", "--target=demo", "--model=" + nl},
      {"run", "--target=demo", "--scheduler=exhaustive", "--shard=" + nl},
      {"run", "--target=demo", nl},
      {"run", "--target=demo", "--" + nl},
      {"fuzz", "--target=demo", "--time=" + nl},
      {"fuzz", "--target=demo", "--until=" + nl},
      {"fuzz", "--target=demo", nl},
      {"replay", "x", "--expect=" + nl},
  };
  for (const Line& line : lines) {
    const std::string message =
        line[0] == "run"    ? Message(ParseRun(line, "smpfuzz"))
        : line[0] == "fuzz" ? Message(ParseFuzz(line, "smpfuzz"))
                            : Message(ParseReplay(line, "smpfuzz"));
    EXPECT_FALSE(message.empty()) << line.back().substr(0, 20);
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    EXPECT_LT(message.size(), 400u) << message.substr(0, 400);
  }
  EXPECT_EQ(Message(ParseRun({"run", "--target=demo", "--runs=" + nl}, "smpfuzz")),
            "--runs wants a non-negative integer, not 'a\\nb'");
  cli_test::Result r = cli_test::Cli({"frob" + nl});
  EXPECT_EQ(r.err.substr(0, r.err.find('\n') + 1), "smpfuzz: unknown command 'froba\\nb'\n");
}

TEST(CliRequest, HelpPrintsTheUsageMadeFromTheTable) {
  cli_test::Result r = cli_test::Cli({"help"});
  EXPECT_EQ(r.code, kOk);
  EXPECT_EQ(r.out, Usage());
  r = cli_test::Cli({"frobnicate"});
  EXPECT_EQ(r.code, kBadInput);
  EXPECT_EQ(r.err, "smpfuzz: unknown command 'frobnicate'\n" + Usage());
}

}  // namespace
}  // namespace smp::cli
