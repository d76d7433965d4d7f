#include "hw/hw_state.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

#include "core/lockdep.h"

namespace smp::hw {

thread_local Machine* HwState::bound_ = nullptr;

namespace {

std::vector<GlobalVar>& MutableGlobals() {
  static auto* globals = new std::vector<GlobalVar>();
  return *globals;
}
bool g_sorted = false;
// Dirty bookkeeping: which globals RestoreGlobals must copy back. All of
// them until the first restore (and after any registration).
bool g_all_dirty = true;
std::vector<uint8_t>& DirtyFlags() {
  static auto* flags = new std::vector<uint8_t>();
  return *flags;
}
// The global marked last (a store's neighbour is often in it), or empty.
uintptr_t g_last_dirty_lo = 0;
uintptr_t g_last_dirty_hi = 0;
std::vector<int>& DirtyList() {
  static auto* list = new std::vector<int>();
  return *list;
}
// MarkGlobalsDirty's search by exact address, direct-mapped: the index of
// the first global starting above it. Set-up stores to the same addresses
// in every execution. Emptied whenever the registry is sorted again.
struct AboveSlot {
  uintptr_t addr = ~uintptr_t{0};
  size_t above = 0;
};
constexpr size_t kAboveSlots = 32;
AboveSlot g_above[kAboveSlots];

// "+24": a byte offset into a region, as names show it.
std::string OffsetText(uintptr_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%lu", static_cast<unsigned long>(v));
  return buf;
}

// The index of the global holding `a`, or -1.
int GlobalAt(uintptr_t a) {
  const std::vector<GlobalVar>& g = Globals();
  auto it = std::upper_bound(g.begin(), g.end(), a,
                             [](uintptr_t x, const GlobalVar& v) { return x < v.region.lo; });
  if (it != g.begin() && a < std::prev(it)->region.hi) {
    return static_cast<int>(std::prev(it) - g.begin());
  }
  return -1;
}

}  // namespace

// What an OS thread keeps from one execution to the next: lent to one
// HwState at a time, returned (emptied) when it is destroyed.
struct HwState::Storage {
  // Cells are made in chunks that are never freed; an execution's cells
  // are destroyed with it and their room reused by the next.
  static constexpr size_t kChunk = 64;
  struct Chunk {
    alignas(AddrCell) unsigned char room[kChunk][sizeof(AddrCell)];
  };
  std::vector<std::unique_ptr<Chunk>> chunks;
  size_t cells_used = 0;
  CellTable table;
  // The cpu_info blocks and their regions ("cpu0", ...), block k always
  // CPU k's: zeroed before an execution uses them.
  std::vector<std::unique_ptr<char[]>> cpu_blocks;
  std::vector<Region> cpu_regions;
  // The index in Globals() of the global holding an address RegionOf was
  // asked about (its shortcut): the registry is constant, so this holds
  // across executions, and it grows only with addresses of globals.
  std::unordered_map<uintptr_t, int> global_of;

  AddrCell* CellAt(size_t i) {
    return reinterpret_cast<AddrCell*>(chunks[i / kChunk]->room[i % kChunk]);
  }
};

namespace {
// Leaked on purpose: a Machine destroyed late in its thread's exit must
// still find it.
std::vector<HwState::Storage*>& FreeStorage() {
  static thread_local auto* free_list = new std::vector<HwState::Storage*>();
  return *free_list;
}
// Room for HwState objects (their own operator new): one execution's is
// the next one's, without a trip through malloc for 1.5 KB.
std::vector<void*>& SpareStates() {
  static thread_local auto* spare = new std::vector<void*>();
  return *spare;
}
}  // namespace

HwState::Storage* HwState::TakeStorage() {
  std::vector<Storage*>& free_list = FreeStorage();
  if (free_list.empty()) return new Storage();
  Storage* s = free_list.back();
  free_list.pop_back();
  return s;
}

void CellTable::Insert(uintptr_t a, AddrCell* c) {
  if ((used_.size() + 1) * 2 > slots_.size()) {
    std::vector<Entry> old(slots_.size() * 2);
    old.swap(slots_);
    std::vector<uint32_t> was;
    was.swap(used_);
    for (uint32_t i : was) Insert(old[i].addr, old[i].cell);
  }
  size_t i = Hash(a) & (slots_.size() - 1);
  while (slots_[i].cell != nullptr) i = (i + 1) & (slots_.size() - 1);
  slots_[i] = Entry{a, c};
  used_.push_back(static_cast<uint32_t>(i));
}

void CellTable::Clear() {
  for (uint32_t i : used_) slots_[i] = Entry{};
  used_.clear();
}

const std::vector<GlobalVar>& Globals() {
  std::vector<GlobalVar>& g = MutableGlobals();
  if (!g_sorted) {
    std::sort(g.begin(), g.end(), [](const GlobalVar& a, const GlobalVar& b) {
      return a.region.lo < b.region.lo;
    });
    for (AboveSlot& slot : g_above) slot = AboveSlot{};
    g_sorted = true;
  }
  return g;
}

void RestoreGlobals() {
  const std::vector<GlobalVar>& globals = Globals();
  std::vector<uint8_t>& flags = DirtyFlags();
  std::vector<int>& list = DirtyList();
  const auto restore = [&](size_t i) {
    const GlobalVar& g = globals[i];
    std::memcpy(reinterpret_cast<void*>(g.region.lo), g.initial.data(),
                g.initial.size());
  };
  if (g_all_dirty) {
    for (size_t i = 0; i < globals.size(); ++i) restore(i);
    flags.assign(globals.size(), 0);
    g_all_dirty = false;
  } else {
    for (int i : list) {
      restore(static_cast<size_t>(i));
      flags[i] = 0;
    }
  }
  list.clear();
  g_last_dirty_lo = g_last_dirty_hi = 0;
}

void MarkGlobalDirty(int index) {
  if (g_all_dirty) return;
  std::vector<uint8_t>& flags = DirtyFlags();
  // Sorted: RestoreGlobals ran since the last registration.
  const Region& r = MutableGlobals()[index].region;
  g_last_dirty_lo = r.lo;
  g_last_dirty_hi = r.hi;
  if (flags[index] != 0) return;
  flags[index] = 1;
  DirtyList().push_back(index);
}

void MarkGlobalsDirty(const void* addr, size_t n) {
  if (g_all_dirty || n == 0) return;
  const uintptr_t lo = reinterpret_cast<uintptr_t>(addr);
  if (lo >= g_last_dirty_lo && lo + n <= g_last_dirty_hi) return;  // marked already
  const std::vector<GlobalVar>& g = Globals();
  // The global holding lo, then every one starting inside the range.
  AboveSlot& slot = g_above[(lo >> 3) % kAboveSlots];
  if (slot.addr != lo) {
    slot.addr = lo;
    slot.above = static_cast<size_t>(
        std::upper_bound(g.begin(), g.end(), lo,
                         [](uintptr_t x, const GlobalVar& v) { return x < v.region.lo; }) -
        g.begin());
  }
  auto it = g.begin() + static_cast<std::ptrdiff_t>(slot.above);
  if (it != g.begin() && lo < std::prev(it)->region.hi) {
    MarkGlobalDirty(static_cast<int>(std::prev(it) - g.begin()));
  }
  for (; it != g.end() && it->region.lo - lo < n; ++it) {
    MarkGlobalDirty(static_cast<int>(it - g.begin()));
  }
}

void Unsupported(const char* file, int line, const std::string& what) {
  std::fprintf(stderr, "smpfuzz: error: %s:%d: %s\n", file, line, what.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

HwState& HwState::Create(Machine& m) {
  m.set_extension(std::make_unique<HwState>(m));
  return *static_cast<HwState*>(m.extension());
}

HwState::HwState(Machine& m)
    : m_(m), storage_(TakeStorage()), cells_(storage_->table) {
  RestoreGlobals();
}

void* HwState::CpuInfoFirst(int index) {
  // Zeroed on first use: most scenarios never ask.
  const size_t n = static_cast<size_t>(m_.num_cpus());
  std::vector<std::unique_ptr<char[]>>& blocks = storage_->cpu_blocks;
  while (blocks.size() < n) {
    constexpr size_t kSize = kCpuInfoSize;
    blocks.push_back(std::unique_ptr<char[]>(new char[kSize]));
    Region r;
    r.lo = reinterpret_cast<uintptr_t>(blocks.back().get());
    r.hi = r.lo + kSize;
    r.kind = Region::kCpuInfo;
    r.name = "cpu" + std::to_string(blocks.size() - 1);
    storage_->cpu_regions.push_back(std::move(r));
  }
  for (size_t k = 0; k < n; ++k) {
    std::memset(blocks[k].get(), 0, kCpuInfoSize);
    cpu_info_[k] = blocks[k].get();
  }
  cpu_info_count_ = n;
  return cpu_info_[index];
}

Lockdep* HwState::LockdepSlow() {
  const std::vector<Observer*>& obs = m_.observers();
  lockdep_ = Lockdep::Of(m_);
  if (obs.size() <= kSeenObservers) {
    std::copy(obs.begin(), obs.end(), lockdep_seen_);
    lockdep_seen_n_ = obs.size();
  } else {
    lockdep_seen_n_ = ~size_t{0};  // too many to compare: search every time
  }
  return lockdep_;
}

HwState::~HwState() {
  if (bound_ == &m_) bound_ = nullptr;
  for (size_t i = 0; i < storage_->cells_used; ++i) storage_->CellAt(i)->~AddrCell();
  storage_->cells_used = 0;
  cells_.Clear();
  FreeStorage().push_back(storage_);  // for the next execution on this thread
}

const Region* HwState::RegionOf(uintptr_t a, int* global) const {
  // Regions do not overlap and stay where they are for the execution: the
  // order of the searches is the cheapest, the region found last first (a
  // new cell is most often beside the one before).
  if (last_region_ != nullptr && a >= last_region_->lo && a < last_region_->hi) {
    if (global != nullptr) *global = last_global_;
    return last_region_;
  }
  const Region* found = nullptr;
  int gi = -1;
  for (size_t i = 0; i < cpu_info_count_ && found == nullptr; ++i) {
    const Region& r = storage_->cpu_regions[i];
    if (a >= r.lo && a < r.hi) found = &r;
  }
  if (found == nullptr) {
    auto known = storage_->global_of.find(a);
    if (known != storage_->global_of.end()) {
      gi = known->second;
    } else {
      gi = GlobalAt(a);
      if (gi >= 0) storage_->global_of.emplace(a, gi);
    }
    if (gi >= 0) found = &Globals()[gi].region;
  }
  if (found == nullptr) {
    auto k = kmem_.upper_bound(a);
    if (k != kmem_.begin() && a < std::prev(k)->second.hi) found = &std::prev(k)->second;
  }
  if (global != nullptr) *global = gi;
  if (found != nullptr) {
    last_region_ = found;
    last_global_ = gi;
  }
  return found;
}

void* HwState::operator new(size_t size) {
  std::vector<void*>& spare = SpareStates();
  if (size == sizeof(HwState) && !spare.empty()) {
    void* p = spare.back();
    spare.pop_back();
    return p;
  }
  return ::operator new(size);
}

void HwState::operator delete(void* p, size_t size) {
  std::vector<void*>& spare = SpareStates();
  if (size == sizeof(HwState) && spare.size() < 4) {
    spare.push_back(p);
    return;
  }
  ::operator delete(p);
}

AddrCell* HwState::NewCell(const Region* r, const char* what, const void* addr,
                           uint32_t size) {
  Storage& s = *storage_;
  if (s.cells_used == s.chunks.size() * Storage::kChunk) {
    s.chunks.push_back(std::make_unique<Storage::Chunk>());
  }
  void* room = s.chunks[s.cells_used / Storage::kChunk]->room[s.cells_used % Storage::kChunk];
  ++s.cells_used;
  AddrCell* c =
      new (room) AddrCell(m_, r, what, const_cast<void*>(addr), size, ReadBytes(addr, size));
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  cells_.Insert(a, c);
  uintptr_t& none = no_cell_[NoCellSlotOf(a)];
  if (none == a) none = ~uintptr_t{0};
  return c;
}

std::string HwState::DescribeAddress(Word address) const {
  if (address == 0) return "NULL";
  const uintptr_t a = static_cast<uintptr_t>(address);
  if (const Region* r = RegionOf(a)) {  // freed or not: a dangling pointer too
    return "&" + r->name + (a == r->lo ? std::string() : OffsetText(a - r->lo));
  }
  if (m_.in_context() && m_.OnContextStack(reinterpret_cast<const void*>(a))) {
    return "&(stack)";
  }
  return "&(outside)";  // code, or memory the machine does not see
}

void HwState::Refuse(const __smp_site* site, const std::string& what) const {
  Unsupported(site->file, site->line, what);
}

AddrCell* HwState::CellSlow(const void* addr, uint32_t size,
                            const __smp_site* site) {
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    Refuse(site, "a location of " + std::to_string(size) +
                     " bytes: the machine sees 1-, 2-, 4- and 8-byte locations");
  }
  const uintptr_t a = reinterpret_cast<uintptr_t>(addr);
  int global = -1;
  const Region* r = RegionOf(a, &global);
  if (r == nullptr && a < 4096) {
    char* msg = scratch_;
    std::snprintf(msg, kScratch, "NULL pointer dereference (%s)",
                  site->what[0] != '\0' ? site->what : "an access");
    m_.AssertionFailed("pointer != NULL", msg, Loc{site->file, site->line});
    return nullptr;  // not reached from a context
  }
  if (r == nullptr) {
    Refuse(site, std::string("access to ") +
                     (site->what[0] != '\0' ? site->what : "memory") +
                     " that is neither this context's stack, a global of the "
                     "target, nor memory from kmem_alloc: allocate shared "
                     "data with kmem_alloc(9) or make it a global");
  }
  if (r->freed) {
    char* msg = scratch_;
    std::snprintf(msg, kScratch, "access to %s after kmem_free",
                  site->what[0] != '\0' ? site->what : r->name.c_str());
    m_.AssertionFailed("use after free", msg, Loc{site->file, site->line});
    return nullptr;  // not reached from a context
  }
  if (a + size > r->hi) {
    Refuse(site, "a " + std::to_string(size) + "-byte access past the end of " +
                     r->name);
  }
  if (AddrCell* c = cells_.Find(a); c != nullptr && c->size() == size) {
    cache_[SlotOf(a)] = Slot{a, c};
    return c;
  } else if (c != nullptr) {
    Refuse(site, std::string("mixed-size access: ") + std::to_string(size) +
                     "-byte access to " + c->machine().cell_name(c->id()) +
                     ", which is accessed with " + std::to_string(c->size()) +
                     " bytes elsewhere; access a location with one size");
  }
  // Overlap with a neighbour? Cells are at most 8 bytes and do not
  // overlap one another: the nearest cell above `a` that starts inside
  // the access, else the nearest below that reaches into it.
  for (uintptr_t b = a + 1; b < a + size; ++b) {
    if (AddrCell* next = cells_.Find(b)) {
      Refuse(site, "mixed-size access overlapping " + m_.cell_name(next->id()) +
                       "; access a location with one size");
    }
  }
  for (uintptr_t b = a - 1; b + 8 > a && b < a; --b) {
    if (AddrCell* prev = cells_.Find(b)) {
      if (b + prev->size() > a) {
        Refuse(site, "mixed-size access overlapping " + m_.cell_name(prev->id()) +
                         "; access a location with one size");
      }
      break;
    }
  }
  if (global >= 0) MarkGlobalDirty(global);
  AddrCell* c = NewCell(r, site->what, addr, size);
  cache_[SlotOf(a)] = Slot{a, c};
  return c;
}

std::string AddrCell::NameOf(const CellBase& cell) {
  const AddrCell& c = static_cast<const AddrCell&>(cell);
  // The lock word's cell is named after the lock, as a C++ lock's is.
  if (c.region_ == nullptr) return c.machine().lock_name(c.lock_id) + ".word";
  const Region* r = c.region_;
  const char* what = c.what_;
  const uintptr_t a = reinterpret_cast<uintptr_t>(c.mirror_);
  std::string name;
  if (r->kind != Region::kKmem && what[0] != '\0' &&
      std::strncmp(what, r->name.c_str(), r->name.size()) == 0 &&
      std::strchr(what, '[') == nullptr) {
    name = what;  // "fxp0.sc_txpending": the global's own name leads
  } else if (r->kind == Region::kKmem && what[0] != '\0' &&
             std::strstr(what, "[]") == nullptr) {
    name = what;  // "sc->sc_txpending"
  } else if (r->kind == Region::kCpuInfo && std::strstr(what, "->") != nullptr &&
             std::strchr(what, '[') == nullptr) {
    // "ci->ci_data.cpu_ipending" on CPU 0: "cpu0.ci_data.cpu_ipending".
    name = r->name + "." + (std::strstr(what, "->") + 2);
  } else {
    name = r->name + (a == r->lo ? std::string() : OffsetText(a - r->lo));
    // Reached through a pointer ("cv->cv_gen" into global uart0): the
    // expression says which field, the offset which instance.
    if (what[0] != '\0' && std::strchr(what, '[') == nullptr &&
        std::strstr(what, "->") != nullptr) {
      name += std::string(" (") + what + ")";
    }
  }
  return name;
}

void* HwState::KmemAlloc(size_t size, bool zero, Loc loc) {
  const size_t n = size == 0 ? 1 : size;
  kmem_blocks_.push_back(std::unique_ptr<char[]>(new char[n]));
  char* p = kmem_blocks_.back().get();
  if (zero) {
    std::memset(p, 0, n);
  } else {
    std::memset(p, 0xa5, n);  // deterministic garbage, as the pool's
  }
  Region r;
  r.lo = reinterpret_cast<uintptr_t>(p);
  r.hi = r.lo + n;
  r.kind = Region::kKmem;
  r.name = "kmem#" + std::to_string(++kmem_count_);
  r.loc = loc;
  kmem_[r.lo] = std::move(r);
  return p;
}

void HwState::KmemFree(void* p, size_t size, Loc loc) {
  auto it = kmem_.find(reinterpret_cast<uintptr_t>(p));
  if (it == kmem_.end() || it->second.freed) {
    std::string msg = "kmem_free of memory not from kmem_alloc, or freed twice";
    m_.AssertionFailed("kmem_free", msg.c_str(), loc);
    return;
  }
  if (it->second.hi - it->second.lo != (size == 0 ? 1 : size)) {
    m_.AssertionFailed("kmem_free", "kmem_free with a size other than allocated", loc);
    return;
  }
  it->second.freed = true;
  ++freed_;
}

int HwState::CpuIndexOf(const void* ci) const {
  for (size_t k = 0; k < cpu_info_count_; ++k) {
    if (storage_->cpu_blocks[k].get() == ci) return static_cast<int>(k);
  }
  return -1;
}

int HwState::DeclareLock(const void* word, uint32_t size, const char* name) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(word);
  if (AddrCell* c = FindCell(word); c != nullptr && c->lock_id >= 0) return c->lock_id;
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    Unsupported("?", 0, "smp_lock_declare(\"" + std::string(name) + "\"): a lock word of " +
                            std::to_string(size) + " bytes (1, 2, 4 or 8)");
  }
  AddrCell* c = FindCell(word);
  if (c == nullptr) {
    int global = -1;
    const Region* r = RegionOf(a, &global);
    if (r == nullptr) {
      Unsupported("?", 0, "smp_lock_declare(\"" + std::string(name) +
                              "\"): the lock word is not shared memory "
                              "(a global or kmem_alloc)");
    }
    if (global >= 0) MarkGlobalDirty(global);
    c = NewCell(nullptr, "", word, size);  // named after the lock
  }
  c->lock_id = m_.AddLock(name, *c);
  return c->lock_id;
}

void HwState::NotALock(Loc loc) {
  Unsupported(loc.file, loc.line,
              "lock annotation for a lock that smp_lock_declare never named");
}

int HwState::ChannelOf(const void* wchan, const char* name) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(wchan);
  auto it = chans_.find(a);
  if (it != chans_.end()) return it->second;
  std::string n;
  if (name != nullptr) {
    n = name;
  } else if (const AddrCell* c = FindCell(wchan)) {
    n = m_.cell_name(c->id());
  } else if (const Region* r = RegionOf(a)) {
    n = r->name + (a == r->lo ? std::string() : OffsetText(a - r->lo));
  } else {
    n = "wchan#" + std::to_string(chans_.size() + 1);
  }
  const int id = m_.AddChannel(std::move(n));
  chans_[a] = id;
  return id;
}

int HwState::AttachDevice(const char* name, const smp_device_ops* ops, void* dev) {
  devices_.push_back(Device{name, ops, dev});
  return static_cast<int>(devices_.size());  // handles start at 1
}

const HwState::Device* HwState::device(int handle) const {
  if (handle < 1 || handle > static_cast<int>(devices_.size())) return nullptr;
  return &devices_[handle - 1];
}

}  // namespace smp::hw

// The instrumentation's module constructors register every global.
extern "C" void __smp_register_global(void* addr, uint64_t size, const char* name,
                                      const char* file, int32_t line) {
  smp::hw::GlobalVar g;
  g.region.lo = reinterpret_cast<uintptr_t>(addr);
  g.region.hi = g.region.lo + (size == 0 ? 1 : size);
  g.region.kind = smp::hw::Region::kGlobal;
  g.region.name = name;
  g.region.loc = smp::Loc{file, line};
  g.initial.assign(static_cast<unsigned char*>(addr),
                   static_cast<unsigned char*>(addr) + size);
  smp::hw::MutableGlobals().push_back(std::move(g));
  smp::hw::g_sorted = false;
  smp::hw::g_all_dirty = true;  // indices move when the registry is sorted
}
