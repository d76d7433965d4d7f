// spl(9): the software interrupt priority level of the current CPU, on top
// of the core's per-CPU priority mask and interrupt-enable flag.
//
// What it models: splraise / splx / spl0 and the named spl functions. The
// IPL is per CPU: raising it blocks interrupts at the blocked levels on the
// calling CPU only and gives no protection against another CPU. The two
// implementations (hard_spl.h: program the CPU's priority mask; lazy_spl.h:
// keep the level in memory and defer interrupts in software) share this
// interface, so a scenario can run on either.
//
// Contract (both implementations):
//  - `s = splraise(m)` blocks at least the levels of m in addition to what
//    was blocked, never fewer; returns the previous level.
//  - `splx(s)` restores a level returned earlier by splraise or a named spl
//    call on this CPU; every interrupt that became deliverable by lowering
//    runs before splx returns (or at once, with hardware masking).
//  - Interrupt handlers are established through Establish(), so the
//    implementation can wrap them (the lazy one must).
// REQUIRES for every call: a context running on a CPU (thread or handler);
// calls on a CPU are balanced the way the kernel's are (the bug variants
// are exactly the places where they are not).
//
// Scheduling points: splraise, splx, spl0 and the named calls are each one
// or more scheduling points (mask changes, cell accesses, interrupt
// enable/disable); Current() is not.
#ifndef SMPFUZZ_TARGETS_SPL_SPL_H_
#define SMPFUZZ_TARGETS_SPL_SPL_H_

#include <functional>
#include <string>
#include <utility>

#include "core/loc.h"
#include "targets/spl/ipl.h"

namespace smp::spl {

// Bug switches shared by the implementations.
struct SplBugs {
  // splraise stores the requested level instead of the union with the
  // current one, so raising to a level below the current one lowers it.
  bool raise_can_lower = false;
  // (lazy only) splx lowers the level without replaying interrupts
  // deferred while it was raised: they are lost.
  bool splx_no_replay = false;
  // (lazy only) splx replays pending interrupts with interrupts disabled,
  // re-enables them, and only then lowers the level: an interrupt landing
  // in between is deferred against the old level and never replayed.
  bool splx_check_then_lower = false;
};

class Spl {
 public:
  explicit Spl(SplNames names) : table_(TableOf(names)) {}
  virtual ~Spl() = default;
  Spl(const Spl&) = delete;
  Spl& operator=(const Spl&) = delete;

  // Scheduling points. Blocks `levels` too; returns the previous level.
  virtual SplMask splraise(SplMask levels, Loc loc = Loc::Here()) = 0;
  // Scheduling points. Restores `s`, running whatever became deliverable.
  virtual void splx(SplMask s, Loc loc = Loc::Here()) = 0;
  // The level in effect on the calling CPU. Not a scheduling point.
  virtual SplMask Current() const = 0;
  // Declares an interrupt line at machine level `level` whose handler runs
  // with `run` blocked (UpTo(level) in a hierarchy, the class's set in the
  // historical one). Returns the line id. Declaration time only.
  int Establish(std::string name, int level, SplMask run,
                std::function<void()> handler) {
    return EstablishLine(std::move(name), level, run | Bit(level),
                         std::move(handler));
  }
  int Establish(std::string name, int level, std::function<void()> handler) {
    return EstablishLine(std::move(name), level, UpTo(level),
                         std::move(handler));
  }
  // Declares a software interrupt request line at soft machine level
  // `level` (kLevelSoftClock..kLevelSoftSerial): its handler runs in a
  // softint context with UpTo(level) blocked, once this spl lets the level
  // through; a softint framework requests it with a self-IPI. Lowering the
  // IPL below `level` with one pending dispatches it before splx returns
  // (the hardware mask, or the lazy replay). Returns the line id.
  // Declaration time only.
  int EstablishSoft(std::string name, int level, std::function<void()> handler) {
    return EstablishSoftLine(std::move(name), level, std::move(handler));
  }

  // The NetBSD calls. Each is splraise(MaskOf(IPL_x)).
  SplMask splraise_ipl(Ipl ipl, Loc loc = Loc::Here()) {
    return splraise(MaskOf(ipl), loc);
  }
  SplMask splsoftclock(Loc loc = Loc::Here()) { return splraise_ipl(IPL_SOFTCLOCK, loc); }
  SplMask splsoftnet(Loc loc = Loc::Here()) { return splraise_ipl(IPL_SOFTNET, loc); }
  SplMask splvm(Loc loc = Loc::Here()) { return splraise_ipl(IPL_VM, loc); }
  SplMask splsched(Loc loc = Loc::Here()) { return splraise_ipl(IPL_SCHED, loc); }
  SplMask splhigh(Loc loc = Loc::Here()) { return splraise_ipl(IPL_HIGH, loc); }
  // Lowers to IPL_NONE; returns the previous level.
  SplMask spl0(Loc loc = Loc::Here()) {
    const SplMask old = Current();
    splx(0, loc);
    return old;
  }

  // The historical names, per the SplNames table given at construction.
  SplMask splbio(Loc loc = Loc::Here()) { return splraise(table_.bio, loc); }
  SplMask splnet(Loc loc = Loc::Here()) { return splraise(table_.net, loc); }
  SplMask spltty(Loc loc = Loc::Here()) { return splraise(table_.tty, loc); }
  SplMask splimp(Loc loc = Loc::Here()) { return splraise(table_.imp, loc); }
  SplMask splclock(Loc loc = Loc::Here()) { return splraise(table_.clock, loc); }

  const SplTable& table() const { return table_; }

 protected:
  virtual int EstablishLine(std::string name, int level, SplMask run,
                            std::function<void()> handler) = 0;
  virtual int EstablishSoftLine(std::string name, int level,
                                std::function<void()> handler) = 0;

 private:
  const SplTable table_;
};

}  // namespace smp::spl

#endif  // SMPFUZZ_TARGETS_SPL_SPL_H_
