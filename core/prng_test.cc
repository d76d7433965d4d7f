#include "core/prng.h"

#include <set>

#include "gtest/gtest.h"

namespace smp {
namespace {

TEST(Random, SameSeedSameSequence) {
  Random a(42), b(42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.Next(), b.Next());
}

TEST(Random, DifferentSeedsDiffer) {
  Random a(1), b(2);
  int same = 0;
  for (int i = 0; i < 100; ++i) same += a.Next() == b.Next();
  EXPECT_LT(same, 2);
}

TEST(Random, KnownFirstValueIsStableAcrossBuilds) {
  // Schedules saved today must replay tomorrow: the generator is part of
  // the file format. xoshiro256** seeded through SplitMix64 from 0.
  Random r(0);
  EXPECT_EQ(r.Next(), 0x99ec5f36cb75f2b4ULL);
}

TEST(Random, UniformStaysInRangeAndCoversIt) {
  Random r(7);
  std::set<uint32_t> seen;
  for (int i = 0; i < 10000; ++i) {
    const uint32_t v = r.Uniform(5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(Random, UniformIsRoughlyFair) {
  Random r(9);
  int counts[4] = {};
  for (int i = 0; i < 40000; ++i) ++counts[r.Uniform(4)];
  for (int c : counts) {
    EXPECT_GT(c, 9000);
    EXPECT_LT(c, 11000);
  }
}

TEST(Mix64, SpreadsAdjacentInputs) {
  EXPECT_NE(Mix64(1), Mix64(2));
  EXPECT_NE(Mix64(0), 0u);
}

}  // namespace
}  // namespace smp
