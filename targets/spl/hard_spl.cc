#include "targets/spl/hard_spl.h"

#include <utility>

namespace smp::spl {

HardSpl::HardSpl(Machine& m, SplNames names, SplBugs bugs)
    : Spl(names), m_(m), bugs_(bugs) {}

SplMask HardSpl::splraise(SplMask levels, Loc loc) {
  const int old = m_.mask();
  const int want = Highest(levels);
  // The bug: program the requested level even when it is below the
  // current one.
  m_.SetMask(bugs_.raise_can_lower || want > old ? want : old, loc);
  return UpTo(old);
}

void HardSpl::splx(SplMask s, Loc loc) { m_.SetMask(Highest(s), loc); }

int HardSpl::EstablishLine(std::string name, int level, SplMask run,
                           std::function<void()> handler) {
  (void)run;  // the controller masks up to the line's level, no more
  return m_.AddLine(std::move(name), level, std::move(handler));
}

int HardSpl::EstablishSoftLine(std::string name, int level,
                               std::function<void()> handler) {
  return m_.AddSoftLine(std::move(name), level, std::move(handler));
}

}  // namespace smp::spl
