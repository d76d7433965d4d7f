#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/prng.h"
#include "fuzz/harness.h"
#include "fuzz/input.h"
#include "fuzz/mutator.h"
#include "gtest/gtest.h"

namespace smp::fuzz {
namespace {

TargetInfo Demo() {
  TargetInfo info;
  info.target = "demo";
  info.variants = ScenarioRegistry::Global().ForTarget("demo");
  return info;
}

std::string Bytes(const proto::Schedule& s) {
  std::string b;
  s.SerializeToString(&b);
  return b;
}

TEST(FuzzInput, GarbageDecodesToARunnableScheduleOfTheTarget) {
  const TargetInfo info = Demo();
  Random rng(1);
  for (int i = 0; i < 500; ++i) {
    std::string junk(rng.Uniform(64), '\0');
    for (char& c : junk) c = static_cast<char>(rng.Uniform(256));
    const proto::Schedule s =
        Decode(reinterpret_cast<const uint8_t*>(junk.data()), junk.size(), info);
    EXPECT_EQ(s.version(), 2u);
    EXPECT_EQ(s.target(), "demo");
    EXPECT_NE(ScenarioRegistry::Global().Find("demo", s.variant()), nullptr);
  }
}

TEST(FuzzInput, AParsedScheduleKeepsItsDecisions) {
  proto::Schedule s;
  s.set_target("somewhere-else");
  s.set_variant("lost_wakeup");
  s.set_seed(9);
  proto::Decision* d = s.add_decisions();
  d->set_at_cpu(1);
  d->set_at(3);
  const std::string b = Bytes(s);
  const proto::Schedule got =
      Decode(reinterpret_cast<const uint8_t*>(b.data()), b.size(), Demo());
  EXPECT_EQ(got.target(), "demo");
  EXPECT_EQ(got.variant(), "lost_wakeup");
  ASSERT_EQ(got.decisions_size(), 1);
  EXPECT_EQ(got.decisions(0).at(), 3u);
}

TEST(FuzzMutator, MutationsAreDeterministicAndStayRunnable) {
  const TargetInfo info = Demo();
  proto::Schedule a, b;
  a.set_variant("abba_deadlock");
  b = a;
  Random r1(42), r2(42);
  for (int i = 0; i < 2000; ++i) {
    Mutate(&a, r1, info);
    Mutate(&b, r2, info);
  }
  EXPECT_EQ(Bytes(a), Bytes(b));
  EXPECT_NE(ScenarioRegistry::Global().Find("demo", a.variant()), nullptr);
}

TEST(FuzzMutator, PinnedVariantNeverChanges) {
  TargetInfo info = Demo();
  info.pinned = ScenarioRegistry::Global().Find("demo", "abba_ordered");
  proto::Schedule s;
  s.set_variant("abba_ordered");
  Random rng(3);
  for (int i = 0; i < 1000; ++i) {
    Mutate(&s, rng, info);
    ASSERT_EQ(s.variant(), "abba_ordered");
  }
}

TEST(FuzzMutator, CrossOverSplicesDecisions) {
  proto::Schedule a, b;
  for (int i = 0; i < 4; ++i) a.add_decisions()->set_at(i);
  for (int i = 0; i < 4; ++i) b.add_decisions()->set_at(100 + i);
  Random rng(5);
  bool mixed = false;
  for (int i = 0; i < 50; ++i) {
    const proto::Schedule c = CrossOver(a, b, rng);
    bool has_a = false, has_b = false;
    for (const auto& d : c.decisions()) (d.at() < 100 ? has_a : has_b) = true;
    mixed |= has_a && has_b;
  }
  EXPECT_TRUE(mixed);
}

class HarnessTest : public testing::Test {
 protected:
  std::unique_ptr<Harness> Make(const std::string& variant, uint8_t* counters,
                                size_t n) {
    HarnessOptions o;
    o.target = "demo";
    o.variant = variant;
    const char* tmp = std::getenv("TEST_TMPDIR");
    o.out = std::string(tmp != nullptr ? tmp : "/tmp") + "/fuzz-findings-" + variant;
    std::filesystem::remove_all(o.out);
    o.counters = counters;
    o.num_counters = n;
    auto h = Harness::Create(o);
    EXPECT_TRUE(h.ok());
    return std::move(*h);
  }
};

TEST_F(HarnessTest, UnknownTargetOrVariantIsAnError) {
  HarnessOptions o;
  o.target = "nosuch";
  EXPECT_FALSE(Harness::Create(o).ok());
  o.target = "demo";
  o.variant = "nosuch";
  EXPECT_FALSE(Harness::Create(o).ok());
}

TEST_F(HarnessTest, ABugIsReportedOnceThenKnown) {
  uint8_t counters[4096] = {};
  auto h = Make("lost_wakeup", counters, sizeof counters);
  Random rng(8);
  int found = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string input(16, '\0');
    for (char& c : input) c = static_cast<char>(rng.Uniform(256));
    found += h->Run(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  }
  EXPECT_EQ(found, 1);
  int touched = 0;
  for (uint8_t c : counters) touched += c != 0;
  EXPECT_GT(touched, 0) << "interleaving coverage recorded nothing";
}

TEST_F(HarnessTest, CorrectVariantNeverReports) {
  auto h = Make("wakeup_interlocked", nullptr, 0);
  Random rng(9);
  std::vector<uint8_t> buf(256);
  size_t size = 0;
  for (int i = 0; i < 3000; ++i) {
    size = h->Mutate(buf.data(), size, buf.size(), static_cast<unsigned>(rng.Next()));
    ASSERT_FALSE(h->Run(buf.data(), size)) << "at input " << i;
  }
}

}  // namespace
}  // namespace smp::fuzz
