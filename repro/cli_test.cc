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

namespace smp {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out, err;
};

Result Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunCli(args, out, err);
  return Result{code, out.str(), err.str()};
}

std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  fs::path p = fs::path(base != nullptr ? base : "/tmp") / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

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
  for (const std::string& scheduler : {"random", "exhaustive"}) {
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

// A scenario with one swarm switch: on, its final check fails.
class FailsWhenSwitchedOn : public Scenario {
 public:
  explicit FailsWhenSwitchedOn(Machine& m) : on_(m.swarm(0)), x_(m, "x") {
    m.AddThread("t0", 0, [this] { x_.Store(1); });
  }
  void Check(Machine& m) override {
    SMP_ASSERT(m, !on_, "swarm switch 0 is on");
  }

 private:
  bool on_;
  Shared<int> x_;
};
SMP_SCENARIO(FailsWhenSwitchedOn, .target = "clitest_switch",
             .variant = "fails_when_on",
             .description = "fails iff swarm switch 0 is on", .cpus = 1,
             .max_steps = 1000, .switches = 1);

// Issue 20: replay dropped a schedule's swarm switches.
TEST(Cli, ReplayKeepsTheSchedulesSwitches) {
  const std::string dir = TempDir("replay_switches");
  const std::string header =
      "version: 2 target: \"clitest_switch\" variant: \"fails_when_on\" "
      "base: NO_PREEMPTION\n";
  WriteBytes(dir + "/on.textproto", header + "switches: 1\n");
  WriteBytes(dir + "/off.textproto", header);
  Result on = Cli({"replay", dir + "/on.textproto", "--quiet"});
  EXPECT_EQ(on.code, 1) << on.out << on.err;
  EXPECT_NE(on.out.find("verdict: assertion"), std::string::npos) << on.out;
  Result off = Cli({"replay", dir + "/off.textproto", "--quiet"});
  EXPECT_EQ(off.code, 0) << off.out << off.err;
  EXPECT_NE(off.out.find("verdict: clean"), std::string::npos) << off.out;
}

// A stand-in for a target's fuzzer: a shell script that runs `body`, then
// keeps running until it is stopped. In `body`, `save VARIANT HASH
// SIGNATURE ORIGIN` saves a deadlock finding as the real harness does.
std::string StandInFuzzer(const std::string& dir, const std::string& body) {
  const std::string fuzzer = dir + "/fake_fuzzer";
  WriteBytes(fuzzer,
             "#!/bin/sh\n"
             "save() {\n"
             "  d=\"$SMPFUZZ_OUT/demo/$1/deadlock-$2\"; mkdir -p \"$d\"\n"
             "  printf 'kind: deadlock\\nsignature: %s\\nfound by: %s\\n' \"$3\" \"$4\" "
             "> \"$d/verdict.txt\"\n"
             "  printf 'version: 2\\n' > \"$d/schedule.textproto\"\n"
             "}\n" +
                 body + "exec sleep 60\n");
  fs::permissions(fuzzer, fs::perms::owner_all);
  return fuzzer;
}

// Issue 19: a campaign whose wanted finding came from the seed run (before
// libFuzzer printed any execution count) was reported as a fuzzer that
// failed before fuzzing. The stand-in fuzzer saves a finding as the real
// one does, then keeps running until it is stopped.
TEST(Cli, FuzzUntilKindFoundInTheSeedRunSucceeds) {
  const std::string dir = TempDir("until");
  const std::string fuzzer =
      StandInFuzzer(dir, "save abba_deadlock 0000abcd seed-run \"$SMPFUZZ_CAMPAIGN\"\n"
                         "echo 'SUMMARY: smpfuzz: deadlock seed-run'\n");
  Result r = Cli({"fuzz", "--target=demo", "--until=deadlock", "--time=60s",
                  "--fuzzer=" + fuzzer, "--out=" + dir + "/out"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err.find("failed before fuzzing"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("1 finding(s) for demo, 1 new"), std::string::npos) << r.out;
}

// Campaigns sharing one findings folder (docs/scaling.md): a finding that
// another campaign saved there is announced as its, is not new here, and
// does not end --until-found; this campaign's own does. The stand-in
// fuzzer saves one as another campaign would, then its own.
TEST(Cli, FuzzTellsItsOwnFindingsFromAnotherCampaigns) {
  const std::string dir = TempDir("shared");
  const std::string fuzzer = StandInFuzzer(
      dir,
      "save abba_deadlock 0000aaaa 0000aaaa othermachine.42\n"
      "sleep 1\n"
      "save lost_wakeup 0000bbbb 0000bbbb \"$SMPFUZZ_CAMPAIGN\"\n"
      "echo 'SUMMARY: smpfuzz: deadlock 0000bbbb'\n");
  Result r = Cli({"fuzz", "--target=demo", "--until-found", "--time=60s",
                  "--fuzzer=" + fuzzer, "--out=" + dir + "/out"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("== another campaign sharing " + dir + "/out (othermachine.42) "
                       "found deadlock in demo/abba_deadlock: 0000aaaa"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("== found deadlock in demo/lost_wakeup"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2 finding(s) for demo, 1 new, 1 new by other campaigns sharing"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("other 0000aaaa"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("yes   0000bbbb"), std::string::npos) << r.out;
}

// --- shard results and merge -------------------------------------------

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of `key: ` in a result file.
std::string ResultField(const std::string& path, const std::string& key) {
  const std::string text = ReadText(path);
  const size_t at = text.find("\n" + key + ": ");
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() + 3;
  return text.substr(start, text.find('\n', start) - start);
}

// One shard of demo/intr_masked's default bounded search, with its result
// written to DIR/NAME; extra flags after.
Result Shard(const std::string& dir, int i, int n, std::vector<std::string> extra = {},
             const std::string& variant = "intr_masked") {
  std::vector<std::string> args = {
      "run", "--target=demo", "--variant=" + variant, "--scheduler=exhaustive",
      "--no-save", "--shard=" + std::to_string(i) + "/" + std::to_string(n),
      "--result=" + dir + "/shard-" + std::to_string(i) + "-of-" + std::to_string(n) +
          ".result"};
  args.insert(args.end(), extra.begin(), extra.end());
  return Cli(args);
}

// Four shards of one search in a fresh folder.
std::string FourShards(const std::string& name) {
  const std::string dir = TempDir(name);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Shard(dir, i, 4).code, 0);
  return dir;
}

// The shards' results add up to what the unsharded search ran, and merge
// says so in the certificate.
TEST(Cli, MergedShardsEqualTheUnshardedSearch) {
  const std::string dir = TempDir("merge_equal");
  const std::string whole = TempDir("merge_whole") + "/whole.result";
  Result w = Cli({"run", "--target=demo", "--variant=intr_masked",
                  "--scheduler=exhaustive", "--no-save", "--result=" + whole});
  ASSERT_EQ(w.code, 0) << w.err;
  EXPECT_EQ(ResultField(whole, "shard"), "0/1");
  EXPECT_EQ(ResultField(whole, "stopped_early"), "no");
  EXPECT_EQ(ResultField(whole, "clean_up_to"), "P=2, I=1, R=1");
  const std::string executions = ResultField(whole, "executions");
  ASSERT_GT(std::stoull(executions), 1000u);
  for (int i = 0; i < 4; ++i) {
    Result r = Shard(dir, i, 4);
    ASSERT_EQ(r.code, 0) << r.err;
    // Each shard has a share, none has all of it.
    EXPECT_LT(std::stoull(ResultField(dir + "/shard-" + std::to_string(i) + "-of-4.result",
                                      "executions")),
              std::stoull(executions));
  }
  // No temporary file is left beside the results.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_EQ(e.path().extension(), ".result") << e.path();
    ++files;
  }
  EXPECT_EQ(files, 4);
  Result m = Cli({"merge", dir});
  EXPECT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("demo/intr_masked: clean up to P=2, I=1, R=1: " + executions +
                       " executions in 4 shards (" + ResultField(whole, "pruned") +
                       " more stopped early"),
            std::string::npos)
      << m.out << "\nunsharded: " << executions;
  EXPECT_EQ(Cli({"merge", dir, "--missing"}).out, "");
  EXPECT_EQ(Cli({"merge", dir, "--shards=4"}).code, 0);
}

// Every way a folder of results is not one whole search: exit 2 and a
// message that names what is mixed and where.
TEST(Cli, MergeRefusesResultsThatAreNotOneWholeSearch) {
  struct Case {
    std::string what;
    std::function<void(const std::string& dir)> spoil;
    std::vector<std::string> said;  // all in the message
    std::vector<std::string> flags = {};
  };
  const std::vector<Case> cases = {
      {"build",
       [](const std::string& dir) {
         const std::string path = dir + "/shard-2-of-4.result";
         std::string text = ReadText(path);
         const size_t at = text.find("build: ") + 7;
         text.replace(at, text.find('\n', at) - at, "0123456789abcdef");
         WriteBytes(path, text);
       },
       {"mixed builds", "0123456789abcdef (shard-2-of-4.result)"}},
      {"scenario",
       [](const std::string& dir) {
         EXPECT_EQ(Shard(dir, 3, 4, {}, "abba_ordered").code, 0);
       },
       {"mixed scenarios", "demo/abba_ordered (shard-3-of-4.result)"}},
      {"bound",
       [](const std::string& dir) { EXPECT_EQ(Shard(dir, 1, 4, {"--preemptions=1"}).code, 0); },
       {"mixed bounds", "P=1, I=1, R=1 (shard-1-of-4.result)"}},
      {"model",
       [](const std::string& dir) { EXPECT_EQ(Shard(dir, 1, 4, {"--model=tso"}).code, 0); },
       {"mixed memory models", "tso (shard-1-of-4.result)"}},
      {"settings",
       [](const std::string& dir) { EXPECT_EQ(Shard(dir, 0, 4, {"--no-lockdep"}).code, 0); },
       {"mixed settings", "lockdep=off", "(shard-0-of-4.result)"}},
      {"shard count",
       [](const std::string& dir) { EXPECT_EQ(Shard(dir, 1, 2).code, 0); },
       {"mixed shard counts", "of 2 (shard-1-of-2.result)"}},
      {"twice",
       [](const std::string& dir) {
         fs::copy_file(dir + "/shard-1-of-4.result", dir + "/again.result");
       },
       {"shard 1/4 twice", "again.result", "shard-1-of-4.result"}},
      {"missing",
       [](const std::string& dir) {
         fs::remove(dir + "/shard-1-of-4.result");
         fs::remove(dir + "/shard-3-of-4.result");
       },
       {"missing shard(s) 1,3 of 4", "--array=1,3"}},
      {"count asked for",
       [](const std::string&) {},
       {"shards of 4, not of 5"},
       {"--shards=5"}},
      {"malformed",
       [](const std::string& dir) { WriteBytes(dir + "/junk.result", "this is no result\n"); },
       {"junk.result: line 1: not 'key: value'"}},
      {"contradiction",
       [](const std::string& dir) {
         const std::string path = dir + "/shard-0-of-4.result";
         std::string text = ReadText(path);
         text.replace(text.find("stopped_early: no"), 17, "stopped_early: runs");
         WriteBytes(path, text);
       },
       {"shard-0-of-4.result: clean_up_to: P=2, I=1, R=1 contradicts the rest (no)"}},
      {"truncated",
       [](const std::string& dir) {
         const std::string path = dir + "/shard-0-of-4.result";
         const std::string text = ReadText(path);
         WriteBytes(path, text.substr(0, text.find("executions:")));
       },
       {"shard-0-of-4.result: no 'executions' line"}},
  };
  for (const Case& c : cases) {
    const std::string dir = FourShards("merge_refuses");
    c.spoil(dir);
    std::vector<std::string> args = {"merge", dir};
    args.insert(args.end(), c.flags.begin(), c.flags.end());
    Result r = Cli(args);
    EXPECT_EQ(r.code, 2) << c.what << "\n" << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << c.what << ": " << r.err;
    for (const std::string& s : c.said) {
      EXPECT_NE(r.err.find(s), std::string::npos) << c.what << ": " << r.err;
    }
  }
  const std::string empty = TempDir("merge_empty");
  Result r = Cli({"merge", empty});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no shard results"), std::string::npos) << r.err;
  r = Cli({"merge", empty + "/nonexistent"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("is not a folder"), std::string::npos) << r.err;
  for (const std::vector<std::string>& bad :
       std::vector<std::vector<std::string>>{{"merge"},
                                             {"merge", empty, empty},
                                             {"merge", empty, "--shards=0"},
                                             {"merge", empty, "--shards=x"},
                                             {"run", "--target=demo", "--result=x"},
                                             {"run", "--target=demo", "--scheduler=exhaustive",
                                              "--result=x"},
                                             {"run", "--target=demo", "--variant=intr_masked",
                                              "--scheduler=exhaustive", "--estimate=9",
                                              "--result=x"},
                                             {"run", "--target=demo", "--variant=intr_masked",
                                              "--scheduler=exhaustive",
                                              "--result=/proc/forbidden/x"}}) {
    Result b = Cli(bad);
    EXPECT_EQ(b.code, 2) << bad.back() << b.out;
    EXPECT_NE(b.err.find("smpfuzz"), std::string::npos) << bad.back();
  }
}

// Resumption: --missing lists the shards with no result and those that
// stopped at --runs, and merge waits for them.
TEST(Cli, MergeMissingListsTheShardsStillToRun) {
  const std::string dir = FourShards("merge_missing");
  fs::remove(dir + "/shard-1-of-4.result");
  fs::remove(dir + "/shard-3-of-4.result");
  ASSERT_EQ(Shard(dir, 2, 4, {"--runs=1"}).code, 0);
  EXPECT_EQ(ResultField(dir + "/shard-2-of-4.result", "stopped_early"), "runs");
  Result m = Cli({"merge", dir, "--missing"});
  EXPECT_EQ(m.code, 0) << m.err;
  EXPECT_EQ(m.out, "1,2,3\n");
  EXPECT_EQ(Cli({"merge", dir}).code, 2);
  // The missing ones run; the one that stopped at --runs is not done yet.
  ASSERT_EQ(Shard(dir, 1, 4).code, 0);
  ASSERT_EQ(Shard(dir, 3, 4).code, 0);
  EXPECT_EQ(Cli({"merge", dir, "--missing"}).out, "2\n");
  m = Cli({"merge", dir});
  EXPECT_EQ(m.code, 1) << m.err;
  EXPECT_NE(m.out.find("not exhausted: shard(s) 2 stopped"), std::string::npos) << m.out;
  ASSERT_EQ(Shard(dir, 2, 4).code, 0);
  EXPECT_EQ(Cli({"merge", dir}).code, 0);
  // Before any shard has run, the count says what is missing.
  const std::string none = TempDir("merge_none");
  EXPECT_EQ(Cli({"merge", none, "--missing", "--shards=3"}).out, "0,1,2\n");
}

// A bug variant's shards: the finding, saved by the shard that met it, is
// what merge prints; exit 0 as the declared verdict showed (run's rule),
// and 1 for a correct scenario's finding.
TEST(Cli, MergePrintsTheShardsFindings) {
  const std::string dir = TempDir("merge_found");
  const std::string out = TempDir("merge_found_out");
  for (int i = 0; i < 4; ++i) {
    Result r = Cli({"run", "--target=demo", "--variant=lost_wakeup",
                    "--scheduler=exhaustive", "--out=" + out,
                    "--shard=" + std::to_string(i) + "/4",
                    "--result=" + dir + "/s" + std::to_string(i) + ".result"});
    ASSERT_NE(r.code, 2) << r.err;
  }
  Result m = Cli({"merge", dir});
  EXPECT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("== demo/lost_wakeup: lost_wakeup (shard "), std::string::npos)
      << m.out;
  const size_t at = m.out.find("replay: smpfuzz replay ");
  ASSERT_NE(at, std::string::npos) << m.out;
  const std::string schedule =
      m.out.substr(at + 23, m.out.find('\n', at) - at - 23);
  EXPECT_EQ(Cli({"replay", schedule, "--expect=lost_wakeup", "--quiet"}).code, 0)
      << schedule;
  EXPECT_NE(m.out.find("1 finding(s)"), std::string::npos) << m.out;
  // The same search under --no-lockdep is another search: judged alone it
  // is what merge reports, with the declared verdict missing: exit 1.
  const std::string other = TempDir("merge_found_other");
  for (int i = 0; i < 2; ++i) {
    Cli({"run", "--target=demo", "--variant=abba_deadlock", "--scheduler=exhaustive",
         "--no-save", "--no-lockdep", "--shard=" + std::to_string(i) + "/2",
         "--result=" + other + "/s" + std::to_string(i) + ".result"});
  }
  m = Cli({"merge", other});
  EXPECT_EQ(m.code, 1) << m.out << m.err;
  EXPECT_NE(m.out.find("== demo/abba_deadlock: deadlock"), std::string::npos) << m.out;
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
