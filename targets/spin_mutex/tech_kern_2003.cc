#include "targets/spin_mutex/tech_kern_2003.h"

namespace smp::spin_mutex {
namespace {

// The devices raise each interrupt this many times, this many of their
// steps apart; t1 first does this many updates of unrelated work, so the
// two critical sections overlap on some schedules only.
constexpr int kInterrupts = 4;
constexpr int kGap = 10;
constexpr int kPreamble = 12;

}  // namespace

TechKern2003::TechKern2003(Machine& m, Config config)
    : spl_(m, config.names,
           spl::LazySplOptions{.one_cpu_per_level = config.one_cpu_per_level}),
      a_(m, "A"),
      b_(m, "B"),
      a_count_(m, "a_count"),
      b_count_(m, "b_count"),
      foo_runs_(m, "foo_runs"),
      bar_runs_(m, "bar_runs"),
      work0_(m, "work0"),
      work1_(m, "work1"),
      finished_(m, "finished") {
  const spl::SplTable& t = spl_.table();
  const int foo = spl_.Establish("foo", spl::kLevelBio, t.bio, [this] {
    simple_lock(a_);
    a_count_.Store(a_count_.Load() + 1);
    simple_unlock(a_);
    foo_runs_.Store(foo_runs_.Load() + 1);
  });
  const int bar = spl_.Establish("bar", spl::kLevelNet, t.net, [this] {
    simple_lock(b_);
    b_count_.Store(b_count_.Load() + 1);
    simple_unlock(b_);
    bar_runs_.Store(bar_runs_.Load() + 1);
  });
  m.AddThread("devices", 2, [this, &m, bar, foo] {
    for (int i = 0; i < kInterrupts && finished_.Load() < 2; ++i) {
      for (int j = 0; j < kGap; ++j) m.Yield();
      m.SendIpi(0, bar);
      for (int j = 0; j < kGap; ++j) m.Yield();
      m.SendIpi(1, foo);
    }
  });
  m.AddThread("t0", 0, [this] {
    spl::SplMask s = spl_.splbio();  // splfoo
    simple_lock(a_);
    a_count_.Store(a_count_.Load() + 1);
    simple_unlock(a_);
    spl_.splx(s);
    s = spl_.splbio();
    work0_.Store(work0_.Load() + 1);
    spl_.splx(s);
    finished_.FetchAdd(1);
  });
  m.AddThread("t1", 1, [this] {
    for (int i = 0; i < kPreamble; ++i) work1_.Store(work1_.Load() + 1);
    spl::SplMask s = spl_.splnet();  // splbar
    simple_lock(b_);
    b_count_.Store(b_count_.Load() + 1);
    simple_unlock(b_);
    spl_.splx(s);
    s = spl_.splbio();
    work1_.Store(work1_.Load() + 1);
    spl_.splx(s);
    finished_.FetchAdd(1);
  });
}

void TechKern2003::Check(Machine& m) {
  SMP_ASSERT(m, a_count_.Peek() == 1 + foo_runs_.Peek(),
             "no update of A's data is lost");
  SMP_ASSERT(m, b_count_.Peek() == 1 + bar_runs_.Peek(),
             "no update of B's data is lost");
  for (int k = 0; k < m.num_cpus(); ++k) {
    SMP_ASSERT(m, spl_.Pending(k) == 0, "every deferred interrupt was replayed");
  }
}

SMP_SCENARIO(TechKern2003Unordered, "spin_mutex", "tech_kern_2003",
             VerdictKind::kLockOrder, 3, 6000,
             "CPU0 splbio+A, CPU1 splnet+B, bar(net) interrupt on CPU0 wants "
             "B, foo(bio) on CPU1 wants A; unordered levels: deadlock");
SMP_SCENARIO(TechKern2003Ordered, "spin_mutex", "tech_kern_2003_ordered",
             VerdictKind::kClean, 3, 6000,
             "the same with bar above foo (splnet blocks bio): silent");
SMP_SCENARIO(TechKern2003OneCpuPerLevel, "spin_mutex",
             "tech_kern_2003_one_cpu_per_level", VerdictKind::kClean, 3, 6000,
             "unordered levels, but at most one CPU at or above a level "
             "(level tokens, interrupts forwarded to the token's owner)");

}  // namespace smp::spin_mutex
