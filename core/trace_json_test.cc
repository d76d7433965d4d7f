#include "core/trace_json.h"

#include <cctype>
#include <map>
#include <string>

#include "core/cell.h"
#include "core/fiber.h"
#include "core/machine.h"
#include "gtest/gtest.h"
#include "schedulers/random_scheduler.h"

namespace smp {
namespace {

// A minimal JSON checker: well-formedness, and every "B" balanced by an
// "E" on the same tid (counted from the raw text of each event object).
class Json {
 public:
  explicit Json(const std::string& s) : s_(s) {}
  bool Valid() {
    Ws();
    if (!Value()) return false;
    Ws();
    return i_ == s_.size();
  }

 private:
  void Ws() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  bool Lit(const char* w) {
    const std::string word(w);
    if (s_.compare(i_, word.size(), word) != 0) return false;
    i_ += word.size();
    return true;
  }
  bool String() {
    if (s_[i_] != '"') return false;
    for (++i_; i_ < s_.size(); ++i_) {
      const char c = s_[i_];
      if (c == '\\') {
        ++i_;
        continue;
      }
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c == '"') {
        ++i_;
        return true;
      }
    }
    return false;
  }
  bool Number() {
    const size_t start = i_;
    if (s_[i_] == '-') ++i_;
    while (i_ < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[i_])) ||
                              s_[i_] == '.' || s_[i_] == 'e' || s_[i_] == 'E' ||
                              s_[i_] == '+' || s_[i_] == '-')) {
      ++i_;
    }
    return i_ > start;
  }
  bool Value() {
    Ws();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++i_;
      Ws();
      if (s_[i_] == close) {
        ++i_;
        return true;
      }
      for (;;) {
        Ws();
        if (c == '{') {
          if (!String()) return false;
          Ws();
          if (s_[i_++] != ':') return false;
        }
        if (!Value()) return false;
        Ws();
        if (s_[i_] == ',') {
          ++i_;
          continue;
        }
        if (s_[i_] == close) {
          ++i_;
          return true;
        }
        return false;
      }
    }
    if (c == '"') return String();
    if (Lit("true") || Lit("false") || Lit("null")) return true;
    return Number();
  }
  const std::string& s_;
  size_t i_ = 0;
};

Trace Record(uint64_t seed) {
  FiberPool pool;
  RandomScheduler random(seed);
  Machine::Options o;
  o.num_cpus = 2;
  o.record = true;
  Machine m(pool, random, o);
  Shared<int> lock(m, "lock"), x(m, "x\"quoted\"");
  const int id = m.AddLock("L", lock);
  const int line = m.AddLine("dev", 4, [&] { x.FetchAdd(1); });
  m.AddSource(line, 2, 0b11);
  for (int cpu = 0; cpu < 2; ++cpu) {
    m.AddThread("t" + std::to_string(cpu), cpu, [&] {
      while (!lock.Cas(0, 1)) lock.SpinWhile(1);
      m.LockAcquired(id);
      x.Store(x.Load() + 1);
      m.Membar(Barrier::kRelease);
      lock.Store(0);
      m.LockReleased(id);
    });
  }
  m.Run();
  return m.TakeTrace();
}

TEST(ChromeTrace, IsWellFormedAndBalanced) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    const std::string json = RenderChromeTrace(Record(seed), "test/scenario");
    ASSERT_TRUE(Json(json).Valid()) << json;
    std::map<int, int> depth;
    for (size_t at = json.find("{\"ph\":"); at != std::string::npos;
         at = json.find("{\"ph\":", at + 1)) {
      const std::string ph = json.substr(at + 7, 1);
      const size_t tid_at = json.find("\"tid\":", at);
      const int tid = std::stoi(json.substr(tid_at + 6));
      if (ph == "B") ++depth[tid];
      if (ph == "E") {
        ASSERT_GE(--depth[tid], 0);
      }
    }
    for (const auto& [tid, d] : depth) EXPECT_EQ(d, 0) << "tid " << tid;
    EXPECT_NE(json.find("\"verdict: clean\""), std::string::npos);
    EXPECT_NE(json.find("\"mask CPU"), std::string::npos);
    EXPECT_NE(json.find("\"cat\":\"lock\""), std::string::npos);
  }
}

TEST(ChromeTrace, SameTraceSameBytes) {
  EXPECT_EQ(RenderChromeTrace(Record(7), "a"), RenderChromeTrace(Record(7), "a"));
}

}  // namespace
}  // namespace smp
