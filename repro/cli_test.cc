// smpfuzz list, run, replay and minimize, and the usage text.
#include "repro/cli.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <utility>
#include <sstream>
#include <string>
#include <vector>

#include "core/prng.h"
#include "gtest/gtest.h"
#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "replay/schedule_io.h"
#include "repro/cli_test_util.h"


namespace smp {
namespace {

namespace fs = std::filesystem;
using cli_test::Cli;
using cli_test::Result;
using cli_test::TempDir;
using cli_test::WriteBytes;

TEST(Cli, ListShowsEveryDemoScenario) {
  Result r = Cli({"list"});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("demo/abba_deadlock"), std::string::npos);
  EXPECT_NE(r.out.find("demo/wakeup_interlocked"), std::string::npos);
}

TEST(Cli, BadCommandsFlagsAndTargetsExitTwoWithAMessage) {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"frobnicate"},
      {"run"},
      {"run", "--target=nosuch"},
      {"run", "--target=demo", "--variant=nosuch"},
      {"run", "--target=demo", "--runs=many"},
      {"run", "--target=demo", "--runs"},
      {"run", "--target=demo", "--scheduler=psychic"},
      {"run", "--target=demo", "--bogus=1"},
      {"run", "--target=demo", "--out=/proc/forbidden"},
      {"run", "--target=demo", "--estimate=100"},
      {"run", "--target=demo", "--scheduler=exhaustive", "--estimate=0"},
      {"run", "--target=demo", "--scheduler=exhaustive", "--estimate=1"},
      {"run", "--target=demo", "--scheduler=exhaustive", "--estimate=9", "--shard=0/2"},
      {"run", "--target=demo", "--scheduler=exhaustive", "--estimate=lots"},
      {"replay"},
      {"replay", "/nonexistent/schedule.textproto"},
      {"replay", "a", "b"},
      {"replay", "x", "--expect=explosion"},
      {"fuzz", "--target=demo", "--until=explosion"},
      {"fuzz", "--target=demo", "--until=clean"},
  };
  for (const auto& args : bad) {
    Result r = Cli(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    EXPECT_EQ(r.code, 2) << joined;
    EXPECT_NE(r.err.find("smpfuzz"), std::string::npos) << joined << r.err;
  }
}

TEST(Cli, RunExitsOneWhenAScenarioDoesNotEndAsDeclared) {
  EXPECT_EQ(Cli({"run", "--target=demo", "--variant=abba_ordered", "--runs=200",
                 "--no-save"}).code, 0);
  // Without preemptions the lost wakeup never happens (it needs 2).
  Result r = Cli({"run", "--target=demo", "--variant=lost_wakeup", "--runs=10",
                  "--scheduler=none", "--no-save"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("did not produce their expected verdict"), std::string::npos);
}

// abba_deadlock's first finding is lockdep's prediction; without lockdep
// the search reports the deadlock the schedule actually reaches.
TEST(Cli, RunWithoutLockdepReportsOnlyWhatHappened) {
  Result with = Cli({"run", "--target=demo", "--variant=abba_deadlock", "--all",
                     "--runs=2000", "--no-save"});
  EXPECT_NE(with.out.find("== demo/abba_deadlock: lock_order"), std::string::npos)
      << with.out;
  Result without = Cli({"run", "--target=demo", "--variant=abba_deadlock", "--all",
                        "--runs=2000", "--no-save", "--no-lockdep"});
  // Its declared verdict is lockdep's, so without lockdep it is not met.
  EXPECT_EQ(without.code, 1) << without.err;
  EXPECT_NE(without.out.find("== demo/abba_deadlock: deadlock"), std::string::npos)
      << without.out;
  EXPECT_EQ(without.out.find("== demo/abba_deadlock: lock_order"), std::string::npos)
      << without.out;
}

// demo/intr_masked is SC: the preemption reduction stops executions early, and
// --no-reduction runs every bounded interleaving, to the same verdict.
TEST(Cli, NoReductionRunsEveryInterleaving) {
  const std::vector<std::string> run = {"run", "--target=demo", "--variant=intr_masked",
                                        "--scheduler=exhaustive", "--preemptions=1",
                                        "--interrupts=0", "--no-save"};
  Result reduced = Cli(run);
  std::vector<std::string> all = run;
  all.push_back("--no-reduction");
  Result full = Cli(all);
  ASSERT_EQ(reduced.code, 0) << reduced.err;
  ASSERT_EQ(full.code, 0) << full.err;
  EXPECT_NE(reduced.out.find("clean up to P=1, I=0, R=1"), std::string::npos) << reduced.out;
  EXPECT_NE(reduced.out.find("more stopped early"), std::string::npos) << reduced.out;
  EXPECT_NE(full.out.find("clean up to P=1, I=0, R=1"), std::string::npos) << full.out;
  EXPECT_EQ(full.out.find("stopped early"), std::string::npos) << full.out;
  Result wrong = Cli({"run", "--target=demo", "--no-reduction", "--no-save"});
  EXPECT_EQ(wrong.code, 2);
  EXPECT_NE(wrong.err.find("--no-reduction is for --scheduler=exhaustive"), std::string::npos)
      << wrong.err;
}

TEST(Cli, EstimateSizesTheExhaustiveSearchWithoutRunningIt) {
  const bool had_findings = fs::exists("findings");
  Result r = Cli({"run", "--target=demo", "--variant=intr_masked", "--scheduler=exhaustive",
                  "--estimate=500"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("up to P=2, I=1, R=1 from 500 probes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("demo/intr_masked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("would take"), std::string::npos) << r.out;
  EXPECT_EQ(fs::exists("findings"), had_findings) << "an estimate saves nothing";
  // The same probes, the same estimate (the rate column is a clock).
  Result again = Cli({"run", "--target=demo", "--variant=intr_masked",
                      "--scheduler=exhaustive", "--estimate=500", "--no-save"});
  auto estimate = [](const std::string& out) {
    const size_t row = out.find("\ndemo/intr_masked");
    return row == std::string::npos ? std::string("no row") : out.substr(row, 40);
  };
  EXPECT_EQ(estimate(r.out), estimate(again.out));
}

TEST(Cli, RunSavesFindingsThatReplayToTheSameVerdict) {
  const std::string out = TempDir("run");
  Result r = Cli({"run", "--target=demo", "--variant=abba_deadlock",
                  "--runs=2000", "--seed=3", "--out=" + out});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("replay: smpfuzz replay ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const size_t start = at + std::string("replay: smpfuzz replay ").size();
  const std::string path = r.out.substr(start, r.out.find('\n', start) - start);
  EXPECT_TRUE(fs::exists(fs::path(path).parent_path() / "trace.txt"));
  EXPECT_TRUE(fs::exists(fs::path(path).parent_path() / "verdict.txt"));

  Result replay = Cli({"replay", path});
  EXPECT_EQ(replay.code, 1);
  // lockdep's prediction: the inverted order seen on a clean execution.
  EXPECT_NE(replay.out.find("verdict: lock_order"), std::string::npos);
  EXPECT_EQ(Cli({"replay", path, "--expect=lock_order", "--quiet"}).code, 0);
  EXPECT_EQ(Cli({"replay", path, "--expect=clean", "--quiet"}).code, 1);

  // A second run finds the same bug and keeps the first copy.
  Result again = Cli({"run", "--target=demo", "--variant=abba_deadlock",
                      "--runs=2000", "--seed=3", "--out=" + out});
  EXPECT_NE(again.out.find("(already in"), std::string::npos) << again.out;
}

TEST(Cli, ReplayOfTheSameScheduleIsByteIdentical) {
  const std::string dir = TempDir("same");
  const std::string path = dir + "/s.textproto";
  WriteBytes(path,
             "version: 1 target: \"demo\" variant: \"racy_counter\" seed: 9\n");
  Result a = Cli({"replay", path});
  Result b = Cli({"replay", path});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.code, b.code);
}

TEST(Cli, ReplayRejectsWrongVersionsAndUnknownScenarios) {
  const std::string dir = TempDir("reject");
  const std::string v2 = dir + "/v2";
  WriteBytes(v2, "version: 3 target: \"demo\" variant: \"abba_deadlock\"");
  Result r = Cli({"replay", v2});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("version 3 is not supported"), std::string::npos) << r.err;

  const std::string unknown = dir + "/unknown";
  WriteBytes(unknown, "version: 1 target: \"demo\" variant: \"nope\"");
  r = Cli({"replay", unknown});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown scenario demo/nope"), std::string::npos);
}

TEST(Cli, TenThousandCorruptedSchedulesNeverCrash) {
  // Bit flips, truncations, random bytes and wrong field types over a valid
  // schedule (text and binary): each either replays (0/1), or is rejected
  // with exit 2 and a message, exactly when it is not a valid schedule.
  proto::Schedule s;
  s.set_version(2);
  s.set_target("demo");
  s.set_variant("intr_self_deadlock");
  s.set_seed(42);
  s.set_memory_model(proto::PSO);
  for (uint32_t i = 0; i < 4; ++i) {
    proto::Decision* d = s.add_decisions();
    d->set_at_cpu(i % 3);
    d->set_at(i * 2);
    d->set_action(static_cast<proto::Action>(i % 5));
    d->set_cpu(i % 2);
  }
  std::string binary;
  s.SerializeToString(&binary);
  const std::string text = ScheduleToText(s);
  const std::vector<std::pair<std::string, std::string>> wrong_types = {
      {"version: 2", "version: \"two\""},
      {"seed: 42", "seed: -1.5"},
      {"target: \"demo\"", "target: 7"},
      {"memory_model: PSO", "memory_model: WEAKEST"},
      {"memory_model: PSO", "memory_model: 99"},
      {"action: RUN", "action: \"RUN\""},
      {"at: 2", "at: { }"},
      {"version: 2", "version: 2 version: 3"},
      {"decisions {", "decisions: 5 decisions {"},
  };
  const std::string dir = TempDir("corrupt");
  Random rng(2026);
  int rejected = 0;
  for (int i = 0; i < 10000; ++i) {
    std::string bytes = (i % 2 == 0) ? binary : text;
    switch (i % 4) {
      case 0:
        bytes[rng.Uniform(bytes.size())] ^= static_cast<char>(1 << rng.Uniform(8));
        break;
      case 1:
        bytes.resize(rng.Uniform(bytes.size()));
        break;
      case 2:
        bytes.resize(rng.Uniform(200));
        for (char& c : bytes) c = static_cast<char>(rng.Uniform(256));
        break;
      case 3: {
        bytes = text;
        const auto& [from, to] = wrong_types[rng.Uniform(wrong_types.size())];
        const size_t at = bytes.find(from);
        if (at != std::string::npos) bytes.replace(at, from.size(), to);
        break;
      }
    }
    const std::string path = dir + "/c" + std::to_string(i % 8);
    WriteBytes(path, bytes);
    Result r = Cli({"replay", path, "--quiet"});
    ASSERT_TRUE(r.code == 0 || r.code == 1 || r.code == 2) << i;
    const bool valid = ParseSchedule(bytes).ok();
    ASSERT_EQ(r.code == 2, !valid) << i << ": " << r.err;
    if (r.code == 2) {
      ASSERT_NE(r.err.find("smpfuzz: "), std::string::npos) << i;
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 1000);
}

TEST(Cli, ReplayWritesChromeTraceJson) {
  const std::string dir = TempDir("json");
  const std::string path = dir + "/s.textproto";
  WriteBytes(path, "version: 2 target: \"demo\" variant: \"racy_counter\" seed: 3 "
                   "base: RANDOM\n");
  Result a = Cli({"replay", path, "--quiet", "--json=" + dir + "/a.json"});
  Result b = Cli({"replay", path, "--quiet", "--json=" + dir + "/b.json"});
  std::ifstream fa(dir + "/a.json"), fb(dir + "/b.json");
  std::stringstream sa, sb;
  sa << fa.rdbuf();
  sb << fb.rdbuf();
  EXPECT_FALSE(sa.str().empty());
  EXPECT_EQ(sa.str(), sb.str());
  EXPECT_NE(sa.str().find("\"traceEvents\""), std::string::npos);
}

TEST(Cli, MinimizeWritesASmallerScheduleWithItsExpectation) {
  const std::string dir = TempDir("minimize");
  Result r = Cli({"run", "--target=demo", "--variant=racy_counter", "--runs=100",
                  "--out=" + dir});
  ASSERT_EQ(r.code, 0) << r.err;
  const size_t at = r.out.find("replay: smpfuzz replay ");
  ASSERT_NE(at, std::string::npos);
  const size_t start = at + std::string("replay: smpfuzz replay ").size();
  const std::string path = r.out.substr(start, r.out.find('\n', start) - start);
  Result m = Cli({"minimize", path, "--out=" + dir + "/min.textproto"});
  ASSERT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("depth"), std::string::npos);
  std::ifstream in(dir + "/min.textproto");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_NE(ss.str().find("# expect: assertion"), std::string::npos);
  EXPECT_EQ(Cli({"replay", dir + "/min.textproto", "--expect=assertion", "--quiet"}).code, 0);
  EXPECT_EQ(Cli({"minimize", "/nonexistent"}).code, 2);
}

// Issue 19: a finding made under a small --max-steps was saved without
// it, so its schedule replayed clean.
TEST(Cli, AFindingUnderASmallStepBudgetReplaysToItsKind) {
  const std::string dir = TempDir("budget");
  Result r = Cli({"run", "--target=demo", "--variant=abba_ordered", "--runs=1",
                  "--scheduler=none", "--max-steps=5", "--out=" + dir});
  ASSERT_EQ(r.code, 1) << r.out << r.err;
  const size_t at = r.out.find("replay: smpfuzz replay ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const size_t start = at + std::string("replay: smpfuzz replay ").size();
  const std::string path = r.out.substr(start, r.out.find('\n', start) - start);
  Result replay = Cli({"replay", path, "--expect=hang", "--quiet"});
  EXPECT_EQ(replay.code, 0) << replay.out;
}

// Issue 19: exit-2 messages are one line, with names from a schedule
// escaped and cut.
TEST(Cli, NamesFromAScheduleAreEscapedAndCutInErrors) {
  const std::string dir = TempDir("names");
  const std::string newline = dir + "/newline.textproto";
  WriteBytes(newline, "version: 2 target: \"de\\nmo\" variant: \"a\\x01b\"\n");
  Result r = Cli({"replay", newline});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("de\\nmo/a\\x01b"), std::string::npos) << r.err;

  const std::string huge = dir + "/huge.textproto";
  WriteBytes(huge, "version: 2 target: \"" + std::string(10 << 20, 'x') +
                       "\" variant: \"v\"\n");
  r = Cli({"replay", huge});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1);
  EXPECT_LT(r.err.size(), 600u) << r.err.substr(0, 600);

  r = Cli({"run", "--target=de\nmo"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  r = Cli({"run", "--target=demo", "--variant=" + std::string(5000, 'y')});
  EXPECT_EQ(r.code, 2);
  EXPECT_LT(r.err.size(), 600u);
}

// Issue 19: whitespace parsed as an empty message, reported as version 0.
TEST(Cli, EmptyOrWhitespaceScheduleSaysEmpty) {
  const std::string dir = TempDir("empty");
  for (const std::string& bytes : {std::string(""), std::string(" \n\t\n"),
                                   std::string("# only a comment\n")}) {
    WriteBytes(dir + "/e", bytes);
    Result r = Cli({"replay", dir + "/e"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("empty schedule"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("version 0"), std::string::npos) << r.err;
  }
}

TEST(Cli, ListRejectsArguments) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"list", "demo"}, {"list", "--target=demo"}}) {
    Result r = Cli(args);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("list takes no argument"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
}

TEST(Cli, RunRefusesZeroRuns) {
  for (const std::string scheduler : {"random", "exhaustive"}) {
    Result r = Cli({"run", "--target=demo", "--runs=0", "--no-save",
                    "--scheduler=" + scheduler});
    EXPECT_EQ(r.code, 2) << scheduler;
    EXPECT_NE(r.err.find("--runs wants at least 1"), std::string::npos) << r.err;
  }
}

// Store buffering with membar_enter between each store and load: correct
// when membar_enter orders stores before later loads (the historical
// meaning, which this scenario declares), not under the acquire meaning.
class EnterStoreBuffering : public Scenario {
 public:
  explicit EnterStoreBuffering(Machine& m) : m_(m), x_(m, "x"), y_(m, "y") {
    m.AddThread("t0", 0, [this] { r0_ = Side(x_, y_); });
    m.AddThread("t1", 1, [this] { r1_ = Side(y_, x_); });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, r0_ == 1 || r1_ == 1, "both loads missed the other store");
  }

 private:
  int Side(Shared<int>& mine, Shared<int>& other) {
    mine.Store(1);
    m_.Membar(Barrier::kEnter);
    return other.Load();
  }
  Machine& m_;
  Shared<int> x_, y_;
  int r0_ = 0, r1_ = 0;
};
SMP_SCENARIO(EnterStoreBuffering, .target = "clitest", .variant = "sb_enter",
             .description = "store buffering fenced by membar_enter",
             .expected = VerdictKind::kClean, .cpus = 2, .max_steps = 1000,
             .memory_model = MemoryModel::kTSO,
             .enter_meaning = EnterMeaning::kStoreBefore);

TEST(Cli, ScenarioDeclaresItsMembarEnterMeaning) {
  const ScenarioSpec* spec = ScenarioRegistry::Global().Find("clitest", "sb_enter");
  ASSERT_NE(spec, nullptr);
  EXPECT_EQ(spec->enter_meaning, EnterMeaning::kStoreBefore);
  EXPECT_EQ(spec->memory_model, MemoryModel::kTSO);
}

TEST(Cli, RunTakesMembarEnterMeaning) {
  const std::vector<std::string> run = {"run", "--target=clitest", "--runs=3000",
                                        "--no-save"};
  Result own = Cli(run);
  EXPECT_EQ(own.code, 0) << own.out << own.err;
  std::vector<std::string> acquire = run;
  acquire.push_back("--membar-enter=acquire");
  Result weak = Cli(acquire);
  EXPECT_EQ(weak.code, 1) << weak.out << weak.err;
  std::vector<std::string> store_before = run;
  store_before.push_back("--membar-enter=store-before");
  EXPECT_EQ(Cli(store_before).code, 0);
  std::vector<std::string> exhaustive = acquire;
  exhaustive.push_back("--scheduler=exhaustive");
  EXPECT_EQ(Cli(exhaustive).code, 1);
  Result bad = Cli({"run", "--target=clitest", "--membar-enter=sometimes"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_NE(bad.err.find("acquire or store-before"), std::string::npos) << bad.err;
}

// Swarm switches were removed (issue 20): no scenario read them. A schedule
// written before still parses, its `switches` field (number 11, now
// reserved) ignored: it replays as the same schedule without it.
TEST(Cli, ReplayIgnoresAnOldSchedulesSwitches) {
  const std::string dir = TempDir("replay_switches");
  const std::string header =
      "version: 2 target: \"demo\" variant: \"abba_deadlock\" seed: 1 "
      "base: RANDOM\n";
  WriteBytes(dir + "/old.textproto", header + "switches: 1\n");
  WriteBytes(dir + "/new.textproto", header);
  Result old_one = Cli({"replay", dir + "/old.textproto", "--quiet"});
  Result new_one = Cli({"replay", dir + "/new.textproto", "--quiet"});
  EXPECT_EQ(old_one.code, new_one.code) << old_one.out << old_one.err;
  EXPECT_EQ(old_one.out, new_one.out);
  EXPECT_NE(old_one.out.find("verdict: lock_order"), std::string::npos) << old_one.out;
}

// docs/usage.md documents every flag the usage text lists, and every file
// a findings folder holds.
TEST(Cli, UsageDocumentsEveryFlagAndFindingFile) {
  std::ifstream in("docs/usage.md");
  ASSERT_TRUE(in) << "docs/usage.md is not a data dependency";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  const std::string usage = Cli({"help"}).out;
  for (size_t at = usage.find("--"); at != std::string::npos;
       at = usage.find("--", at + 2)) {
    size_t end = at + 2;
    while (end < usage.size() && (isalnum(static_cast<unsigned char>(usage[end])) ||
                                  usage[end] == '-')) {
      ++end;
    }
    const std::string flag = usage.substr(at, end - at);
    EXPECT_NE(doc.find(flag), std::string::npos) << flag << " is not in docs/usage.md";
  }
  const std::string dir = TempDir("files");
  Result r = Cli({"run", "--target=demo", "--variant=racy_counter", "--runs=100",
                  "--out=" + dir});
  ASSERT_EQ(r.code, 0) << r.err;
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().parent_path() == fs::path(dir)) continue;
    const std::string name = e.path().filename().string();
    EXPECT_NE(doc.find("  " + name + " "), std::string::npos)
        << name << " is not in the findings folder of docs/usage.md";
    ++files;
  }
  EXPECT_GE(files, 4);
  EXPECT_NE(doc.find("replay FILE [--expect=KIND] [--quiet] [--json=PATH] [--target=T]"),
            std::string::npos);
}

}  // namespace
}  // namespace smp
