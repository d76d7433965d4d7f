// What the command-line tests share: running the CLI in-process, and
// scratch files under the test's temporary folder.
#ifndef SMPFUZZ_REPRO_CLI_TEST_UTIL_H_
#define SMPFUZZ_REPRO_CLI_TEST_UTIL_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "repro/cli.h"

namespace smp::cli_test {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out, err;
};

inline Result Cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  const int code = RunCli(args, out, err);
  return Result{code, out.str(), err.str()};
}

inline std::string TempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  fs::path p = fs::path(base != nullptr ? base : "/tmp") / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p.string();
}

inline void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace smp::cli_test

#endif  // SMPFUZZ_REPRO_CLI_TEST_UTIL_H_
