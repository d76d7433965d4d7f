// smpfuzz run --result and smpfuzz merge: sharded proofs.
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

}  // namespace
}  // namespace smp
