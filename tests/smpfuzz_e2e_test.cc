// End to end: the smpfuzz binary run as a user runs it, one process per
// invocation, for a few representative command lines; exit status and the
// output that matters (docs/usage.md's "Exit status").
//
// The binary and the corpus are data dependencies: a test runs in its
// runfiles tree, at the workspace root, so their paths are the
// repository's.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "repro/cli_flags.h"

namespace smp {
namespace {

constexpr char kSmpfuzz[] = "repro/smpfuzz";
constexpr char kRegression[] = "corpus/demo/regressions/lost_wakeup.textproto";

struct Outcome {
  int code;
  std::string out, err;
};

std::string Scratch(const std::string& name) {
  const char* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs smpfuzz with `args` (each passed as one word), stdout and stderr
// captured apart.
Outcome Smpfuzz(const std::vector<std::string>& args) {
  std::string command = kSmpfuzz;
  for (const std::string& a : args) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    command += " " + quoted + "'";
  }
  const std::string out = Scratch("stdout"), err = Scratch("stderr");
  const int status = std::system((command + " >" + out + " 2>" + err).c_str());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;  // -1: a crash
  return Outcome{code, ReadAll(out), ReadAll(err)};
}

int Lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(SmpfuzzEndToEnd, HelpPrintsTheUsageMadeFromTheFlagTable) {
  Outcome r = Smpfuzz({"help"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, cli::Usage());
  EXPECT_EQ(r.err, "");
}

TEST(SmpfuzzEndToEnd, ListNamesTheScenarios) {
  Outcome r = Smpfuzz({"list"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("demo/lost_wakeup"), std::string::npos) << r.out;
}

// Each is exit 2 with one "smpfuzz: " line (and the usage after it for an
// unknown command or flag), never a crash.
TEST(SmpfuzzEndToEnd, BadInputExitsTwoWithOneLineSayingWhy) {
  const std::string malformed = Scratch("malformed.textproto");
  std::ofstream(malformed) << "version: \"two\" target: \"demo\"\n";
  struct Case {
    std::vector<std::string> args;
    std::string says;
    bool usage;
  };
  const std::vector<Case> cases = {
      {{"frobnicate"}, "smpfuzz: unknown command 'frobnicate'\n", true},
      {{"run", "--target=demo", "--bogus"}, "smpfuzz: unknown flag --bogus for run\n", true},
      {{"run", "--target=nosuch"}, "smpfuzz: unknown target 'nosuch'", false},
      {{"run", "--runs=abc", "--target=demo"},
       "smpfuzz: --runs wants a non-negative integer, not 'abc'\n", false},
      {{"replay", malformed}, "smpfuzz: ", false},
      {{"replay", "/nonexistent/schedule.textproto"}, "smpfuzz: ", false},
  };
  for (const Case& c : cases) {
    Outcome r = Smpfuzz(c.args);
    EXPECT_EQ(r.code, 2) << c.args[0] << " " << c.args.back() << ": " << r.err;
    EXPECT_EQ(r.err.rfind(c.says, 0), 0u) << r.err;
    if (c.usage) {
      EXPECT_EQ(r.err.substr(r.err.find('\n') + 1), cli::Usage());
    } else {
      EXPECT_EQ(Lines(r.err), 1) << r.err;
    }
    EXPECT_EQ(r.out, "");
  }
}

// A bug variant that shows its declared verdict: exit 0.
TEST(SmpfuzzEndToEnd, RunFindsTheLostWakeup) {
  Outcome r = Smpfuzz({"run", "--target=demo", "--variant=lost_wakeup", "--runs=2000",
                   "--no-save"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("== demo/lost_wakeup: lost_wakeup after "), std::string::npos)
      << r.out;
}

// A corpus regression replays to its verdict (exit 1; 0 with --expect of
// it), and twice to the same bytes.
TEST(SmpfuzzEndToEnd, ReplayOfACorpusRegressionIsByteIdentical) {
  Outcome first = Smpfuzz({"replay", kRegression});
  Outcome second = Smpfuzz({"replay", kRegression});
  EXPECT_EQ(first.code, 1) << first.err;
  EXPECT_NE(first.out.find("verdict: lost_wakeup\n"), std::string::npos) << first.out;
  EXPECT_GT(Lines(first.out), 10) << "the trace is printed";
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(first.code, second.code);
  EXPECT_EQ(Smpfuzz({"replay", kRegression, "--expect=lost_wakeup", "--quiet"}).code, 0);
}

// `replay DIR`: every schedule below the folder, one row each in path
// order, judged against the kind it was saved with (issue 20).
TEST(SmpfuzzEndToEnd, ReplayOfAFolderSaysWhichSchedulesStillReproduce) {
  Outcome r = Smpfuzz({"replay", "corpus/demo/regressions"});
  EXPECT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.err, "");
  const std::string kDir = "corpus/demo/regressions/";
  EXPECT_EQ(r.out,
            "same     " + kDir + "abba_deadlock.textproto  saved lock_order  now lock_order: "
            "lock-order [A>B] [B>A]\n"
            "same     " + kDir + "intr_self_deadlock.textproto  saved ipl_unsafe  now "
            "ipl_unsafe: ipl-unsafe sc_lock level 5 intr dev\n"
            "same     " + kDir + "lost_wakeup.textproto  saved lost_wakeup  now lost_wakeup: "
            "lost-wakeup thread consumer on ready_chan @targets/demo/demo_scenarios.c:145\n"
            "same     " + kDir + "racy_counter.textproto  saved assertion  now assertion: "
            "assertion no increment is lost @targets/demo/demo_scenarios.c:199\n"
            "summary: 4 schedule(s): 4 as saved, 0 changed, 0 without a saved kind, "
            "0 unreadable; 4 distinct finding(s) confirmed\n");
  // Twice the same bytes; --expect replaces every saved kind.
  EXPECT_EQ(Smpfuzz({"replay", "corpus/demo/regressions"}).out, r.out);
  Outcome clean = Smpfuzz({"replay", "corpus/demo/regressions/", "--expect=clean"});
  EXPECT_EQ(clean.code, 1);
  EXPECT_EQ(Lines(clean.out), 5) << clean.out;
  EXPECT_EQ(clean.out.rfind("changed  corpus/demo/regressions/abba_deadlock.textproto  "
                            "expect clean  now lock_order: ",
                            0),
            0u)
      << clean.out;
  EXPECT_NE(clean.out.find("\nsummary: 4 schedule(s): 0 as expected, 4 changed, "),
            std::string::npos)
      << clean.out;
}

// A bug that no longer shows is "changed" (exit 1); a malformed file (or
// one whose "# expect:" names no kind) is named on stderr and in its row,
// and the others are still replayed (exit 2); hidden folders (a campaign's .corpus/) are not looked into;
// a file without "# expect:" takes its kind from verdict.txt beside it.
TEST(SmpfuzzEndToEnd, ReplayOfAFolderGoesOnPastAMalformedFile) {
  const std::string dir = Scratch("replay_dir");
  ASSERT_EQ(std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "/a/.corpus' '" + dir +
                         "/b'")
                            .c_str()),
            0);
  std::ofstream(dir + "/a/fixed.textproto")
      << "# expect: lost_wakeup\n" << ReadAll("corpus/demo/seed-lost_wakeup.textproto");
  std::ofstream(dir + "/a/.corpus/junk.textproto") << "not a schedule\n";
  std::ofstream(dir + "/a/garbage.textproto") << "version: \"two\" target: \"demo\"\n";
  std::string bare = ReadAll(kRegression);
  bare = bare.substr(bare.find("version:"));
  std::ofstream(dir + "/b/schedule.textproto") << bare;
  std::ofstream(dir + "/b/verdict.txt") << "kind: lost_wakeup\nsignature: whatever\n";
  std::ofstream(dir + "/b/typo.textproto") << "# expect: lost_wakup\n" << bare;

  Outcome r = Smpfuzz({"replay", dir});
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_EQ(Lines(r.err), 2) << r.err;
  EXPECT_EQ(r.err.rfind("smpfuzz: " + dir + "/a/garbage.textproto: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("\nsmpfuzz: " + dir + "/b/typo.textproto: unknown verdict kind "
                       "'lost_wakup' on its '# expect:' line\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Lines(r.out), 5) << r.out;
  EXPECT_NE(r.out.find("changed  " + dir + "/a/fixed.textproto  saved lost_wakeup  now clean\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("error    " + dir + "/a/garbage.textproto: "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("same     " + dir + "/b/schedule.textproto  saved lost_wakeup  now "
                       "lost_wakeup: "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("junk"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("summary: 4 schedule(s): 1 as saved, 1 changed, 0 without a saved "
                       "kind, 2 unreadable; 1 distinct finding(s) confirmed\n"),
            std::string::npos)
      << r.out;

  // Without the malformed files, the changed verdict decides: exit 1.
  std::remove((dir + "/a/garbage.textproto").c_str());
  std::remove((dir + "/b/typo.textproto").c_str());
  EXPECT_EQ(Smpfuzz({"replay", dir, "--quiet"}).code, 1);

  // What only one FILE can take is bad input for a folder; so is a folder
  // without schedules.
  for (const std::string& flag : {"--json=" + dir + "/t.json", std::string("--target=demo"),
                                  std::string("--any-model")}) {
    Outcome bad = Smpfuzz({"replay", dir, flag});
    EXPECT_EQ(bad.code, 2) << flag;
    EXPECT_EQ(Lines(bad.err), 1) << bad.err;
    EXPECT_NE(bad.err.find("not to the folder"), std::string::npos) << bad.err;
    EXPECT_EQ(bad.out, "");
  }
  ASSERT_EQ(std::system(("mkdir -p '" + dir + "/none'").c_str()), 0);
  Outcome none = Smpfuzz({"replay", dir + "/none"});
  EXPECT_EQ(none.code, 2);
  EXPECT_NE(none.err.find("holds no *.textproto schedule"), std::string::npos) << none.err;
}

}  // namespace
}  // namespace smp
