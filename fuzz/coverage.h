// Interleaving coverage: abstract events that code coverage cannot see,
// hashed into a counter array that libFuzzer reads
// (__libfuzzer_extra_counters), so an input that produces a new
// combination is kept even when it runs no new line of code.
//
// Events:
//  - a lock acquired: lock x CPU mask x context kind x handler level;
//  - an interrupt delivered: line x the set of locks its CPU holds;
//  - a load: cell x the context kind/identity of the store it read from;
//  - a preemption site pair: consecutive accesses on different CPUs,
//    (previous access's line, this access's line).
// Counters saturate at 255. Nothing here influences an execution.
#ifndef SMPFUZZ_FUZZ_COVERAGE_H_
#define SMPFUZZ_FUZZ_COVERAGE_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/observer.h"

namespace smp::fuzz {

class InterleavingCoverage : public Observer {
 public:
  // REQUIRES: `size` is a power of two.
  InterleavingCoverage(uint8_t* counters, size_t size)
      : counters_(counters), size_(size) {}

  // Forget per-execution state (the counters are libFuzzer's to clear).
  void Reset();

  bool wants_accesses() const override { return true; }
  void OnLock(Machine& m, const Actor& who, LockOp op, int lock, Loc loc) override;
  void OnContextStart(Machine& m, const Actor& who, int interrupted) override;
  void OnAccess(Machine& m, const Actor& who, int cell, AccessKind kind,
                Loc loc) override;

 private:
  void Hit(uint64_t key);
  uint64_t Site(Loc loc);

  static constexpr size_t kFileCache = 64;
  struct FileHash {
    const char* file = nullptr;
    uint64_t hash = 0;
  };

  uint8_t* counters_;
  size_t size_;
  std::vector<uint64_t> held_;       // per CPU: locks held (bit i, i < 64)
  std::vector<uint64_t> writer_;     // per cell: who stored last
  int last_cpu_ = -1;
  uint64_t last_site_ = 0;
  FileHash files_[kFileCache];       // file name -> hash of its text
};

}  // namespace smp::fuzz

#endif  // SMPFUZZ_FUZZ_COVERAGE_H_
