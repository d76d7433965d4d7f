// The per-execution state behind the C hardware interface (hw/include):
// which plain memory target C may share, the cells that stand for it, the
// locks, channels and devices it declared.
//
// Memory that target C shares is of three kinds, each a Region:
//  - globals of the target (registered once per process by the
//    instrumentation's module constructors, restored to their initial
//    bytes before every execution);
//  - kmem_alloc'ed blocks (this execution's, freed with it);
//  - the struct cpu_info blocks (this execution's, zeroed).
// A context's own stack is private. Anything else is refused.
//
// A shared location becomes a cell (an AddrCell, mirroring its bytes) on
// its first access, so cells are numbered in first-access order: the same
// schedule gives the same ids. A cell covers one access size at one
// address; an access that overlaps a cell at another address or size is
// refused (mixed-size access).
//
// What does not depend on the execution is kept from one execution to the
// next on the same OS thread (HwState::Storage): the cpu_info blocks
// (zeroed, not remade), the storage of the cells and of the address table
// (emptied, not freed), and which global holds an address a cell was made
// at (a cache: the registry of globals is constant). Globals are restored
// only where this process wrote them since the last restore
// (MarkGlobalsDirty). A cell's name is made only when a trace or a report
// reads it (AddrCell), from its region and its first access's expression,
// which determine it: the same name naming it at once would give.
//
// Binding: C code has no Machine& to pass, so the state is found through
// Machine::Running() while the machine runs, and through the machine whose
// scenario is being declared (Bind) before it runs and in its final check.
// One execution at a time per OS thread. Nothing here decides anything:
// lookups by address are never iterated.
#ifndef SMPFUZZ_HW_HW_STATE_H_
#define SMPFUZZ_HW_HW_STATE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"
#include "hw/include/smp/device.h"

extern "C" struct __smp_site {
  const char* file;
  int32_t line;
  int32_t flags;  // bit 0: volatile; bit 1: the value is a pointer
  const char* what;
};
constexpr int32_t kSitePointer = 2;

namespace smp {
class Lockdep;
}  // namespace smp

namespace smp::hw {

struct Region {
  enum Kind : uint8_t { kGlobal, kKmem, kCpuInfo };
  uintptr_t lo = 0;
  uintptr_t hi = 0;  // one past the end
  Kind kind = kGlobal;
  bool freed = false;
  std::string name;
  Loc loc;  // where it was declared or allocated
};

// A cell standing for `size` bytes of plain memory at `addr`.
class AddrCell : public CellBase {
 public:
  // Named when a trace or report first reads the name, from what
  // determines it: `region` (which holds `addr` and outlives the cell) and
  // `what`, the expression of the first access (a static string); or, with
  // no region, a lock word's: "LOCK.word", after lock_id's lock (set
  // before the name can be read).
  AddrCell(Machine& m, const Region* region, const char* what, void* addr, uint32_t size,
           Word init)
      : CellBase(m, &AddrCell::NameOf, init), region_(region), what_(what) {
    mirror_ = addr;
    mirror_size_ = size;
  }
  uint32_t size() const { return mirror_size_; }
  // The lock whose word this is (smp_lock_declare), or -1.
  int lock_id = -1;
  // A store made outside any context (set-up, final check): memory only.
  void SetOutside(Word v) {
    value_ = v;
    Mirror();
  }

 private:
  static std::string NameOf(const CellBase& cell);  // hw_state.cc
  const Region* region_ = nullptr;
  const char* what_ = "";
};

// Reads `size` bytes at `p` as a zero-extended word.
inline Word ReadBytes(const void* p, uint32_t size) {
  Word w = 0;
  switch (size) {  // fixed sizes: inline moves, not a libc call
    case 1: __builtin_memcpy(&w, p, 1); break;
    case 2: __builtin_memcpy(&w, p, 2); break;
    case 4: __builtin_memcpy(&w, p, 4); break;
    default: __builtin_memcpy(&w, p, 8); break;
  }
  return w;
}

// Address -> cell, open addressing, for one execution at a time: Clear
// empties it and keeps its storage for the next. Never iterated.
class CellTable {
 public:
  CellTable() : slots_(kInitial) {}
  AddrCell* Find(uintptr_t a) const {
    for (size_t i = Hash(a) & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const Entry& e = slots_[i];
      if (e.cell == nullptr) return nullptr;
      if (e.addr == a) return e.cell;
    }
  }
  // REQUIRES: no cell at `a`.
  void Insert(uintptr_t a, AddrCell* c);
  void Clear();

 private:
  struct Entry {
    uintptr_t addr = 0;
    AddrCell* cell = nullptr;  // null: empty
  };
  static constexpr size_t kInitial = 256;
  static size_t Hash(uintptr_t a) {
    return static_cast<size_t>((a * 0x9e3779b97f4a7c15ULL) >> 40);
  }
  std::vector<Entry> slots_;  // a power of two, at most half full
  std::vector<uint32_t> used_;  // the slots filled since Clear
};

// The size of each CPU's struct cpu_info block (SMP_CPU_INFO_SIZE).
inline constexpr size_t kCpuInfoSize = 1024;

class HwState : public Machine::Extension {
 public:
  // The state of `m`, made on first use (which restores the target's
  // globals and makes the cpu_info blocks).
  static HwState& Of(Machine& m) {
    if (__builtin_expect(m.extension() != nullptr, true)) {
      return *static_cast<HwState*>(m.extension());
    }
    return Create(m);
  }
  // The machine target C talks to now, or null: Machine::Running(), else
  // the bound one.
  static Machine* Current() {
    Machine* m = Machine::Running();
    return m != nullptr ? m : bound_;
  }
  // Makes `m` the machine target C talks to outside Run (set-up and final
  // check of a C scenario). Unbound when its state is destroyed.
  static void Bind(Machine* m) { bound_ = m; }

  explicit HwState(Machine& m);
  ~HwState() override;
  // One per execution: the room is kept for the next (hw_state.cc).
  static void* operator new(size_t size);
  static void operator delete(void* p, size_t size);

  // What an OS thread keeps from one execution to the next (hw_state.cc).
  struct Storage;

  Machine& machine() const { return m_; }
  // "NULL", "&g_sc", "&kmem#2+8", "&cpu1", or "&(stack)", "&(outside)".
  std::string DescribeAddress(Word address) const override;

  // The cell for a `size`-byte access at `addr` from a running context.
  // Refuses (does not return) memory that is not shared or a mixed-size
  // access; an access to freed kmem is an assertion verdict.
  AddrCell* CellFor(const void* addr, uint32_t size, const __smp_site* site) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    Slot& slot = cache_[SlotOf(a)];
    if (__builtin_expect(slot.addr == a && slot.cell->size() == size && freed_ == 0, true)) {
      return slot.cell;
    }
    if (freed_ == 0) {
      if (AddrCell* c = cells_.Find(a); c != nullptr && c->size() == size) {
        slot = Slot{a, c};
        return c;
      }
    }
    return CellSlow(addr, size, site);
  }
  // The value of the `size`-byte location at `addr` as the running
  // context's CPU sees it (its own newest store, buffered or not), or the
  // memory's bytes if it has no cell yet. Not a scheduling point.
  Word PeekAt(const void* addr, uint32_t size) {
    // Configuration words (mutex(9)'s, spl's) are peeked on every
    // operation and never become cells: remember where no cell is.
    const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    uintptr_t& none = no_cell_[NoCellSlotOf(a)];
    if (none == a) return ReadBytes(addr, size);
    AddrCell* c = FindCell(addr);
    if (c != nullptr) return m_.PeekValue(*c);
    none = a;
    return ReadBytes(addr, size);
  }
  // The existing cell at `addr` or null (outside contexts).
  AddrCell* FindCell(const void* addr) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    Slot& slot = cache_[SlotOf(a)];
    if (slot.addr == a) return slot.cell;
    AddrCell* c = cells_.Find(a);
    if (c != nullptr) slot = Slot{a, c};
    return c;
  }

  void* KmemAlloc(size_t size, bool zero, Loc loc);
  void KmemFree(void* p, size_t size, Loc loc);
  // The cpu_info block of CPU `index`, made (zeroed) on first use.
  // REQUIRES: 0 <= index < the machine's number of CPUs.
  void* CpuInfo(int index) {
    if (__builtin_expect(cpu_info_count_ != 0, true)) return cpu_info_[index];
    return CpuInfoFirst(index);
  }
  int CpuIndexOf(const void* ci) const;

  // The wait channel named by address `wchan`, made (and named `name`, or
  // after the location) on first use.
  int ChannelOf(const void* wchan, const char* name);

  int DeclareLock(const void* word, uint32_t size, const char* name);
  int LockOf(const void* word, Loc loc) {
    const AddrCell* c = FindCell(word);
    if (__builtin_expect(c != nullptr && c->lock_id >= 0, true)) return c->lock_id;
    NotALock(loc);
  }

  int AttachDevice(const char* name, const smp_device_ops* ops, void* dev);
  struct Device {
    std::string name;
    const smp_device_ops* ops;
    void* dev;
  };
  const Device* device(int handle) const;
  // smp_readonly: locations that stay constant for the rest of the
  // execution. A load of one is a plain read (no point, no trace line).
  void AddReadonly(uintptr_t lo, uintptr_t hi) { readonly_.push_back({lo, hi}); }
  bool HasReadonly() const { return !readonly_.empty(); }
  bool IsReadonly(const void* addr, uint32_t size) const {
    const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
    for (const auto& [lo, hi] : readonly_) {
      if (a >= lo && a + size <= hi) return true;
    }
    return false;
  }
  // Lockdep::Of(machine()) (null: off), searched for again only when the
  // machine's observers are not those of the last search: mutex(9) asks on
  // every lock it wants.
  Lockdep* lockdep() {
    const std::vector<Observer*>& obs = m_.observers();
    if (__builtin_expect(obs.size() == lockdep_seen_n_, true)) {
      size_t i = 0;
      while (i < obs.size() && obs[i] == lockdep_seen_[i]) ++i;
      if (i == obs.size()) return lockdep_;
    }
    return LockdepSlow();
  }
  // While a device callback runs its accesses are the device's: plain.
  bool in_device() const { return in_device_ != 0; }
  void EnterDevice() { ++in_device_; }
  void ExitDevice() { --in_device_; }

  // Formatting scratch for messages built on a fiber's stack.
  char* scratch() { return scratch_; }
  static constexpr size_t kScratch = 512;

 private:
  static HwState& Create(Machine& m);
  [[noreturn]] static void NotALock(Loc loc);
  static Storage* TakeStorage();
  // A cell for `size` bytes at `addr`, starting from them, in the table,
  // named (when its name is read) after region `r` and the first access's
  // expression `what`, or with `r` null after its lock (AddrCell).
  AddrCell* NewCell(const Region* r, const char* what, const void* addr, uint32_t size);
  AddrCell* CellSlow(const void* addr, uint32_t size, const __smp_site* site);
  // A direct-mapped cache in front of cells_: most accesses hit it.
  struct Slot {
    uintptr_t addr = ~uintptr_t{0};  // no access is at the top address
    AddrCell* cell = nullptr;
  };
  static constexpr int kSlots = 64;
  static size_t SlotOf(uintptr_t a) { return (a >> 2) & (kSlots - 1); }
  Slot cache_[kSlots];
  // Addresses PeekAt found no cell at, direct-mapped; a new cell clears
  // its address's entry (NewCell).
  static constexpr int kNoCellSlots = 16;
  static size_t NoCellSlotOf(uintptr_t a) { return (a >> 2) & (kNoCellSlots - 1); }
  uintptr_t no_cell_[kNoCellSlots] = {~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0},
                                      ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0},
                                      ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0},
                                      ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0}, ~uintptr_t{0}};
  void* CpuInfoFirst(int index);
  Lockdep* LockdepSlow();
  static constexpr size_t kSeenObservers = 4;
  Observer* lockdep_seen_[kSeenObservers] = {};
  size_t lockdep_seen_n_ = ~size_t{0};  // none seen yet: never equal
  Lockdep* lockdep_ = nullptr;
  void* cpu_info_[kMaxCpus] = {};  // the blocks in use, once made
  // The region holding `a` (freed kmem too), or null; for a global, its
  // index in Globals() in *global (else -1).
  const Region* RegionOf(uintptr_t a, int* global = nullptr) const;
  mutable const Region* last_region_ = nullptr;  // RegionOf's last answer
  mutable int last_global_ = -1;                 // and its global index
  [[noreturn]] void Refuse(const __smp_site* site, const std::string& what) const;

  static thread_local Machine* bound_;

  Machine& m_;
  Storage* const storage_;                            // this thread's, lent
  CellTable& cells_;                                  // storage_'s
  size_t cpu_info_count_ = 0;                         // blocks in use
  std::map<uintptr_t, Region> kmem_;                  // by lo
  std::vector<std::unique_ptr<char[]>> kmem_blocks_;
  int kmem_count_ = 0;
  int freed_ = 0;                                     // kmem blocks freed
  std::unordered_map<uintptr_t, int> chans_;          // wchan -> channel id
  std::vector<Device> devices_;
  int in_device_ = 0;
  std::vector<std::pair<uintptr_t, uintptr_t>> readonly_;  // [lo, hi)
  char scratch_[kScratch];
};

// The registry of target globals, filled by the instrumentation's module
// constructors at program start and constant afterwards.
struct GlobalVar {
  Region region;
  std::vector<unsigned char> initial;
};
const std::vector<GlobalVar>& Globals();  // sorted by address
// Restores every global written since the last restore to its initial
// bytes. The globals are the process's memory and this bookkeeping is the
// process's with them: executions on two OS threads at once would share
// both.
void RestoreGlobals();
// Notes that [addr, addr+n) may be written outside a cell of the running
// execution (every cell's global is noted when the cell is made): a
// write the next RestoreGlobals must undo. Not a global: nothing.
void MarkGlobalsDirty(const void* addr, size_t n);
// The same for the global of index `index` in Globals().
void MarkGlobalDirty(int index);

// Ends the process with a message naming file:line: target code did
// something the machine cannot follow (not a finding about the target).
[[noreturn]] void Unsupported(const char* file, int line, const std::string& what);

}  // namespace smp::hw

#endif  // SMPFUZZ_HW_HW_STATE_H_
