#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "core/prng.h"
#include "fuzz/harness.h"
#include "replay/fuzz_input.h"
#include "fuzz/mutator.h"
#include "gtest/gtest.h"
#include "replay/findings.h"
#include "replay/minimize.h"
#include "replay/schedule_io.h"

namespace smp::fuzz {
namespace {

TargetInfo Demo() {
  TargetInfo info;
  info.target = "demo";
  info.variants = ScenarioRegistry::Global().ForTarget("demo");
  return info;
}

std::string Bytes(const proto::Schedule& s) {
  std::string b;
  s.SerializeToString(&b);
  return b;
}

TEST(FuzzInput, GarbageDecodesToARunnableScheduleOfTheTarget) {
  const TargetInfo info = Demo();
  Random rng(1);
  for (int i = 0; i < 500; ++i) {
    std::string junk(rng.Uniform(64), '\0');
    for (char& c : junk) c = static_cast<char>(rng.Uniform(256));
    const proto::Schedule s =
        Decode(reinterpret_cast<const uint8_t*>(junk.data()), junk.size(), info);
    EXPECT_EQ(s.version(), 2u);
    EXPECT_EQ(s.target(), "demo");
    EXPECT_NE(ScenarioRegistry::Global().Find("demo", s.variant()), nullptr);
  }
}

TEST(FuzzInput, AParsedScheduleKeepsItsDecisions) {
  proto::Schedule s;
  s.set_target("somewhere-else");
  s.set_variant("lost_wakeup");
  s.set_seed(9);
  proto::Decision* d = s.add_decisions();
  d->set_at_cpu(1);
  d->set_at(3);
  const std::string b = Bytes(s);
  const proto::Schedule got =
      Decode(reinterpret_cast<const uint8_t*>(b.data()), b.size(), Demo());
  EXPECT_EQ(got.target(), "demo");
  EXPECT_EQ(got.variant(), "lost_wakeup");
  ASSERT_EQ(got.decisions_size(), 1);
  EXPECT_EQ(got.decisions(0).at(), 3u);
}

// Issue 19, item 2: what a campaign ran is what `smpfuzz replay --target`
// runs for the same raw input. Without any_model the input's memory model
// and membar_enter meaning are not the input's to choose.
TEST(FuzzInput, TheModelFieldsCountOnlyUnderAnyModel) {
  proto::Schedule s;
  s.set_variant("lost_wakeup");
  s.set_memory_model(proto::RELAXED);
  s.set_membar_enter(proto::ENTER_STORE_BEFORE);
  const std::string b = Bytes(s);
  TargetInfo info = Demo();
  info.any_model = false;
  proto::Schedule got = Decode(reinterpret_cast<const uint8_t*>(b.data()), b.size(), info);
  EXPECT_EQ(got.memory_model(), proto::MODEL_DEFAULT);
  EXPECT_EQ(got.membar_enter(), proto::ENTER_DEFAULT);
  info.any_model = true;
  got = Decode(reinterpret_cast<const uint8_t*>(b.data()), b.size(), info);
  EXPECT_EQ(got.memory_model(), proto::RELAXED);
  EXPECT_EQ(got.membar_enter(), proto::ENTER_STORE_BEFORE);
}

TEST(FuzzMutator, MutationsAreDeterministicAndStayRunnable) {
  const TargetInfo info = Demo();
  proto::Schedule a, b;
  a.set_variant("abba_deadlock");
  b = a;
  Random r1(42), r2(42);
  for (int i = 0; i < 2000; ++i) {
    Mutate(&a, r1, info);
    Mutate(&b, r2, info);
  }
  EXPECT_EQ(Bytes(a), Bytes(b));
  EXPECT_NE(ScenarioRegistry::Global().Find("demo", a.variant()), nullptr);
}

TEST(FuzzMutator, PinnedVariantNeverChanges) {
  TargetInfo info = Demo();
  info.pinned = ScenarioRegistry::Global().Find("demo", "abba_ordered");
  proto::Schedule s;
  s.set_variant("abba_ordered");
  Random rng(3);
  for (int i = 0; i < 1000; ++i) {
    Mutate(&s, rng, info);
    ASSERT_EQ(s.variant(), "abba_ordered");
  }
}

TEST(FuzzMutator, CrossOverSplicesDecisions) {
  proto::Schedule a, b;
  for (int i = 0; i < 4; ++i) a.add_decisions()->set_at(i);
  for (int i = 0; i < 4; ++i) b.add_decisions()->set_at(100 + i);
  Random rng(5);
  bool mixed = false;
  for (int i = 0; i < 50; ++i) {
    const proto::Schedule c = CrossOver(a, b, rng);
    bool has_a = false, has_b = false;
    for (const auto& d : c.decisions()) (d.at() < 100 ? has_a : has_b) = true;
    mixed |= has_a && has_b;
  }
  EXPECT_TRUE(mixed);
}

class HarnessTest : public testing::Test {
 protected:
  std::unique_ptr<Harness> Make(const std::string& variant, uint8_t* counters,
                                size_t n) {
    HarnessOptions o;
    o.target = "demo";
    o.variant = variant;
    const char* tmp = std::getenv("TEST_TMPDIR");
    o.out = std::string(tmp != nullptr ? tmp : "/tmp") + "/fuzz-findings-" + variant;
    std::filesystem::remove_all(o.out);
    o.counters = counters;
    o.num_counters = n;
    auto h = Harness::Create(o);
    EXPECT_TRUE(h.ok());
    return std::move(*h);
  }
};

TEST_F(HarnessTest, UnknownTargetOrVariantIsAnError) {
  HarnessOptions o;
  o.target = "nosuch";
  EXPECT_FALSE(Harness::Create(o).ok());
  o.target = "demo";
  o.variant = "nosuch";
  EXPECT_FALSE(Harness::Create(o).ok());
}

TEST_F(HarnessTest, ABugIsReportedOnceThenKnown) {
  uint8_t counters[4096] = {};
  auto h = Make("lost_wakeup", counters, sizeof counters);
  Random rng(8);
  int found = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string input(16, '\0');
    for (char& c : input) c = static_cast<char>(rng.Uniform(256));
    found += h->Run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
  EXPECT_EQ(found, 1);
  int touched = 0;
  for (uint8_t c : counters) touched += c != 0;
  EXPECT_GT(touched, 0) << "interleaving coverage recorded nothing";
}

TEST_F(HarnessTest, CorrectVariantNeverReports) {
  auto h = Make("wakeup_interlocked", nullptr, 0);
  Random rng(9);
  std::vector<uint8_t> buf(256);
  size_t size = 0;
  for (int i = 0; i < 3000; ++i) {
    size = h->Mutate(buf.data(), size, buf.size(), static_cast<unsigned>(rng.Next()));
    ASSERT_FALSE(h->Run(buf.data(), size)) << "at input " << i;
  }
}

// Random fuzzer inputs: raw bytes (a decision stream or, often, a message),
// schedules with every header field random (a small step budget among
// them), and chains of the harness's own mutations.
class RandomInputs {
 public:
  RandomInputs(Harness& h, uint64_t seed) : h_(h), rng_(seed), buf_(256) {}

  std::string Next() {
    switch (rng_.Uniform(3)) {
      case 0: {
        std::string b(rng_.Uniform(24), '\0');
        for (char& c : b) c = static_cast<char>(rng_.Uniform(256));
        return b;
      }
      case 1: {
        proto::Schedule s;
        s.set_variant(h_.info().variants[rng_.Uniform(
            static_cast<uint32_t>(h_.info().variants.size()))]->variant);
        s.set_seed(rng_.Next());
        s.set_base(rng_.OneIn(2) ? proto::RANDOM : proto::NO_PREEMPTION);
        s.set_max_steps(rng_.OneIn(2) ? rng_.Uniform(300)
                                      : rng_.Uniform(1u << rng_.Uniform(32)));
        std::string b;
        s.SerializeToString(&b);
        return b;
      }
      default:
        size_ = h_.Mutate(buf_.data(), size_, buf_.size(),
                          static_cast<unsigned>(rng_.Next()));
        return std::string(reinterpret_cast<const char*>(buf_.data()), size_);
    }
  }

 private:
  Harness& h_;
  Random rng_;
  std::vector<uint8_t> buf_;
  size_t size_ = 0;
};

std::unique_ptr<Harness> Pinned(const std::string& target, const std::string& variant,
                                const std::string& out) {
  HarnessOptions o;
  o.target = target;
  o.variant = variant;
  o.out = out;
  std::filesystem::remove_all(o.out);
  auto h = Harness::Create(o);
  EXPECT_TRUE(h.ok()) << h.status();
  return h.ok() ? std::move(*h) : nullptr;
}

std::string TestDir(const std::string& name) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  return std::string(tmp != nullptr ? tmp : "/tmp") + "/" + name;
}

// Issue 19: an input carrying a small max_steps stopped a correct scenario
// early; the harness reported a hang and the fuzzer aborted.
TEST(FuzzHarness, CorrectScenarioNeverAbortsTheFuzzerWhateverTheInput) {
  const std::pair<std::string, std::string> correct[] = {{"demo", "abba_ordered"},
                                                         {"fxp", "receive"}};
  for (const auto& [target, variant] : correct) {
    auto h = Pinned(target, variant, TestDir("silent-" + target));
    ASSERT_NE(h, nullptr);
    // The inputs of the issue first.
    for (const std::string& b : {std::string("\x28\x72"), std::string("\x28\x03")}) {
      ASSERT_FALSE(h->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size()))
          << target << "/" << variant;
    }
    RandomInputs inputs(*h, 19);
    for (int i = 0; i < 2000; ++i) {
      const std::string b = inputs.Next();
      ASSERT_FALSE(h->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size()))
          << target << "/" << variant << " at input " << i;
    }
  }
}

// Every finding the harness saves replays, with `smpfuzz replay`'s own
// replay, to the kind it was saved as.
TEST(FuzzHarness, EverySavedFindingReplaysToItsKind) {
  const std::string out = TestDir("replay-all");
  HarnessOptions o;
  o.target = "demo";
  o.out = out;
  std::filesystem::remove_all(out);
  auto h = Harness::Create(o);
  ASSERT_TRUE(h.ok()) << h.status();
  RandomInputs inputs(**h, 1919);
  int found = 0;
  for (int i = 0; i < 3000; ++i) {
    const std::string b = inputs.Next();
    found += (*h)->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  }
  ASSERT_GT(found, 0);
  int replayed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    if (entry.path().filename() != "schedule.textproto") continue;
    absl::StatusOr<proto::Schedule> s = ReadScheduleFile(entry.path().string());
    ASSERT_TRUE(s.ok()) << s.status();
    std::ifstream in(entry.path());
    std::string line, kind;
    while (std::getline(in, line)) {
      if (line.rfind("# expect: ", 0) == 0) kind = line.substr(10);
    }
    const Execution e = ReplaySchedule(*s, nullptr);
    EXPECT_EQ(VerdictKindName(e.verdict.kind), kind) << entry.path();
    ++replayed;
  }
  EXPECT_EQ(replayed, found);
}

// sleep/mutex_exit_no_barrier (a TSO scenario: mutex_exit needs
// membar_sync) under relaxed, where a stale load breaks it first.
std::string RelaxedExitNoBarrier() {
  proto::Schedule s;
  s.set_version(2);
  s.set_target("sleep");
  s.set_variant("mutex_exit_no_barrier");
  s.set_memory_model(proto::RELAXED);
  s.set_membar_enter(proto::ENTER_ACQUIRE);
  const uint32_t at_cpu[] = {2, 1, 1};
  const proto::Action action[] = {proto::RUN, proto::RUN, proto::READ_FROM};
  const uint32_t cpu[] = {1, 0, 1};
  const uint32_t arg[] = {0, 0, 1};
  for (int i = 0; i < 3; ++i) {
    proto::Decision* d = s.add_decisions();
    d->set_at_cpu(at_cpu[i]);
    d->set_at(0);
    d->set_action(action[i]);
    d->set_cpu(cpu[i]);
    d->set_arg(arg[i]);
  }
  std::string b;
  s.SerializeToString(&b);
  return b;
}

// Every file the harness saved under `out`, concatenated.
std::string SavedText(const std::string& out) {
  std::string all;
  if (!std::filesystem::exists(out)) return all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(out)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return all;
}

// Issue 19: the fuzzer mutated memory_model and membar_enter in every
// input, so scenarios were judged under models they never claimed. By
// default each runs its own; the mutator leaves the fields alone.
TEST(FuzzHarness, RunsTheScenariosOwnModelByDefault) {
  const std::string out = TestDir("own-model");
  auto h = Pinned("sleep", "mutex_exit_no_barrier", out);
  ASSERT_NE(h, nullptr);
  const std::string b = RelaxedExitNoBarrier();
  h->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size());
  const std::string saved = SavedText(out);
  EXPECT_EQ(saved.find("under relaxed"), std::string::npos) << saved;
  EXPECT_EQ(saved.find("RELAXED"), std::string::npos) << saved;
  std::vector<uint8_t> buf(256);
  size_t size = 0;
  Random rng(19);
  for (int i = 0; i < 2000; ++i) {
    size = h->Mutate(buf.data(), size, buf.size(), static_cast<unsigned>(rng.Next()));
    const proto::Schedule s = Decode(buf.data(), size, h->info());
    ASSERT_EQ(s.memory_model(), proto::MODEL_DEFAULT) << "at mutation " << i;
    ASSERT_EQ(s.membar_enter(), proto::ENTER_DEFAULT) << "at mutation " << i;
  }
}

// With any_model (smpfuzz fuzz --any-model), a finding reached under
// relaxed that the same schedule shows under TSO is reported under TSO,
// with TSO's fix (membar_sync), not the stale load's (membar_consumer).
TEST(FuzzHarness, AnyModelReportsTheStrongestModelThatStillShowsIt) {
  const std::string out = TestDir("any-model");
  HarnessOptions o;
  o.target = "sleep";
  o.variant = "mutex_exit_no_barrier";
  o.out = out;
  ASSERT_EQ(setenv("SMPFUZZ_ANY_MODEL", "1", 1), 0);
  OptionsFromEnvironment(&o);
  unsetenv("SMPFUZZ_ANY_MODEL");
  EXPECT_TRUE(o.any_model);
  std::filesystem::remove_all(out);
  auto h = Harness::Create(o);
  ASSERT_TRUE(h.ok()) << h.status();
  const std::string b = RelaxedExitNoBarrier();
  EXPECT_TRUE((*h)->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  const std::string saved = SavedText(out);
  EXPECT_NE(saved.find("membar misuse under tso"), std::string::npos) << saved;
  EXPECT_NE(saved.find("memory_model: TSO"), std::string::npos) << saved;
  EXPECT_NE(saved.find("membar_sync"), std::string::npos) << saved;
  EXPECT_EQ(saved.find("under relaxed"), std::string::npos) << saved;
}


// Issue 18: a new fuzzer process confirmed and minimized a membar_misuse
// finding already on disk again (8-11 s), because its execution ends with
// "assertion ..." and the folder says "membar-misuse assertion ...".
TEST(FuzzHarness, AFindingOnDiskIsNotConfirmedAgainByANewProcess) {
  const std::string out = TestDir("known-on-disk");
  auto first = Pinned("sleep", "mutex_exit_no_barrier", out);
  ASSERT_NE(first, nullptr);
  RandomInputs inputs(*first, 18);
  std::string found;
  for (int i = 0; i < 5000 && found.empty(); ++i) {
    const std::string b = inputs.Next();
    if (first->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size())) found = b;
  }
  ASSERT_FALSE(found.empty()) << "no finding to start from";
  ASSERT_EQ(first->confirmations(), 1u);
  const std::string saved = SavedText(out);
  ASSERT_NE(saved.find("kind: membar_misuse"), std::string::npos) << saved;
  ASSERT_NE(saved.find("unclassified: "), std::string::npos) << saved;

  HarnessOptions o;  // the same folder, not emptied
  o.target = "sleep";
  o.variant = "mutex_exit_no_barrier";
  o.out = out;
  auto second = Harness::Create(o);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_FALSE(
      (*second)->Run(reinterpret_cast<const uint8_t*>(found.data()), found.size()));
  EXPECT_EQ((*second)->confirmations(), 0u);
  EXPECT_EQ(SavedText(out), saved) << "the folder was written again";
}

// Issue 22: fuzzer processes that share one findings folder (a campaign
// across machines on a shared file system, here two processes of one
// machine) report each finding once between them, and every folder is
// whole. Both run the same inputs from the same moment, so each meets
// every bug at about the time the other does, and confirms and minimizes
// it before either has saved it: the rename into place decides which one
// reports it.
TEST(FuzzHarness, ProcessesSharingAFindingsFolderReportEachFindingOnce) {
  const std::string out = TestDir("shared-findings");
  std::filesystem::remove_all(out);
  constexpr int kProcesses = 2;
  int go[2], report[2];
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(report), 0);
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(go[1]);
      close(report[0]);
      HarnessOptions o;
      o.target = "demo";
      o.out = out;
      auto h = Harness::Create(o);
      if (!h.ok()) _exit(3);
      char c;
      if (read(go[0], &c, 1) != 0) _exit(4);  // wait until both are ready
      RandomInputs inputs(**h, 22);
      std::string reported;
      for (int i = 0; i < 1500; ++i) {
        const std::string b = inputs.Next();
        if ((*h)->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size())) {
          reported += "x";
        }
      }
      if (write(report[1], reported.data(), reported.size()) < 0) _exit(5);
      _exit(0);
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(report[1]);
  close(go[1]);  // both start
  std::string reported;
  char buf[256];
  for (ssize_t n; (n = read(report[0], buf, sizeof buf)) > 0;) reported.append(buf, n);
  close(report[0]);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  int folders = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(out / std::filesystem::path("demo"))) {
    if (e.path().filename() != "verdict.txt") continue;
    ++folders;
    for (const char* file : {"schedule.textproto", "trace.txt", "verdict.txt"}) {
      EXPECT_TRUE(std::filesystem::exists(e.path().parent_path() / file))
          << e.path().parent_path() << " has no " << file;
    }
  }
  EXPECT_GE(folders, 2) << "too few bugs met to race on";
  EXPECT_EQ(static_cast<int>(reported.size()), folders)
      << "findings reported by the processes together vs folders on disk";
  EXPECT_GE(static_cast<int>(SavedSignatures(out, "demo").size()), folders);
  // Nothing half-written is left behind.
  const std::filesystem::path tmp = std::filesystem::path(out) / ".tmp";
  EXPECT_TRUE(!std::filesystem::exists(tmp) || std::filesystem::is_empty(tmp));
}

// Continuous fuzzing (.clusterfuzzlite/) fuzzes the correct variants only:
// inputs that name a bug variant run a correct one, and none reports,
// where the same inputs over every variant do.
TEST(FuzzHarness, CleanOnlyFuzzesTheCorrectVariantsAlone) {
  for (const bool clean_only : {false, true}) {
    HarnessOptions o;
    o.target = "demo";
    o.out = TestDir(clean_only ? "clean-only" : "clean-only-off");
    o.clean_only = clean_only;
    std::filesystem::remove_all(o.out);
    auto h = Harness::Create(o);
    ASSERT_TRUE(h.ok()) << h.status();
    for (const ScenarioSpec* v : (*h)->info().variants) {
      if (clean_only) EXPECT_EQ(v->expected, VerdictKind::kClean) << v->name();
    }
    RandomInputs inputs(**h, 5);
    int reported = 0;
    for (int i = 0; i < 1500; ++i) {
      const std::string b = inputs.Next();
      reported += (*h)->Run(reinterpret_cast<const uint8_t*>(b.data()), b.size());
    }
    if (clean_only) {
      EXPECT_EQ(reported, 0);
    } else {
      EXPECT_GT(reported, 0) << "the inputs meet no bug: the check above proves nothing";
    }
  }
  HarnessOptions o;
  o.target = "demo";
  o.variant = "lost_wakeup";
  o.clean_only = true;
  EXPECT_FALSE(Harness::Create(o).ok());
}

// Folders saved before the unclassified signature was written down are
// recognised by the classification's prefix.
TEST(FuzzHarness, OlderFindingFoldersAreKnownByTheirUnclassifiedSignature) {
  const std::string out = TestDir("older-folder");
  std::filesystem::remove_all(out);
  const std::filesystem::path dir =
      std::filesystem::path(out) / "sleep" / "mutex_exit_no_barrier" / "membar_misuse-1";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "verdict.txt")
      << "kind: membar_misuse\nsignature: membar-misuse assertion x\nscenario: s\n"
         "unclassified: not a header line\n";
  std::ofstream(dir / "schedule.textproto") << "# membar_misuse\n";
  const std::set<std::string> known = SavedSignatures(out, "sleep");
  EXPECT_EQ(known, (std::set<std::string>{"membar-misuse assertion x", "assertion x"}));
  EXPECT_TRUE(SavedSignatures(out, "sleep", "other").empty());
}

}  // namespace
}  // namespace smp::fuzz
