// spl on the CPU's priority mask: raising the IPL programs the interrupt
// controller, so a blocked interrupt stays pending in hardware and is
// delivered by the machine the moment the mask is lowered (nothing to
// replay). The IPL is the CPU's mask: no memory, nothing to race on.
//
// Deviation: the mask is a priority, so a level set is rounded up to its
// highest level (Highest(s)): with the historical, non-hierarchical names
// (SplNames::kHistorical) splbio also blocks what lies below bio, i.e. the
// hardware imposes an order the historical sets did not have. Handlers run
// at their line's level whatever `run` set they were established with.
//
// Scheduling points: splraise and splx are one each (the mask change).
#ifndef SMPFUZZ_TARGETS_SPL_HARD_SPL_H_
#define SMPFUZZ_TARGETS_SPL_HARD_SPL_H_

#include <functional>
#include <string>

#include "core/machine.h"
#include "targets/spl/spl.h"

namespace smp::spl {

class HardSpl : public Spl {
 public:
  // Only bugs.raise_can_lower applies (the replay bugs are lazy-only).
  explicit HardSpl(Machine& m, SplNames names = SplNames::kNetbsd,
                   SplBugs bugs = {});

  SplMask splraise(SplMask levels, Loc loc = Loc::Here()) override;
  void splx(SplMask s, Loc loc = Loc::Here()) override;
  SplMask Current() const override { return UpTo(m_.mask()); }

 protected:
  int EstablishLine(std::string name, int level, SplMask run,
                    std::function<void()> handler) override;
  int EstablishSoftLine(std::string name, int level,
                        std::function<void()> handler) override;

 private:
  Machine& m_;
  const SplBugs bugs_;
};

}  // namespace smp::spl

#endif  // SMPFUZZ_TARGETS_SPL_HARD_SPL_H_
