// End to end: the smpfuzz binary run as a user runs it, one process per
// invocation, for a few representative command lines; exit status and the
// output that matters (docs/usage.md's "Exit status").
//
// The binary and the corpus are data dependencies: a test runs in its
// runfiles tree, at the workspace root, so their paths are the
// repository's.
#include <sys/wait.h>

#include <algorithm>
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

}  // namespace
}  // namespace smp
