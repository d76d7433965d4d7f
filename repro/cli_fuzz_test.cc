// smpfuzz fuzz, with a stand-in fuzzer.
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

}  // namespace
}  // namespace smp
