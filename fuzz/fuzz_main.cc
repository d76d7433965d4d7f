// The libFuzzer entry points of a target's fuzzer (linked by smp_target).
// libFuzzer's C interface leaves no way to pass state but a global: the
// harness lives here, built once in LLVMFuzzerInitialize.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "fuzz/harness.h"

// Defined by the smp_target macro: the target this fuzzer fuzzes.
extern const char kSmpFuzzTarget[];

// Interleaving coverage, read by libFuzzer after every input.
extern "C" {
__attribute__((section("__libfuzzer_extra_counters"), used))
uint8_t smp_interleaving_counters[1 << 13];
}

namespace {
smp::fuzz::Harness* harness = nullptr;
}  // namespace

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
// ASan's default 256 MB quarantine makes every execution's allocations land
// on fresh pages (a page fault each); 32 MB still holds the frees of
// hundreds of executions, which is the window a use-after-free in a target
// needs. ASAN_OPTIONS set by the user is applied after this and wins.
extern "C" const char* __asan_default_options() { return "quarantine_size_mb=32"; }
#endif
#endif

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  smp::fuzz::HarnessOptions options;
  options.target = kSmpFuzzTarget;
  options.counters = smp_interleaving_counters;
  options.num_counters = sizeof smp_interleaving_counters;
#ifdef SMPFUZZ_CLEAN_ONLY
  // A continuous-fuzzing build (.clusterfuzzlite/): a finding is a crash
  // there, so only correct variants are fuzzed. SMPFUZZ_CLEAN_ONLY=0 undoes it.
  options.clean_only = true;
#endif
  smp::fuzz::OptionsFromEnvironment(&options);
  auto created = smp::fuzz::Harness::Create(std::move(options));
  if (!created.ok()) {
    std::fprintf(stderr, "smpfuzz: %s\n",
                 std::string(created.status().message()).c_str());
    std::exit(2);
  }
  harness = created->release();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (harness == nullptr) LLVMFuzzerInitialize(nullptr, nullptr);
  if (harness->Run(data, size)) std::abort();  // libFuzzer keeps the input
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size,
                                          size_t max_size, unsigned int seed) {
  if (harness == nullptr) LLVMFuzzerInitialize(nullptr, nullptr);
  return harness->Mutate(data, size, max_size, seed);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* a, size_t a_size,
                                            const uint8_t* b, size_t b_size,
                                            uint8_t* out, size_t max_out,
                                            unsigned int seed) {
  if (harness == nullptr) LLVMFuzzerInitialize(nullptr, nullptr);
  return harness->CrossOver(a, a_size, b, b_size, out, max_out, seed);
}
