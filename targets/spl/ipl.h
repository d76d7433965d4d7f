// Interrupt priority levels: NetBSD's IPL_* names, the historical spl
// names, and how both map onto the machine's interrupt levels.
//
// What it models: spl(9). A software IPL value is represented as the set of
// machine interrupt levels it blocks (an SplMask, bit L = level L). That is
// also the cookie `s` splraise() returns and splx() takes. In a strict
// hierarchy a level blocks everything at or below it (UpTo(level)); the
// historical 4.4BSD names were sets, not a hierarchy, which a set
// represents directly.
//
// Machine levels (the core's line levels; higher preempts lower):
//   1..4   IPL_SOFTCLOCK, IPL_SOFTBIO, IPL_SOFTNET, IPL_SOFTSERIAL
//   5, 6, 7  the historical device classes bio, net, tty
//   8      IPL_VM (all device interrupts in NetBSD 5+)
//   9      clock (historical splclock / splstatclock)
//  10      IPL_SCHED
//  11      IPL_HIGH
// The historical classes sit below IPL_VM so that splvm() blocks all of
// them, as NetBSD's splbio() = splnet() = spltty() = splvm() does today.
//
// Deviation: handlers nest by machine level (a net handler at level 6 is
// never interrupted by a bio interrupt at level 5), because the core's
// interrupt controller is a priority mask. 4.4BSD on i386 re-enabled the
// PIC early and let any class not in the handler's mask in.
//
// Nothing here is a scheduling point.
#ifndef SMPFUZZ_TARGETS_SPL_IPL_H_
#define SMPFUZZ_TARGETS_SPL_IPL_H_

#include <cstdint>

namespace smp::spl {

// NetBSD's IPLs, low to high (sys/intr.h).
enum Ipl : int {
  IPL_NONE = 0,
  IPL_SOFTCLOCK,
  IPL_SOFTBIO,
  IPL_SOFTNET,
  IPL_SOFTSERIAL,
  IPL_VM,
  IPL_SCHED,
  IPL_HIGH,
};

inline constexpr int kLevelSoftClock = 1;
inline constexpr int kLevelSoftBio = 2;
inline constexpr int kLevelSoftNet = 3;
inline constexpr int kLevelSoftSerial = 4;
inline constexpr int kLevelBio = 5;
inline constexpr int kLevelNet = 6;
inline constexpr int kLevelTty = 7;
inline constexpr int kLevelVm = 8;
inline constexpr int kLevelClock = 9;
inline constexpr int kLevelSched = 10;
inline constexpr int kLevelHigh = 11;

// A software IPL: the machine levels it blocks (bit L: level L; bit 0
// unused). The spl cookie.
using SplMask = uint32_t;

// Every level from 1 to `level`.
constexpr SplMask UpTo(int level) {
  return level <= 0 ? 0u : level >= 31 ? ~1u : ((1u << (level + 1)) - 1) & ~1u;
}
constexpr SplMask Bit(int level) { return 1u << level; }
// The highest level `s` blocks (0 for none).
constexpr int Highest(SplMask s) { return s == 0 ? 0 : 31 - __builtin_clz(s); }

// The machine level of a NetBSD IPL.
constexpr int LevelOf(Ipl ipl) {
  constexpr int kLevels[] = {0,           kLevelSoftClock, kLevelSoftBio,
                             kLevelSoftNet, kLevelSoftSerial, kLevelVm,
                             kLevelSched, kLevelHigh};
  return kLevels[ipl];
}
// What splraise(ipl) blocks: the NetBSD IPLs are a strict hierarchy.
constexpr SplMask MaskOf(Ipl ipl) { return UpTo(LevelOf(ipl)); }

// How the historical names splbio/splnet/spltty/splimp/splclock map to sets.
enum class SplNames {
  // NetBSD 5+: splbio = splnet = spltty = splimp = splvm, splclock =
  // splsched. A hierarchy.
  kNetbsd,
  // 4.4BSD i386 masks: splbio = {bio}, splnet = {net}, spltty = {tty, net}
  // (SLIP/PPP), splimp = {bio, net, tty}, splclock = everything up to
  // clock. splbio and splnet are unordered: neither blocks the other.
  kHistorical,
  // The same classes made a strict hierarchy bio < net < tty: each name
  // blocks its class and everything below it.
  kOrdered,
};

struct SplTable {
  SplMask bio, net, tty, imp, clock;
};

constexpr SplTable TableOf(SplNames names) {
  switch (names) {
    case SplNames::kNetbsd:
      return {UpTo(kLevelVm), UpTo(kLevelVm), UpTo(kLevelVm), UpTo(kLevelVm),
              UpTo(kLevelSched)};
    case SplNames::kHistorical:
      return {Bit(kLevelBio), Bit(kLevelNet), Bit(kLevelNet) | Bit(kLevelTty),
              Bit(kLevelBio) | Bit(kLevelNet) | Bit(kLevelTty),
              UpTo(kLevelClock)};
    case SplNames::kOrdered:
      return {UpTo(kLevelBio), UpTo(kLevelNet), UpTo(kLevelTty),
              UpTo(kLevelTty), UpTo(kLevelClock)};
  }
  return {};
}

}  // namespace smp::spl

#endif  // SMPFUZZ_TARGETS_SPL_IPL_H_
