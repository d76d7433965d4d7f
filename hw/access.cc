// The instrumentation's entry points (hw/instrument/smp_pass.cc emits the
// calls): every plain or atomic access of target C to memory that is not
// provably its own stack comes here with its value and its file:line.
//
// From a running context, an access to shared memory is the machine's
// access to that location's cell: a scheduling point, weak-memory effects,
// observers, the trace. An access to the context's own stack, or made
// outside any context (a scenario's set-up and final check), or by a
// device model inside its callback, is a plain access.
#include <cstdint>
#include <cstring>

#include "core/machine.h"
#include "hw/hw_state.h"

namespace smp::hw {
namespace {

// LLVM's AtomicOrdering numbering, as the pass passes it.
Order OrderOf(int32_t llvm_order) {
  switch (llvm_order) {
    case 4: return Order::kAcquire;
    case 5: return Order::kRelease;
    case 6: return Order::kAcqRel;
    case 7: return Order::kSeqCst;
    default: return Order::kRelaxed;
  }
}

Loc LocOf(const __smp_site* s) { return Loc{s->file, s->line}; }

// The machine that must see an access at `addr`, or null for a plain one.
__attribute__((always_inline)) inline Machine* Sees(const void* addr) {
  Machine* m = Machine::Running();
  if (m == nullptr || !m->in_context() || m->OnContextStack(addr)) return nullptr;
  return m;
}

// A store the machine does not schedule: outside any context (set-up,
// final check), to the context's own stack, or by a device model inside
// its callback. An existing cell at the address is kept in step: a device
// store reaches memory through the machine (DeviceStore), at once.
template <typename T>
void PlainStore(void* addr, T v, const __smp_site* site) {
  std::memcpy(addr, &v, sizeof(T));
  Machine* m = HwState::Current();
  if (m != nullptr && m->in_context() &&
      (m->extension() == nullptr || !HwState::Of(*m).in_device())) {
    return;  // the context's own stack
  }
  if (m == nullptr || m->extension() == nullptr) {
    MarkGlobalsDirty(addr, sizeof(T));
    return;
  }
  HwState& h = HwState::Of(*m);
  AddrCell* c = h.FindCell(addr);
  if (c == nullptr || c->size() < sizeof(T)) MarkGlobalsDirty(addr, sizeof(T));
  if (c == nullptr) return;
  const Word w = ReadBytes(addr, c->size());
  if (m->in_context()) {
    m->NoteHiddenAccess();  // the device's: no point the search sees
    m->DeviceStore(*c, w, LocOf(site));
  } else {
    c->SetOutside(w);
  }
}

// A pointer-valued access makes its cell a pointer cell (traced in words).
inline void MarkPointer(Machine& m, const AddrCell& c, const __smp_site* site) {
  if (__builtin_expect((site->flags & kSitePointer) != 0, false) && !m.IsPointer(c.id())) {
    m.MarkPointer(c.id());
  }
}

template <typename T>
T LoadT(const void* addr, const __smp_site* site) {
  Machine* m = Sees(addr);
  if (m == nullptr) {
    T v;
    std::memcpy(&v, addr, sizeof(T));
    return v;
  }
  HwState& h = HwState::Of(*m);
  if (h.in_device()) {
    m->NoteHiddenAccess();  // the device's: no point the search sees
    T v;
    std::memcpy(&v, addr, sizeof(T));
    return v;
  }
  if (__builtin_expect(h.HasReadonly(), false) && h.IsReadonly(addr, sizeof(T))) {
    T v;  // a constant since set-up (smp_readonly): no point, no trace line
    std::memcpy(&v, addr, sizeof(T));
    return v;
  }
  AddrCell* c = h.CellFor(addr, sizeof(T), site);
  MarkPointer(*m, *c, site);
  const Word v = m->Load(*c, LocOf(site));
  return static_cast<T>(v);
}

// The cell a running context writes (store, atomic store, CAS, RMW):
// refuses a location declared constant with smp_readonly.
inline AddrCell* WrittenCell(HwState& h, void* addr, uint32_t size, const __smp_site* site) {
  if (__builtin_expect(h.HasReadonly(), false) && h.IsReadonly(addr, size)) {
    Unsupported(site->file, site->line,
                "a store to a location declared constant with smp_readonly");
  }
  return h.CellFor(addr, size, site);
}

template <typename T>
void StoreT(void* addr, T value, const __smp_site* site) {
  Machine* m = Sees(addr);
  if (m == nullptr) return PlainStore(addr, value, site);
  HwState& h = HwState::Of(*m);
  if (h.in_device()) return PlainStore(addr, value, site);
  AddrCell* c = WrittenCell(h, addr, sizeof(T), site);
  MarkPointer(*m, *c, site);
  m->Store(*c, static_cast<Word>(value), LocOf(site));
}

template <typename T>
T AtomicLoadT(const void* addr, int32_t order, const __smp_site* site) {
  Machine* m = Sees(addr);
  if (m == nullptr || HwState::Of(*m).in_device()) {
    return __atomic_load_n(static_cast<const T*>(addr), __ATOMIC_SEQ_CST);
  }
  HwState& h = HwState::Of(*m);
  AddrCell* c = h.CellFor(addr, sizeof(T), site);
  if (!m->IsAtomic(c->id())) m->MarkAtomic(*c);
  MarkPointer(*m, *c, site);
  const Word v = m->Load(*c, LocOf(site), OrderOf(order));
  return static_cast<T>(v);
}

template <typename T>
void AtomicStoreT(void* addr, T value, int32_t order, const __smp_site* site) {
  Machine* m = Sees(addr);
  if (m == nullptr) return PlainStore(addr, value, site);
  HwState& h = HwState::Of(*m);
  if (h.in_device()) return PlainStore(addr, value, site);
  AddrCell* c = WrittenCell(h, addr, sizeof(T), site);
  if (!m->IsAtomic(c->id())) m->MarkAtomic(*c);
  MarkPointer(*m, *c, site);
  m->Store(*c, static_cast<Word>(value), LocOf(site), OrderOf(order));
}

template <typename T>
T CasT(void* addr, T expected, T desired, int32_t order, const __smp_site* site) {
  Machine* m = Sees(addr);
  HwState* hp = m != nullptr ? &HwState::Of(*m) : nullptr;
  if (hp == nullptr || hp->in_device()) {
    T old;
    std::memcpy(&old, addr, sizeof(T));
    if (old == expected) PlainStore(addr, desired, site);
    return old;
  }
  HwState& h = *hp;
  AddrCell* c = WrittenCell(h, addr, sizeof(T), site);
  MarkPointer(*m, *c, site);
  const Word old = m->Cas(*c, static_cast<Word>(expected), static_cast<Word>(desired),
                          LocOf(site), OrderOf(order));
  return static_cast<T>(old);
}

// The pass's op numbering: 0 xchg, 1 add, 2 sub, 3 and, 4 or, 5 xor,
// 6 nand, 7 max, 8 min, 9 umax, 10 umin.
constexpr RmwOp kRmwOps[] = {RmwOp::kAdd, RmwOp::kAdd,  RmwOp::kSub, RmwOp::kAnd,
                             RmwOp::kOr,  RmwOp::kXor,  RmwOp::kNand, RmwOp::kMax,
                             RmwOp::kMin, RmwOp::kUMax, RmwOp::kUMin};

template <typename T>
T RmwT(void* addr, int32_t op, T value, int32_t order, const __smp_site* site) {
  if (op < 0 || op > 10) Unsupported(site->file, site->line, "unknown atomic operation");
  Machine* m = Sees(addr);
  if (m == nullptr || HwState::Of(*m).in_device()) {
    T old;
    std::memcpy(&old, addr, sizeof(T));
    T v = value;
    switch (op) {
      case 0: break;
      case 1: v = static_cast<T>(old + value); break;
      case 2: v = static_cast<T>(old - value); break;
      case 3: v = old & value; break;
      case 4: v = old | value; break;
      case 5: v = old ^ value; break;
      case 6: v = static_cast<T>(~(old & value)); break;
      default:
        Unsupported(site->file, site->line, "atomic min/max outside the machine");
    }
    PlainStore(addr, v, site);
    return old;
  }
  HwState& h = HwState::Of(*m);
  AddrCell* c = WrittenCell(h, addr, sizeof(T), site);
  MarkPointer(*m, *c, site);
  Word old;
  if (op == 0) {
    old = m->Swap(*c, static_cast<Word>(value), LocOf(site), OrderOf(order));
  } else {
    old = m->FetchOp(*c, kRmwOps[op], static_cast<Word>(value), sizeof(T),
                     LocOf(site), OrderOf(order));
  }
  return static_cast<T>(old);
}

// memcpy/memset over memory the machine may see. Bytes that are already a
// cell's are accessed through it, at its size (each a scheduling point);
// bytes no access has touched yet are not cells and are written at once
// (their cell, made on first access, starts from them). A copy that
// touches no cell at all is still one scheduling point.
template <typename T>
Word LoadWord(const void* a, const __smp_site* s) {
  return static_cast<Word>(LoadT<T>(a, s));
}
template <typename T>
void StoreWord(void* a, Word v, const __smp_site* s) {
  StoreT<T>(a, static_cast<T>(v), s);
}
Word LoadSized(const void* a, uint32_t size, const __smp_site* s) {
  switch (size) {
    case 8: return LoadWord<uint64_t>(a, s);
    case 4: return LoadWord<uint32_t>(a, s);
    case 2: return LoadWord<uint16_t>(a, s);
    default: return LoadWord<uint8_t>(a, s);
  }
}
void StoreSized(void* a, uint32_t size, Word v, const __smp_site* s) {
  switch (size) {
    case 8: return StoreWord<uint64_t>(a, v, s);
    case 4: return StoreWord<uint32_t>(a, v, s);
    case 2: return StoreWord<uint16_t>(a, v, s);
    default: return StoreWord<uint8_t>(a, v, s);
  }
}

// Copies n bytes; `src` null means "fill with `fill`".
void Move(void* dst, const void* src, uint8_t fill, uint64_t n,
          const __smp_site* site) {
  // Bytes no cell covers are written directly, in or outside a context.
  MarkGlobalsDirty(dst, n);
  Machine* m = Sees(dst);
  Machine* ms = src != nullptr ? Sees(src) : nullptr;
  if (m == nullptr) m = ms;
  if (m == nullptr || HwState::Of(*m).in_device()) {
    if (src != nullptr) {
      std::memmove(dst, src, n);
    } else {
      std::memset(dst, fill, n);
    }
    // Outside a context or from a device: keep cells over the destination
    // in step (PlainStore's rule).
    if (Machine* cur = HwState::Current(); cur != nullptr && cur->extension() != nullptr) {
      HwState& h = HwState::Of(*cur);
      if (cur->in_context() && !h.in_device()) return;
      for (uint64_t i = 0; i < n; ++i) {
        char* p = static_cast<char*>(dst) + i;
        AddrCell* c = h.FindCell(p);
        if (c == nullptr) continue;
        const Word w = ReadBytes(p, c->size());
        if (cur->in_context()) {
          cur->DeviceStore(*c, w, LocOf(site));
        } else {
          c->SetOutside(w);
        }
      }
    }
    return;
  }
  HwState& h = HwState::Of(*m);
  bool touched = false;
  char* d = static_cast<char*>(dst);
  const char* sp = static_cast<const char*>(src);
  for (uint64_t i = 0; i < n;) {
    AddrCell* dc = Sees(d + i) != nullptr ? h.FindCell(d + i) : nullptr;
    AddrCell* sc = (src != nullptr && Sees(sp + i) != nullptr) ? h.FindCell(sp + i) : nullptr;
    uint32_t size = dc != nullptr ? dc->size() : sc != nullptr ? sc->size() : 1;
    if (i + size > n) size = 1;
    const bool via = dc != nullptr || sc != nullptr;
    if (via) {
      touched = true;
      const Word v = src != nullptr ? LoadSized(sp + i, size, site)
                                    : fill * 0x0101010101010101ULL;
      StoreSized(d + i, size, v, site);
    } else if (src != nullptr) {
      d[i] = sp[i];
    } else {
      d[i] = static_cast<char>(fill);
    }
    i += size;
  }
  if (!touched) m->Yield(LocOf(site));
}
}  // namespace
}  // namespace smp::hw

using smp::hw::AtomicLoadT;
using smp::hw::AtomicStoreT;
using smp::hw::CasT;
using smp::hw::LoadT;
using smp::hw::RmwT;
using smp::hw::StoreT;

extern "C" {

#define SMP_ACCESS_ABI(N, T)                                                     \
  T __smp_load_##N(const void* a, const __smp_site* s) { return LoadT<T>(a, s); } \
  void __smp_store_##N(void* a, T v, const __smp_site* s) { StoreT<T>(a, v, s); } \
  T __smp_atomic_load_##N(const void* a, int32_t o, const __smp_site* s) {       \
    return AtomicLoadT<T>(a, o, s);                                              \
  }                                                                              \
  void __smp_atomic_store_##N(void* a, T v, int32_t o, const __smp_site* s) {    \
    AtomicStoreT<T>(a, v, o, s);                                                 \
  }                                                                              \
  T __smp_atomic_cas_##N(void* a, T e, T d, int32_t o, const __smp_site* s) {    \
    return CasT<T>(a, e, d, o, s);                                               \
  }                                                                              \
  T __smp_atomic_rmw_##N(void* a, int32_t op, T v, int32_t o, const __smp_site* s) { \
    return RmwT<T>(a, op, v, o, s);                                              \
  }

SMP_ACCESS_ABI(1, uint8_t)
SMP_ACCESS_ABI(2, uint16_t)
SMP_ACCESS_ABI(4, uint32_t)
SMP_ACCESS_ABI(8, uint64_t)
#undef SMP_ACCESS_ABI

void __smp_fence(int32_t order, const __smp_site* s) {
  smp::Machine* m = smp::Machine::Running();
  if (m == nullptr || !m->in_context()) return;
  const smp::Barrier kind = order == 4   ? smp::Barrier::kAcquire
                            : order == 5 ? smp::Barrier::kRelease
                            : order == 6 ? smp::Barrier::kSync
                                         : smp::Barrier::kSync;
  m->Membar(kind, smp::Loc{s->file, s->line});
}

void __smp_memcpy(void* d, const void* src, uint64_t n, const __smp_site* s) {
  smp::hw::Move(d, src, 0, n, s);
}

void __smp_memmove(void* d, const void* src, uint64_t n, const __smp_site* s) {
  smp::hw::Move(d, src, 0, n, s);
}

void __smp_memset(void* d, int32_t byte, uint64_t n, const __smp_site* s) {
  smp::hw::Move(d, nullptr, static_cast<uint8_t>(byte), n, s);
}

}  // extern "C"
