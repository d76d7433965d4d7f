#include "fuzz/coverage.h"

#include "core/prng.h"

namespace smp::fuzz {
namespace {

uint64_t HashText(const char* s) {
  uint64_t h = 1469598103934665603ULL;
  for (const char* p = s; *p != '\0'; ++p) h = (h ^ static_cast<uint8_t>(*p)) * 1099511628211ULL;
  return h;
}

}  // namespace

uint64_t InterleavingCoverage::Site(Loc loc) {
  // File names are string literals: the value is a hash of their text,
  // never of their address; the address only finds the cached hash.
  FileHash& slot = files_[(reinterpret_cast<uintptr_t>(loc.file) >> 3) % kFileCache];
  if (slot.file != loc.file) slot = FileHash{loc.file, HashText(loc.file)};
  return Mix64(slot.hash ^ static_cast<uint64_t>(loc.line));
}

void InterleavingCoverage::Reset() {
  held_.clear();
  writer_.clear();
  last_cpu_ = -1;
  last_site_ = 0;
}

void InterleavingCoverage::Hit(uint64_t key) {
  uint8_t& c = counters_[Mix64(key) & (size_ - 1)];
  if (c != 255) ++c;
}

void InterleavingCoverage::OnLock(Machine&, const Actor& who, LockOp op, int lock,
                                  Loc) {
  if (held_.size() <= static_cast<size_t>(who.cpu)) held_.resize(who.cpu + 1, 0);
  const uint64_t bit = lock < 64 ? uint64_t{1} << lock : 0;
  if (op == LockOp::kRelease) {
    held_[who.cpu] &= ~bit;
    return;
  }
  held_[who.cpu] |= bit;
  Hit(1ULL << 60 | static_cast<uint64_t>(lock) << 24 |
      static_cast<uint64_t>(who.mask) << 16 |
      static_cast<uint64_t>(who.kind) << 8 | static_cast<uint64_t>(who.level));
}

void InterleavingCoverage::OnContextStart(Machine&, const Actor& who, int) {
  if (who.kind == CtxKind::kThread) return;
  const uint64_t held =
      static_cast<size_t>(who.cpu) < held_.size() ? held_[who.cpu] : 0;
  Hit(2ULL << 60 ^ Mix64(held) ^ static_cast<uint64_t>(who.obj));
}

void InterleavingCoverage::OnAccess(Machine&, const Actor& who, int cell,
                                    AccessKind kind, Loc loc) {
  if (writer_.size() <= static_cast<size_t>(cell)) writer_.resize(cell + 1, 0);
  const uint64_t me = static_cast<uint64_t>(who.kind) << 16 |
                      static_cast<uint64_t>(who.obj) << 1 | 1;
  if (kind != AccessKind::kStore) {
    Hit(3ULL << 60 ^ static_cast<uint64_t>(cell) << 32 ^ writer_[cell] << 8 ^ me);
  }
  if (kind != AccessKind::kLoad) writer_[cell] = me;
  const uint64_t site = Site(loc);
  if (last_cpu_ >= 0 && last_cpu_ != who.cpu) Hit(4ULL << 60 ^ last_site_ * 31 ^ site);
  last_cpu_ = who.cpu;
  last_site_ = site;
}

}  // namespace smp::fuzz
