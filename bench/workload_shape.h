// The shapes of the workloads bench/relacy_compare runs twice, once on the
// machine (bench/twin_workloads.cc) and once under Relacy
// (bench/relacy_workloads.cc). Both sides read their sizes from here, so
// the two versions cannot drift apart. No dependencies: the Relacy
// translation unit includes it.
#ifndef SMPFUZZ_BENCH_WORKLOAD_SHAPE_H_
#define SMPFUZZ_BENCH_WORKLOAD_SHAPE_H_

namespace smp::bench {

enum class Workload {
  // 4 threads x 10 critical sections of a CAS spin lock (acquire on the
  // CAS, release on the unlocking store); a plain counter under the lock,
  // checked at the end. demo/spinlock_counter is the same in C.
  kSpinlock,
  // A producer publishes kMpMessages messages, each a plain data word and
  // a flag, with a release fence between them; the consumer reads each
  // flag once and, when set, an acquire fence and the data, which must be
  // the published value.
  kMessagePassingFenced,
  // The same with no fences, data and flags relaxed atomics: the consumer
  // may see a flag before its data, so it reads and checks nothing.
  kMessagePassingPlain,
  // A seqlock: one writer makes kSeqlockWrites updates of a two-word
  // record (odd sequence, release fence, the words, release store of the
  // even sequence); kSeqlockReaders readers each make kSeqlockTries reads
  // (acquire load of the sequence, the words, acquire fence, the sequence
  // again) and check that an unchanged even sequence saw a whole record.
  kSeqlock,
};

inline constexpr int kSpinlockThreads = 4;
inline constexpr int kSpinlockRounds = 10;
inline constexpr int kMpMessages = 4;
inline constexpr int kSeqlockWrites = 2;
inline constexpr int kSeqlockReaders = 2;
inline constexpr int kSeqlockTries = 2;

}  // namespace smp::bench

#endif  // SMPFUZZ_BENCH_WORKLOAD_SHAPE_H_
