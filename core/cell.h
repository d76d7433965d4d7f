// Shared memory cells: every location more than one context touches.
//
// A Shared<T> is one machine word of simulated memory with a name and a
// small id. Every access through Load/Store/Cas/Swap/FetchAdd is a
// scheduling point (before it takes effect) and is traced with its caller's
// file:line. Peek/Poke are not scheduling points and are not traced: for
// set-up and final checks (Peek from running code sees its CPU's view;
// Poke writes memory, under any buffered store of that CPU to the cell,
// and wakes no context spinning on it).
//
// A cell's value is what memory holds (what every CPU sees once stores
// have drained); how weak the memory around it is, is core/memory.h's
// (Machine::Options::memory_model: SC, TSO, PSO or relaxed). Atomic
// read-modify-writes are atomic and, as in atomic_ops(3), the plain ones
// promise no ordering of other accesses (the _acq/_rel ones below order
// as FreeBSD's do).
//
// A cell may mirror real memory (hw/: a plain C field seen through
// instrumentation): every value committed to it is then also written to
// those bytes, so code outside the machine reads the same memory.
#ifndef SMPFUZZ_CORE_CELL_H_
#define SMPFUZZ_CORE_CELL_H_

#include <cstdint>
#include <string>
#include <type_traits>

#include "core/loc.h"
#include "core/machine.h"

namespace smp {

class CellBase {
 public:
  CellBase(Machine& m, std::string name, Word init)
      : m_(&m), value_(init), id_(m.RegisterCell(std::move(name), this)) {}
  // A cell named by `namer` when its name is first read
  // (Machine::RegisterCell).
  CellBase(Machine& m, Machine::CellNamer namer, Word init)
      : m_(&m), value_(init), id_(m.RegisterCell(namer, this)) {}
  CellBase(const CellBase&) = delete;
  CellBase& operator=(const CellBase&) = delete;

  int id() const { return id_; }
  Machine& machine() const { return *m_; }
  // The current value, without a scheduling point: set-up and checks only.
  Word PeekWord() const { return m_->PeekValue(*this); }

 protected:
  friend class Machine;
  // Writes the committed value to the mirrored bytes (little-endian, the
  // low `mirror_size_` bytes of the word).
  void Mirror() const {
    switch (mirror_size_) {  // fixed sizes: inline moves, not a libc call
      case 1: __builtin_memcpy(mirror_, &value_, 1); break;
      case 2: __builtin_memcpy(mirror_, &value_, 2); break;
      case 4: __builtin_memcpy(mirror_, &value_, 4); break;
      default: __builtin_memcpy(mirror_, &value_, 8); break;
    }
  }

  Machine* m_;
  Word value_;
  int id_;
  int waiters_ = 0;  // contexts spinning on this cell
  void* mirror_ = nullptr;  // constant after construction; null: none
  uint32_t mirror_size_ = 0;
};

template <typename T>
class Shared : public CellBase {
  static_assert(std::is_integral_v<T> || std::is_enum_v<T>,
                "Shared<T> holds integers and enums: pointer values must not "
                "reach traces or decisions (use indices)");

 public:
  Shared(Machine& m, std::string name, T init = T{})
      : CellBase(m, std::move(name), ToWord(init)) {}

  // Scheduling point.
  T Load(Loc loc = Loc::Here()) const { return FromWord(m_->Load(*this, loc)); }
  // Scheduling point.
  void Store(T v, Loc loc = Loc::Here()) { m_->Store(*this, ToWord(v), loc); }
  // Scheduling point. Atomic compare-and-swap; true iff it stored.
  bool Cas(T expected, T desired, Loc loc = Loc::Here()) {
    return m_->Cas(*this, ToWord(expected), ToWord(desired), loc) ==
           ToWord(expected);
  }
  // Scheduling points. The same with acquire / release ordering, as
  // FreeBSD's atomic_load_acq, atomic_store_rel, atomic_cmpset_acq/_rel.
  T LoadAcquire(Loc loc = Loc::Here()) const {
    return FromWord(m_->Load(*this, loc, Order::kAcquire));
  }
  void StoreRelease(T v, Loc loc = Loc::Here()) {
    m_->Store(*this, ToWord(v), loc, Order::kRelease);
  }
  bool CasAcquire(T expected, T desired, Loc loc = Loc::Here()) {
    return m_->Cas(*this, ToWord(expected), ToWord(desired), loc,
                   Order::kAcquire) == ToWord(expected);
  }
  bool CasRelease(T expected, T desired, Loc loc = Loc::Here()) {
    return m_->Cas(*this, ToWord(expected), ToWord(desired), loc,
                   Order::kRelease) == ToWord(expected);
  }
  // Scheduling point. Atomic swap; returns the old value.
  T Swap(T v, Loc loc = Loc::Here()) {
    return FromWord(m_->Swap(*this, ToWord(v), loc));
  }
  // Scheduling point. Atomic add; returns the old value.
  T FetchAdd(T delta, Loc loc = Loc::Here()) {
    return FromWord(m_->FetchAdd(*this, ToWord(delta), loc));
  }
  // Blocking scheduling point: spin (cpu_spinwait) while the cell holds v.
  void SpinWhile(T v, Loc loc = Loc::Here()) const {
    m_->SpinWhile(*this, ToWord(v), loc);
  }

  // Not scheduling points: for set-up and final checks. From a running
  // context Peek sees what that context's CPU sees (its own buffered
  // store first) and both count as hidden accesses (Machine::PeekValue).
  T Peek() const { return FromWord(m_->PeekValue(*this)); }
  void Poke(T v) {
    m_->NoteHiddenAccess();
    value_ = ToWord(v);
  }

 private:
  static Word ToWord(T v) {
    if constexpr (std::is_enum_v<T>) {
      return static_cast<Word>(static_cast<std::underlying_type_t<T>>(v));
    } else {
      return static_cast<Word>(v);
    }
  }
  static T FromWord(Word w) { return static_cast<T>(w); }
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_CELL_H_
