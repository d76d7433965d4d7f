// The C hardware interface (hw/include/smp/hw.h and the NetBSD-named
// headers beside it), on the Machine. Each function says in its header
// whether it is a scheduling point; here each is one call of the machine.
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <string>

#include "core/lockdep.h"
#include "core/race_detector.h"
#include "core/machine.h"
#include "hw/hw_state.h"
#include "hw/include/smp/device.h"
#include "hw/include/smp/hw.h"

namespace smp::hw {
namespace {

[[noreturn, gnu::noinline, gnu::cold]] void NoMachine(const char* what) {
  Unsupported("?", 0, std::string(what) +
                          " called outside an execution: call it from a "
                          "scenario's setup, its threads or handlers");
}

[[noreturn, gnu::noinline, gnu::cold]] void NoContext(const char* what,
                                                       const char* file, int line) {
  Unsupported(file, line, std::string(what) +
                              " outside a running context (in set-up or a "
                              "final check): it needs a CPU");
}

// Out of line: smp_peek runs on every mutex(9) and spl operation.
[[noreturn, gnu::noinline, gnu::cold]] void BadPeekSize(size_t size) {
  Unsupported("?", 0, "smp_peek: a location of " + std::to_string(size) +
                          " bytes (1, 2, 4 or 8)");
}

// The machine for a call that needs one; a call from outside any
// execution is a misuse of the interface, not a finding.
inline Machine& M(const char* what) {
  Machine* m = HwState::Current();
  if (__builtin_expect(m == nullptr, false)) NoMachine(what);
  return *m;
}

// The machine for an operation of a running context.
inline Machine& Running(const char* what, const char* file, int line) {
  Machine* m = Machine::Running();
  if (__builtin_expect(m == nullptr || !m->in_context(), false)) {
    NoContext(what, file, line);
  }
  return *m;
}

struct Handler {
  void (*fn)(void*);
  void* arg;
};

}  // namespace
}  // namespace smp::hw

using smp::Loc;
using smp::Machine;
using smp::hw::HwState;
using smp::hw::M;
using smp::hw::Running;

extern "C" {

int smp_ncpu(void) { return M("ncpu").num_cpus(); }
int smp_cpu(void) { return Running("curcpu", "?", 0).cpu(); }

int smp_ipr_get(void) { return Running("smp_ipr_get", "?", 0).mask(); }
void smp_ipr_set_at(int level, const char* file, int line) {
  Machine& m = Running("smp_ipr_set", file, line);
  if (level < 0 || level > smp::kMaxLevel) {
    smp::hw::Unsupported(file, line, "priority level " + std::to_string(level) +
                                         " out of range 0..31");
  }
  m.SetMask(level, Loc{file, line});
}
void smp_intr_disable_at(const char* file, int line) {
  Running("smp_intr_disable", file, line).DisableInterrupts(Loc{file, line});
}
void smp_intr_enable_at(const char* file, int line) {
  Running("smp_intr_enable", file, line).EnableInterrupts(Loc{file, line});
}
int smp_intr_pending_above(int level) {
  return Running("smp_intr_pending_above", "?", 0).PendingAbove(level) ? 1 : 0;
}
int smp_context_kind(void) {
  return static_cast<int>(Running("smp_context_kind", "?", 0).context_kind());
}
int smp_context_level(void) { return Running("smp_context_level", "?", 0).context_level(); }
int smp_intr_enabled(void) {
  return Running("smp_intr_enabled", "?", 0).interrupts_enabled() ? 1 : 0;
}
int smp_context_id(void) {
  return Running("smp_context_id", "?", 0).CurrentActor().ctx + 1;
}

int smp_intr_establish(const char* name, int level, void (*fn)(void*), void* arg) {
  return M("smp_intr_establish").AddLine(name, level, [fn, arg] { fn(arg); });
}
int smp_softintr_establish(const char* name, int level, void (*fn)(void*), void* arg) {
  return M("smp_softintr_establish").AddSoftLine(name, level, [fn, arg] { fn(arg); });
}
void smp_intr_source(int line, unsigned count, unsigned cpu_mask) {
  M("smp_intr_source").AddSource(line, count, cpu_mask);
}
void smp_send_ipi_at(int cpu, int line, const char* file, int at_line) {
  Running("smp_send_ipi", file, at_line).SendIpi(cpu, line, Loc{file, at_line});
}

int smp_thread_create(const char* name, int cpu, void (*fn)(void*), void* arg) {
  Machine& m = M("smp_thread_create");
  if (cpu != SMP_ANY_CPU && (cpu < 0 || cpu >= m.num_cpus())) {
    smp::hw::Unsupported("?", 0, std::string("smp_thread_create(\"") + name +
                                     "\"): no CPU " + std::to_string(cpu));
  }
  return m.AddThread(name, cpu, [fn, arg] { fn(arg); });
}
void smp_chan_declare(const volatile void* wchan, const char* name) {
  HwState::Of(M("smp_chan_declare")).ChannelOf(const_cast<const void*>(wchan), name);
}
void smp_park_at(const volatile void* wchan, const char* file, int line) {
  Machine& m = Running("smp_park", file, line);
  m.Park(HwState::Of(m).ChannelOf(const_cast<const void*>(wchan), nullptr), Loc{file, line});
}
int smp_park_while_at(const volatile void* wchan, const volatile void* p, size_t size,
                      uint64_t value, const char* file, int line) {
  Machine& m = Running("smp_park_while", file, line);
  HwState& h = HwState::Of(m);
  const __smp_site site{file, line, 0, ""};
  smp::hw::AddrCell* c =
      h.CellFor(const_cast<const void*>(p), static_cast<uint32_t>(size), &site);
  const smp::Word mask =
      size >= 8 ? ~smp::Word{0} : (smp::Word{1} << (8 * size)) - 1;
  const int chan = h.ChannelOf(const_cast<const void*>(wchan), nullptr);
  return m.ParkWhile(chan, *c, value & mask, Loc{file, line}) ? 1 : 0;
}
int smp_unpark_at(const volatile void* wchan, const char* file, int line) {
  Machine& m = Running("smp_unpark", file, line);
  return m.Unpark(HwState::Of(m).ChannelOf(const_cast<const void*>(wchan), nullptr),
                  Loc{file, line});
}
int smp_unpark_one_at(const volatile void* wchan, const char* file, int line) {
  Machine& m = Running("smp_unpark_one", file, line);
  return m.UnparkOne(HwState::Of(m).ChannelOf(const_cast<const void*>(wchan), nullptr),
                     Loc{file, line});
}
void smp_yield_at(const char* file, int line) {
  Running("smp_yield", file, line).Yield(Loc{file, line});
}
void smp_spinwait_at(const char* file, int line) {
  Machine& m = Running("cpu_spinwait", file, line);
  smp::Word value = 0;
  if (const smp::CellBase* c = m.LastLoad(&value)) {
    m.SpinWhile(*c, value, Loc{file, line});
  } else {
    m.Yield(Loc{file, line});
  }
}

void smp_lock_declare(const volatile void* word, size_t size, const char* name) {
  Machine& m = M("smp_lock_declare");
  HwState::Of(m).DeclareLock(const_cast<const void*>(word), static_cast<uint32_t>(size),
                             name);
}
void smp_lock_acquired_at(const volatile void* word, const char* file, int line) {
  Machine& m = Running("smp_lock_acquired", file, line);
  m.LockAcquired(HwState::Of(m).LockOf(const_cast<const void*>(word), Loc{file, line}),
                 Loc{file, line});
}
void smp_lock_tryacquired_at(const volatile void* word, const char* file, int line) {
  Machine& m = Running("smp_lock_tryacquired", file, line);
  m.LockTryAcquired(HwState::Of(m).LockOf(const_cast<const void*>(word), Loc{file, line}),
                    Loc{file, line});
}
void smp_lock_released_at(const volatile void* word, const char* file, int line) {
  Machine& m = Running("smp_lock_released", file, line);
  m.LockReleased(HwState::Of(m).LockOf(const_cast<const void*>(word), Loc{file, line}),
                 Loc{file, line});
}
void smp_lock_declare_class(const volatile void* word, size_t size, const char* name,
                            enum smp_lock_kind kind, int recursive) {
  Machine& m = M("smp_lock_declare_class");
  const int id = HwState::Of(m).DeclareLock(const_cast<const void*>(word),
                                            static_cast<uint32_t>(size), name);
  if (smp::Lockdep* lockdep = smp::Lockdep::Of(m)) {
    lockdep->Declare(id, smp::LockClass{kind == SMP_LOCK_ADAPTIVE ? smp::LockKind::kAdaptive
                                                                  : smp::LockKind::kSpin,
                                        recursive != 0});
  }
}
void smp_lock_want_at(const volatile void* word, const char* file, int line) {
  Machine& m = Running("smp_lock_want", file, line);
  HwState& h = HwState::Of(m);
  smp::Lockdep* lockdep = h.lockdep();
  if (lockdep == nullptr) return;
  lockdep->Want(m, h.LockOf(const_cast<const void*>(word), Loc{file, line}), Loc{file, line});
}
namespace {

// Gives `view` (what a CPU blocks in software, bit L: level L) to the
// detectors that judge interrupt safety.
void AddIplView(Machine& m, std::function<uint32_t(int cpu)> view) {
  if (smp::Lockdep* lockdep = smp::Lockdep::Of(m)) lockdep->AddIplView(view);
  if (smp::RaceDetector* races = smp::RaceDetector::Of(m)) races->AddIplView(view);
}

void CheckViewSize(const char* call, size_t size) {
  if (size != 1 && size != 2 && size != 4 && size != 8) {
    smp::hw::Unsupported("?", 0, std::string(call) + ": a field of " + std::to_string(size) +
                                     " bytes (1, 2, 4 or 8)");
  }
}

}  // namespace

void smp_ipl_view(size_t offset, size_t size) {
  Machine& m = M("smp_ipl_view");
  CheckViewSize("smp_ipl_view", size);
  if (offset + size > smp::hw::kCpuInfoSize) {
    smp::hw::Unsupported("?", 0, "smp_ipl_view: the field is past struct cpu_info");
  }
  AddIplView(m, [&m, offset, size](int cpu) {
    return static_cast<uint32_t>(
        HwState::Of(m).PeekAt(static_cast<char*>(HwState::Of(m).CpuInfo(cpu)) + offset,
                              static_cast<uint32_t>(size)));
  });
}
void smp_crit_view(const volatile void* cpu0_count, size_t stride, size_t size) {
  Machine& m = M("smp_crit_view");
  CheckViewSize("smp_crit_view", size);
  const char* base = static_cast<const char*>(const_cast<const void*>(cpu0_count));
  AddIplView(m, [&m, base, stride, size](int cpu) -> uint32_t {
    const char* count = base + static_cast<size_t>(cpu) * stride;
    return HwState::Of(m).PeekAt(count, static_cast<uint32_t>(size)) != 0 ? ~0u : 0u;
  });
}
uint64_t smp_peek(const volatile void* p, size_t size) {
  if (__builtin_expect(size != 1 && size != 2 && size != 4 && size != 8, false)) {
    smp::hw::BadPeekSize(size);
  }
  return HwState::Of(M("smp_peek"))
      .PeekAt(const_cast<const void*>(p), static_cast<uint32_t>(size));
}
void smp_readonly(const volatile void* p, size_t size) {
  Machine& m = M("smp_readonly");
  if (m.in_context()) {
    smp::hw::Unsupported("?", 0, "smp_readonly from a running context: declare constants in set-up");
  }
  const uintptr_t lo = reinterpret_cast<uintptr_t>(const_cast<const void*>(p));
  HwState::Of(m).AddReadonly(lo, lo + size);
}
void smp_mark_atomic(const volatile void* p, size_t size) {
  Machine& m = M("smp_mark_atomic");
  HwState& h = HwState::Of(m);
  const __smp_site site{"?", 0, 0, ""};
  smp::hw::AddrCell* c = h.FindCell(const_cast<const void*>(p));
  if (c == nullptr) {
    c = h.CellFor(const_cast<const void*>(p), static_cast<uint32_t>(size), &site);
  }
  m.MarkAtomic(*c);
}

void smp_membar_at(int kind, const char* file, int line) {
  if (kind < 0 || kind > 6) smp::hw::Unsupported(file, line, "unknown membar");
  Running("membar", file, line).Membar(static_cast<smp::Barrier>(kind), Loc{file, line});
}

void smp_assert_fail(const char* expr, const char* msg, const char* file, int line) {
  M("KASSERT").AssertionFailed(expr, msg, Loc{file, line});
}

void smp_assert_msg_at(const char* expr, const char* file, int line, const char* fmt,
                       ...) {
  Machine& m = M("KASSERTMSG");
  char* buf = HwState::Of(m).scratch();
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, HwState::kScratch, fmt, ap);
  va_end(ap);
  m.AssertionFailed(expr, buf, Loc{file, line});
}

void smp_panic_at(const char* file, int line, const char* fmt, ...) {
  Machine& m = M("panic");
  char* buf = HwState::Of(m).scratch();
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, HwState::kScratch, fmt, ap);
  va_end(ap);
  m.AssertionFailed("panic", buf, Loc{file, line});
}

void smp_note(const char* file, int line, const char* fmt, ...) {
  Machine& m = M("printf");
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  std::string text(buf);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  m.Note(std::move(text), Loc{file, line});
}

void* smp_kmem_alloc_at(size_t size, int zero, const char* file, int line) {
  return HwState::Of(M("kmem_alloc")).KmemAlloc(size, zero != 0, Loc{file, line});
}
void smp_kmem_free_at(void* p, size_t size, const char* file, int line) {
  HwState::Of(M("kmem_free")).KmemFree(p, size, Loc{file, line});
}

struct cpu_info* smp_cpu_info(int index) {
  Machine& m = M("curcpu");
  if (index < 0 || index >= m.num_cpus()) return nullptr;
  return static_cast<struct cpu_info*>(HwState::Of(m).CpuInfo(index));
}
unsigned int smp_cpu_index(const struct cpu_info* ci) {
  return static_cast<unsigned int>(HwState::Of(M("cpu_index")).CpuIndexOf(ci));
}

int kthread_create(int pri, int flags, struct cpu_info* ci, void (*func)(void*), void* arg,
                   struct lwp** lp, const char* fmt, ...) {
  (void)pri;
  (void)flags;
  Machine& m = M("kthread_create");
  char name[64];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(name, sizeof name, fmt, ap);
  va_end(ap);
  const int cpu = ci == nullptr ? SMP_ANY_CPU : HwState::Of(m).CpuIndexOf(ci);
  smp_thread_create(name, cpu, func, arg);
  if (lp != nullptr) {
    *lp = nullptr;
    smp::hw::MarkGlobalsDirty(lp, sizeof *lp);  // a store RestoreGlobals must see
  }
  return 0;
}

bus_space_handle_t smp_device_attach(const char* name, const struct smp_device_ops* ops,
                                     void* dev) {
  return HwState::Of(M("smp_device_attach")).AttachDevice(name, ops, dev);
}

uint32_t smp_bus_read_at(bus_space_tag_t t, bus_space_handle_t h, bus_size_t off,
                         int width, const char* file, int line) {
  (void)t;
  Machine& m = Running("bus_space_read", file, line);
  HwState& s = HwState::Of(m);
  const HwState::Device* d = s.device(h);
  if (d == nullptr) smp::hw::Unsupported(file, line, "bus_space_read on a handle no device has");
  m.Yield(Loc{file, line});
  s.EnterDevice();
  const uint32_t v = d->ops->read(d->dev, off, width);
  s.ExitDevice();
  if (m.recording()) {
    m.Note(d->name + ": read " + std::to_string(width) + "@" + std::to_string(off) +
               " = " + std::to_string(v),
           Loc{file, line});
  }
  return v;
}

void smp_bus_write_at(bus_space_tag_t t, bus_space_handle_t h, bus_size_t off,
                      uint32_t value, int width, const char* file, int line) {
  (void)t;
  Machine& m = Running("bus_space_write", file, line);
  HwState& s = HwState::Of(m);
  const HwState::Device* d = s.device(h);
  if (d == nullptr) smp::hw::Unsupported(file, line, "bus_space_write on a handle no device has");
  // An uncached register write: ordered after the CPU's earlier stores, as
  // on x86, so the chip sees what a command announces (a full barrier,
  // shown as membar_sync; it is the write's one scheduling point).
  m.Membar(smp::Barrier::kSync, Loc{file, line});
  if (m.recording()) {
    m.Note(d->name + ": write " + std::to_string(width) + "@" + std::to_string(off) +
               " = " + std::to_string(value),
           Loc{file, line});
  }
  s.EnterDevice();
  d->ops->write(d->dev, off, value, width);
  s.ExitDevice();
}

void smp_dmamap_sync_at(int ops, const char* file, int line) {
  Machine& m = Running("bus_dmamap_sync", file, line);
  // PRE*: the CPU's stores before the device's view; POST*: the device's
  // writes before the CPU's later loads.
  const bool pre = (ops & (0x01 | 0x04)) != 0;
  const bool post = (ops & (0x02 | 0x08)) != 0;
  m.Membar(pre && post ? smp::Barrier::kSync
                       : pre ? smp::Barrier::kRelease : smp::Barrier::kAcquire,
           Loc{file, line});
}

}  // extern "C"
