#include "bench/relacy_workloads.h"

#include <sstream>

// Last: Relacy's headers redefine `new` and `malloc`.
#include <relacy/relacy.hpp>

namespace smp::bench {
namespace {

// The demo spin lock: spin on a relaxed load after a failed CAS, telling
// the scheduler the thread is waiting (the machine's SpinWhile).
struct RlSpinlock : rl::test_suite<RlSpinlock, kSpinlockThreads> {
  rl::atomic<unsigned> word;
  rl::var<int> counter;

  void before() {
    word.store(0, rl::mo_relaxed, $);
    counter($) = 0;
  }
  void Lock() {
    for (;;) {
      unsigned expected = 0;
      if (word.compare_exchange_strong(expected, 1u, rl::mo_acquire, $)) return;
      while (word.load(rl::mo_relaxed, $) != 0) rl::yield(1, $);
    }
  }
  void thread(unsigned) {
    for (int i = 0; i < kSpinlockRounds; ++i) {
      Lock();
      counter($) = counter($) + 1;
      word.store(0, rl::mo_release, $);
    }
  }
  void after() { RL_ASSERT(counter($) == kSpinlockThreads * kSpinlockRounds); }
};

struct RlMessagePassingFenced : rl::test_suite<RlMessagePassingFenced, 2> {
  rl::var<int> data[kMpMessages];
  rl::atomic<int> flag[kMpMessages];

  void before() {
    for (int i = 0; i < kMpMessages; ++i) {
      data[i]($) = 0;
      flag[i].store(0, rl::mo_relaxed, $);
    }
  }
  void thread(unsigned index) {
    for (int i = 0; i < kMpMessages; ++i) {
      if (index == 0) {
        data[i]($) = i + 1;
        rl::atomic_thread_fence(rl::mo_release, $);
        flag[i].store(1, rl::mo_relaxed, $);
      } else if (flag[i].load(rl::mo_relaxed, $) != 0) {
        rl::atomic_thread_fence(rl::mo_acquire, $);
        RL_ASSERT(data[i]($) == i + 1);
      }
    }
  }
};

struct RlMessagePassingPlain : rl::test_suite<RlMessagePassingPlain, 2> {
  rl::atomic<int> data[kMpMessages];
  rl::atomic<int> flag[kMpMessages];

  void before() {
    for (int i = 0; i < kMpMessages; ++i) {
      data[i].store(0, rl::mo_relaxed, $);
      flag[i].store(0, rl::mo_relaxed, $);
    }
  }
  void thread(unsigned index) {
    for (int i = 0; i < kMpMessages; ++i) {
      if (index == 0) {
        data[i].store(i + 1, rl::mo_relaxed, $);
        flag[i].store(1, rl::mo_relaxed, $);
      } else if (flag[i].load(rl::mo_relaxed, $) != 0) {
        (void)data[i].load(rl::mo_relaxed, $);
      }
    }
  }
};

struct RlSeqlock : rl::test_suite<RlSeqlock, 1 + kSeqlockReaders> {
  rl::atomic<int> seq;
  rl::atomic<int> word[2];

  void before() {
    seq.store(0, rl::mo_relaxed, $);
    word[0].store(0, rl::mo_relaxed, $);
    word[1].store(0, rl::mo_relaxed, $);
  }
  void thread(unsigned index) {
    if (index == 0) {
      for (int k = 1; k <= kSeqlockWrites; ++k) {
        seq.store(2 * k - 1, rl::mo_relaxed, $);
        rl::atomic_thread_fence(rl::mo_release, $);
        word[0].store(k, rl::mo_relaxed, $);
        word[1].store(k, rl::mo_relaxed, $);
        seq.store(2 * k, rl::mo_release, $);
      }
      return;
    }
    for (int t = 0; t < kSeqlockTries; ++t) {
      const int s1 = seq.load(rl::mo_acquire, $);
      if (s1 % 2 != 0) continue;
      const int a = word[0].load(rl::mo_relaxed, $);
      const int b = word[1].load(rl::mo_relaxed, $);
      rl::atomic_thread_fence(rl::mo_acquire, $);
      const int s2 = seq.load(rl::mo_relaxed, $);
      if (s1 == s2) RL_ASSERT(a == s1 / 2 && b == s1 / 2);
    }
  }
};

template <typename Test>
bool Simulate(uint64_t executions) {
  rl::test_params params;
  params.iteration_count = executions;
  // The spinning threads of the spin lock can take many steps under a
  // random scheduler; the default (2000) would call that a livelock.
  params.execution_depth_limit = 1000000;
  std::ostringstream quiet;  // the test name, progress and throughput lines
  params.output_stream = &quiet;
  params.progress_stream = &quiet;
  return rl::simulate<Test>(params);
}

}  // namespace

bool RunRelacy(Workload w, uint64_t executions) {
  switch (w) {
    case Workload::kSpinlock:
      return Simulate<RlSpinlock>(executions);
    case Workload::kMessagePassingFenced:
      return Simulate<RlMessagePassingFenced>(executions);
    case Workload::kMessagePassingPlain:
      return Simulate<RlMessagePassingPlain>(executions);
    case Workload::kSeqlock:
      return Simulate<RlSeqlock>(executions);
  }
  return false;
}

}  // namespace smp::bench
