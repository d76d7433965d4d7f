// The 2003 tech-kern deadlock: spl levels that are not a hierarchy, simple
// locks taken by hand at those levels, and interrupts on two CPUs.
//
//   CPU0: s = splfoo(); simple_lock(&A);     CPU1: s = splbar(); simple_lock(&B);
//   a bar interrupt on CPU0 (splfoo does     a foo interrupt on CPU1 (splbar
//   not block bar): its handler spins on B   does not block foo): its
//                                            handler spins on A
//
// Each CPU waits for the other's thread, which cannot run until its
// handler returns: a two-CPU deadlock that no single CPU's spl discipline
// shows. Here foo is the historical bio class and bar the net class, on
// the lazy spl (the only implementation that keeps them unordered).
//
// Variants (Config):
//  - unordered: 4.4BSD's splbio/splnet. Lockdep predicts the A/B cycle on
//    executions that do not deadlock; a schedule that hits it deadlocks.
//  - ordered: bar above foo (splnet also blocks bio). CPU1 at splnet
//    defers the foo interrupt until it has released B: silent.
//  - one CPU per level: unordered levels plus the policy "at most one CPU
//    at or above a level" (LazySplOptions::one_cpu_per_level). Silent, at a
//    cost the stats show: levels are global tokens, so the threads'
//    splbio sections serialize and interrupts are forwarded between CPUs.
// Every variant also ends with each CPU doing independent work at splbio,
// which only the policy serializes.
//
// The devices: a thread on CPU2 stands for the two devices and raises bar
// on CPU0 and foo on CPU1 four times each, some of its steps apart, while
// the threads run (an interrupt source would fire near the start under the
// random scheduler, before the critical sections). t1 first does unrelated
// work, so the two critical sections overlap on some schedules only: the
// hazard shows on many clean executions (lockdep's lock_order) and the
// deadlock on fewer (docs/targets.md has the numbers).
//
// The class is in a header so tests can run it on a Machine directly and
// read its Stats after an execution.
#ifndef SMPFUZZ_TARGETS_SPIN_MUTEX_TECH_KERN_2003_H_
#define SMPFUZZ_TARGETS_SPIN_MUTEX_TECH_KERN_2003_H_

#include <memory>

#include "core/cell.h"
#include "core/machine.h"
#include "core/scenario.h"
#include "targets/spin_mutex/simple_lock.h"
#include "targets/spl/lazy_spl.h"

namespace smp::spin_mutex {

class TechKern2003 : public Scenario {
 public:
  struct Config {
    spl::SplNames names = spl::SplNames::kHistorical;
    bool one_cpu_per_level = false;
  };

  TechKern2003(Machine& m, Config config);
  void Check(Machine& m) override;

  const spl::LazySpl::Stats& stats() const { return spl_.stats(); }

 private:
  spl::LazySpl spl_;
  SimpleLock a_, b_;
  Shared<int> a_count_, b_count_, foo_runs_, bar_runs_;
  Shared<int> work0_, work1_, finished_;
};

struct TechKern2003Unordered : TechKern2003 {
  explicit TechKern2003Unordered(Machine& m) : TechKern2003(m, {}) {}
};
struct TechKern2003Ordered : TechKern2003 {
  explicit TechKern2003Ordered(Machine& m)
      : TechKern2003(m, {spl::SplNames::kOrdered, false}) {}
};
struct TechKern2003OneCpuPerLevel : TechKern2003 {
  explicit TechKern2003OneCpuPerLevel(Machine& m)
      : TechKern2003(m, {spl::SplNames::kHistorical, true}) {}
};

}  // namespace smp::spin_mutex

#endif  // SMPFUZZ_TARGETS_SPIN_MUTEX_TECH_KERN_2003_H_
