#include "hw/hw_state.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace smp::hw {

thread_local Machine* HwState::bound_ = nullptr;

namespace {

std::vector<GlobalVar>& MutableGlobals() {
  static auto* globals = new std::vector<GlobalVar>();
  return *globals;
}
bool g_sorted = false;

// "+24": a byte offset into a region, as names show it.
std::string OffsetText(uintptr_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%lu", static_cast<unsigned long>(v));
  return buf;
}

}  // namespace

const std::vector<GlobalVar>& Globals() {
  std::vector<GlobalVar>& g = MutableGlobals();
  if (!g_sorted) {
    std::sort(g.begin(), g.end(), [](const GlobalVar& a, const GlobalVar& b) {
      return a.region.lo < b.region.lo;
    });
    g_sorted = true;
  }
  return g;
}

void RestoreGlobals() {
  for (const GlobalVar& g : Globals()) {
    std::memcpy(reinterpret_cast<void*>(g.region.lo), g.initial.data(),
                g.initial.size());
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

HwState::HwState(Machine& m) : m_(m) { RestoreGlobals(); }

void* HwState::CpuInfo(int index) {
  if (cpu_info_.empty()) {
    // Made on first use: most scenarios never ask.
    for (int k = 0; k < m_.num_cpus(); ++k) {
      constexpr size_t kSize = kCpuInfoSize;
      cpu_info_.push_back(std::unique_ptr<char[]>(new char[kSize]()));
      Region r;
      r.lo = reinterpret_cast<uintptr_t>(cpu_info_.back().get());
      r.hi = r.lo + kSize;
      r.kind = Region::kCpuInfo;
      r.name = "cpu" + std::to_string(k);
      cpu_regions_.push_back(std::move(r));
    }
  }
  return cpu_info_[index].get();
}

HwState::~HwState() {
  if (bound_ == &m_) bound_ = nullptr;
}

const Region* HwState::RegionOf(uintptr_t a) const {
  const std::vector<GlobalVar>& g = Globals();
  auto it = std::upper_bound(g.begin(), g.end(), a,
                             [](uintptr_t x, const GlobalVar& v) { return x < v.region.lo; });
  if (it != g.begin() && a < std::prev(it)->region.hi) return &std::prev(it)->region;
  auto k = kmem_.upper_bound(a);
  if (k != kmem_.begin() && a < std::prev(k)->second.hi) return &std::prev(k)->second;
  for (const Region& r : cpu_regions_) {
    if (a >= r.lo && a < r.hi) return &r;
  }
  return nullptr;
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
  const Region* r = RegionOf(a);
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
  auto it = cells_.find(a);
  if (it != cells_.end() && it->second->size() == size) {
    cache_[SlotOf(a)] = Slot{a, it->second};
    return it->second;
  }
  if (it != cells_.end()) {
    Refuse(site, std::string("mixed-size access: ") + std::to_string(size) +
                     "-byte access to " + it->second->machine().cell_name(it->second->id()) +
                     ", which is accessed with " +
                     std::to_string(it->second->size()) +
                     " bytes elsewhere; access a location with one size");
  }
  // Overlap with a neighbour?
  auto next = ordered_.lower_bound(a);
  if (next != ordered_.end() && next->first < a + size) {
    Refuse(site, "mixed-size access overlapping " +
                     m_.cell_name(next->second->id()) +
                     "; access a location with one size");
  }
  if (next != ordered_.begin()) {
    auto prev = std::prev(next);
    if (prev->first + prev->second->size() > a) {
      Refuse(site, "mixed-size access overlapping " +
                       m_.cell_name(prev->second->id()) +
                       "; access a location with one size");
    }
  }
  std::string name;
  if (r->kind != Region::kKmem && site->what[0] != '\0' &&
      std::strncmp(site->what, r->name.c_str(), r->name.size()) == 0 &&
      std::strchr(site->what, '[') == nullptr) {
    name = site->what;  // "fxp0.sc_txpending": the global's own name leads
  } else if (r->kind == Region::kKmem && site->what[0] != '\0' &&
             std::strstr(site->what, "[]") == nullptr) {
    name = site->what;  // "sc->sc_txpending"
  } else if (r->kind == Region::kCpuInfo && std::strstr(site->what, "->") != nullptr &&
             std::strchr(site->what, '[') == nullptr) {
    // "ci->ci_data.cpu_ipending" on CPU 0: "cpu0.ci_data.cpu_ipending".
    name = r->name + "." + (std::strstr(site->what, "->") + 2);
  } else {
    name = r->name + (a == r->lo ? std::string() : OffsetText(a - r->lo));
    // Reached through a pointer ("cv->cv_gen" into global uart0): the
    // expression says which field, the offset which instance.
    if (site->what[0] != '\0' && std::strchr(site->what, '[') == nullptr &&
        std::strstr(site->what, "->") != nullptr) {
      name += std::string(" (") + site->what + ")";
    }
  }
  auto cell = std::make_unique<AddrCell>(m_, std::move(name),
                                         const_cast<void*>(addr), size,
                                         ReadBytes(addr, size));
  AddrCell* c = cell.get();
  owned_.push_back(std::move(cell));
  cells_[a] = c;
  ordered_[a] = c;
  cache_[SlotOf(a)] = Slot{a, c};
  return c;
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
  for (size_t k = 0; k < cpu_info_.size(); ++k) {
    if (cpu_info_[k].get() == ci) return static_cast<int>(k);
  }
  return -1;
}

int HwState::DeclareLock(const void* word, uint32_t size, const char* name) {
  const uintptr_t a = reinterpret_cast<uintptr_t>(word);
  if (AddrCell* c = FindCell(word); c != nullptr && c->lock_id >= 0) return c->lock_id;
  std::string lock_name = name;
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    Unsupported("?", 0, "smp_lock_declare(\"" + lock_name + "\"): a lock word of " +
                            std::to_string(size) + " bytes (1, 2, 4 or 8)");
  }
  // The lock word's cell is named after the lock, as a C++ lock's is.
  std::string cell_name = lock_name + ".word";
  AddrCell* c = FindCell(word);
  if (c == nullptr) {
    const Region* r = RegionOf(a);
    if (r == nullptr) {
      Unsupported("?", 0, "smp_lock_declare(\"" + lock_name +
                              "\"): the lock word is not shared memory "
                              "(a global or kmem_alloc)");
    }
    auto cell = std::make_unique<AddrCell>(m_, cell_name, const_cast<void*>(word),
                                           size, ReadBytes(word, size));
    c = cell.get();
    owned_.push_back(std::move(cell));
    cells_[a] = c;
    ordered_[a] = c;
  }
  c->lock_id = m_.AddLock(lock_name, *c);
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
}
