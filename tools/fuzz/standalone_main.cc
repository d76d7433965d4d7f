// Replay main for fuzz targets built without libFuzzer (the default build).
//
// Usage: FUZZER [-flag=value ...] PATH...
// Calls LLVMFuzzerInitialize (if the target defines it) once, then
// LLVMFuzzerTestOneInput once per file; a directory stands for every regular
// file below it (recursively, in sorted order). Arguments starting with '-'
// are libFuzzer flags and are ignored, so the same command line works with
// either engine. Exits 1 with a message if a path cannot be read.

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
    __attribute__((weak));

namespace {

namespace fs = std::filesystem;

// Appends the files named by `path` to `out`; false (with a message) on error.
bool CollectInputs(const std::string& path, std::vector<std::string>& out) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) {
    std::fprintf(stderr, "error: cannot access %s: %s\n", path.c_str(),
                 ec.message().c_str());
    return false;
  }
  if (fs::is_directory(status)) {
    std::vector<std::string> files;
    fs::recursive_directory_iterator it(path, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path().string());
    }
    if (ec) {
      std::fprintf(stderr, "error: cannot list %s: %s\n", path.c_str(),
                   ec.message().c_str());
      return false;
    }
    std::sort(files.begin(), files.end());
    out.insert(out.end(), files.begin(), files.end());
    return true;
  }
  out.push_back(path);
  return true;
}

bool ReadFile(const std::string& path, std::vector<uint8_t>& data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "error: cannot open %s: %s\n", path.c_str(),
                 std::strerror(errno));
    return false;
  }
  data.assign(std::istreambuf_iterator<char>(in),
              std::istreambuf_iterator<char>());
  if (in.bad()) {
    std::fprintf(stderr, "error: cannot read %s\n", path.c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  std::vector<std::string> inputs;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;  // libFuzzer flag; not ours.
    ok = CollectInputs(argv[i], inputs) && ok;
  }
  if (!ok) return 1;
  if (inputs.empty()) {
    std::fprintf(stderr,
                 "usage: %s [-libfuzzer_flag ...] FILE_OR_DIR...\n"
                 "(standalone replay build; build with --config=fuzz for "
                 "libFuzzer)\n",
                 argv[0]);
    return 1;
  }

  size_t ran = 0;
  std::vector<uint8_t> data;
  for (const std::string& path : inputs) {
    if (!ReadFile(path, data)) return 1;
    // Copy into an exactly-sized heap buffer so ASan catches overreads.
    auto* copy = new uint8_t[data.size()];
    if (!data.empty()) std::memcpy(copy, data.data(), data.size());
    LLVMFuzzerTestOneInput(copy, data.size());
    delete[] copy;
    ++ran;
  }
  std::printf("standalone fuzz main: ran %zu input%s\n", ran,
              ran == 1 ? "" : "s");
  return 0;
}
