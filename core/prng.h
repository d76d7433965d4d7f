// The project PRNG. Every random decision smpfuzz makes comes from a Random
// that was passed in explicitly and seeded from a schedule: no global state,
// no clocks, no library distributions (they may change between versions).
//
// Generator: xoshiro256** seeded through SplitMix64 (Blackman & Vigna).
// Thread-safety: none; one Random per user.
#ifndef SMPFUZZ_CORE_PRNG_H_
#define SMPFUZZ_CORE_PRNG_H_

#include <cstdint>

namespace smp {

// SplitMix64 step: also the project's way to derive independent seeds
// (e.g. the seed of execution i of a campaign is Mix(seed ^ i)).
inline uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The scheduler seed of execution `index` of a search seeded `seed`.
inline uint64_t ExecutionSeed(uint64_t seed, uint64_t index) {
  return Mix64(seed ^ Mix64(index));
}

class Random {
 public:
  explicit Random(uint64_t seed) { Seed(seed); }

  void Seed(uint64_t seed) {
    uint64_t x = seed;
    for (uint64_t& w : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      w = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, n). REQUIRES: n > 0. Lemire's multiply-shift; the tiny
  // bias (< n / 2^32) is irrelevant for scheduling and keeps it branch-free.
  uint32_t Uniform(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * n) >> 32);
  }

  // True with probability 1/n. REQUIRES: n > 0.
  bool OneIn(uint32_t n) { return Uniform(n) == 0; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_PRNG_H_
