// Membar misuse is found under the weak model that exposes it, with the
// reordered pair named and the SC replay said to be clean; the fixed twins
// are silent under every model.
#include <memory>
#include <string>

#include "core/cell.h"
#include "core/machine.h"

#include "core/scenario.h"
#include "gtest/gtest.h"
#include "schedulers/search.h"
#include "targets/testing/search_expectations.h"

namespace smp {
namespace {

const ScenarioSpec& Membar(const char* variant) {
  return target_testing::SpecOf("membar", variant);
}

SearchResult Search(const char* variant, uint64_t runs,
                    std::optional<MemoryModel> model = std::nullopt,
                    uint64_t seed = 2026) {
  return target_testing::Search(Membar(variant), seed, runs, /*lockdep=*/true, model);
}

TEST(MembarMisuse, MissingProducerIsFoundUnderPsoWithThePairNamed) {
  SearchResult r = Search("mp_no_producer", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  const Verdict& v = r.findings[0].verdict;
  EXPECT_EQ(v.kind, VerdictKind::kMembarMisuse) << v.message;
  EXPECT_NE(v.message.find("the store to 'data' (targets/membar/membar_scenarios.c:"),
            std::string::npos)
      << v.message;
  EXPECT_NE(v.message.find("became visible after the later store to 'flag'"),
            std::string::npos)
      << v.message;
  EXPECT_NE(v.message.find("membar_producer"), std::string::npos);
  EXPECT_NE(v.message.find("replayed under SC is clean"), std::string::npos);
  EXPECT_EQ(v.signature.rfind("membar-misuse assertion", 0), 0u) << v.signature;
}

TEST(MembarMisuse, MissingProducerIsSilentUnderTso) {
  EXPECT_TRUE(Search("mp_no_producer", 10000, MemoryModel::kTSO).findings.empty());
}

TEST(MembarMisuse, SeqlockWithoutConsumerIsFoundUnderRelaxedOnly) {
  SearchResult r = Search("seqlock_no_consumer", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  const Verdict& v = r.findings[0].verdict;
  EXPECT_EQ(v.kind, VerdictKind::kMembarMisuse) << v.message;
  EXPECT_NE(v.message.find("returned a value older than"), std::string::npos)
      << v.message;
  EXPECT_NE(v.message.find("membar_consumer"), std::string::npos);
  for (MemoryModel m : {MemoryModel::kSC, MemoryModel::kTSO, MemoryModel::kPSO}) {
    EXPECT_TRUE(Search("seqlock_no_consumer", 10000, m).findings.empty())
        << MemoryModelName(m);
  }
}

TEST(MembarMisuse, HandRolledReleaseWithoutBarrierIsFoundUnderPso) {
  SearchResult r = Search("spinlock_no_release", 10000);
  ASSERT_EQ(r.findings.size(), 1u);
  const Verdict& v = r.findings[0].verdict;
  EXPECT_EQ(v.kind, VerdictKind::kMembarMisuse) << v.message;
  EXPECT_NE(v.message.find("became visible after the later store to 'lock'"),
            std::string::npos)
      << v.message;
}

// Message passing whose producer also writes two cells nobody reads: their
// reorderings happen in the same executions and are not what breaks it.
class MpWithNoise : public Scenario {
 public:
  explicit MpWithNoise(Machine& m)
      : noise_a_(m, "noise_a"), noise_b_(m, "noise_b"), data_(m, "data"),
        flag_(m, "flag") {
    m.AddThread("producer", 0, [this] {
      noise_a_.Store(1);
      noise_b_.Store(1);
      data_.Store(42);
      flag_.Store(1);
      noise_a_.Store(2);
    });
    m.AddThread("consumer", 1, [this, &m] {
      while (flag_.Load() == 0) flag_.SpinWhile(0);
      m.Membar(Barrier::kConsumer);
      SMP_ASSERT(m, data_.Load() == 42, "data visible once the flag is");
    });
  }

 private:
  Shared<int> noise_a_, noise_b_, data_, flag_;
};

// Issue 19, item 6: only the reorderings the failure needs are listed
// (each checked by replaying with it forbidden), each with its barrier.
TEST(MembarMisuse, ListsOnlyTheReorderingsTheFailureNeeds) {
  ScenarioSpec spec;
  spec.target = "membar_test";
  spec.variant = "mp_with_noise";
  spec.expected = VerdictKind::kMembarMisuse;
  spec.memory_model = MemoryModel::kPSO;
  spec.max_steps = 2000;
  spec.make = [](Machine& m) { return std::make_unique<MpWithNoise>(m); };
  int found = 0;
  for (uint64_t seed = 1; seed <= 9; ++seed) {
    SearchOptions o;
    o.seed = seed;
    o.runs = 2000;
    SearchResult r = RunSearch(spec, o);
    if (r.findings.empty()) continue;
    ++found;
    const Verdict& v = r.findings[0].verdict;
    EXPECT_EQ(v.kind, VerdictKind::kMembarMisuse) << v.message;
    EXPECT_NE(v.message.find("the store to 'data'"), std::string::npos) << v.message;
    EXPECT_NE(v.message.find("later store to 'flag'"), std::string::npos)
        << v.message;
    EXPECT_NE(v.message.find("membar_producer"), std::string::npos) << v.message;
    EXPECT_EQ(v.message.find("'noise_"), std::string::npos)
        << "seed " << seed << ": " << v.message;
  }
  EXPECT_GT(found, 0);
}

}  // namespace
}  // namespace smp
