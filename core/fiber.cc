#include "core/fiber.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SMP_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(SMP_ASAN)
#define SMP_ASAN 1
#endif

#if SMP_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__)
extern "C" void smp_fiber_switch(void** save_sp, void* new_sp);
extern "C" void smp_fiber_trampoline();
#else
#include <ucontext.h>
#endif

namespace smp {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "smpfuzz: fiber: %s\n", what);
  std::abort();
}

size_t PageSize() { return static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

}  // namespace

Fiber::~Fiber() {
  if (map_size_ != 0) munmap(stack_lo_ - PageSize(), map_size_);
}

FiberPool::FiberPool(size_t stack_size) {
  if (stack_size == 0) {
#if SMP_ASAN
    stack_size = 512 * 1024;
#else
    stack_size = 64 * 1024;
#endif
  }
  const size_t page = PageSize();
  stack_size_ = (stack_size + page - 1) / page * page;
  main_.pool_ = this;
}

FiberPool::~FiberPool() = default;

Fiber* FiberPool::Acquire(Fiber::Entry entry, void* arg) {
  Fiber* f;
  if (!free_.empty()) {
    f = free_.back();
    free_.pop_back();
  } else {
    auto owned = std::unique_ptr<Fiber>(new Fiber());
    f = owned.get();
    const size_t page = PageSize();
    f->map_size_ = stack_size_ + page;
    void* mem = mmap(nullptr, f->map_size_, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) Die("cannot map a stack");
    if (mprotect(mem, page, PROT_NONE) != 0) Die("cannot protect a guard page");
    f->stack_lo_ = static_cast<char*>(mem) + page;
    f->stack_size_ = stack_size_;
    f->pool_ = this;
    all_.push_back(std::move(owned));
  }
  f->entry_ = entry;
  f->arg_ = arg;
  Prepare(f);
  return f;
}

void FiberPool::Release(Fiber* f) { free_.push_back(f); }

void FiberPool::Prepare(Fiber* f) {
#if SMP_ASAN
  // Frames of an abandoned run may have left redzones poisoned.
  __asan_unpoison_memory_region(f->stack_lo_, f->stack_size_);
#endif
  f->fake_stack_ = nullptr;
#if defined(__x86_64__)
  // Build the frame smp_fiber_switch pops: r15..r12, rbx, rbp, then the
  // return address (the trampoline). After `ret`, rsp is 16-byte aligned so
  // the trampoline's call gives the callee the ABI's entry alignment.
  uintptr_t top = reinterpret_cast<uintptr_t>(f->stack_lo_ + f->stack_size_);
  top &= ~static_cast<uintptr_t>(15);
  uint64_t* s = reinterpret_cast<uint64_t*>(top - 16);  // s[0]: fake return
  s[0] = 0;
  s[-1] = reinterpret_cast<uint64_t>(&smp_fiber_trampoline);
  s[-2] = 0;                                        // rbp
  s[-3] = 0;                                        // rbx
  s[-4] = reinterpret_cast<uint64_t>(f);            // r12: argument
  s[-5] = reinterpret_cast<uint64_t>(&FiberPool::Start);  // r13: function
  s[-6] = 0;                                        // r14
  s[-7] = 0;                                        // r15
  f->sp_ = &s[-7];
#else
  if (!f->ucontext_) f->ucontext_.reset(new char[sizeof(ucontext_t)]);
  auto* uc = reinterpret_cast<ucontext_t*>(f->ucontext_.get());
  if (getcontext(uc) != 0) Die("getcontext failed");
  uc->uc_stack.ss_sp = f->stack_lo_;
  uc->uc_stack.ss_size = f->stack_size_;
  uc->uc_link = nullptr;
  // makecontext passes int arguments only: split the pointer.
  uintptr_t p = reinterpret_cast<uintptr_t>(f);
  makecontext(uc, reinterpret_cast<void (*)()>(+[](unsigned hi, unsigned lo) {
                FiberPool::Start(reinterpret_cast<void*>(
                    (static_cast<uintptr_t>(hi) << 32) | lo));
              }),
              2, static_cast<unsigned>(p >> 32), static_cast<unsigned>(p));
#endif
}

void FiberPool::Start(void* arg) {
  Fiber* f = static_cast<Fiber*>(arg);
  f->pool_->FinishSwitch(f);
  f->entry_(f->arg_);
  Die("a fiber's entry function returned");
}

void FiberPool::FinishSwitch(Fiber* now_running) {
#if SMP_ASAN
  const void* from_lo = nullptr;
  size_t from_size = 0;
  __sanitizer_finish_switch_fiber(now_running->fake_stack_, &from_lo,
                                  &from_size);
  // The only stack we do not allocate is the main one: learn its bounds the
  // first time we leave it, so switching back can be announced.
  if (switching_from_ == &main_ && main_.stack_lo_ == nullptr) {
    main_.stack_lo_ = static_cast<char*>(const_cast<void*>(from_lo));
    main_.stack_size_ = from_size;
  }
#else
  (void)now_running;
#endif
}

void FiberPool::SwitchTo(Fiber* from, Fiber* to, bool from_is_dying) {
  switching_from_ = from;
#if SMP_ASAN
  __sanitizer_start_switch_fiber(from_is_dying ? nullptr : &from->fake_stack_,
                                 to->stack_lo_, to->stack_size_);
#else
  (void)from_is_dying;
#endif
#if defined(__x86_64__)
  smp_fiber_switch(&from->sp_, to->sp_);
#else
  if (!from->ucontext_) from->ucontext_.reset(new char[sizeof(ucontext_t)]);
  swapcontext(reinterpret_cast<ucontext_t*>(from->ucontext_.get()),
              reinterpret_cast<ucontext_t*>(to->ucontext_.get()));
#endif
  FinishSwitch(from);
}

}  // namespace smp
