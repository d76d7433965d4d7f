// Fibers: the user-space execution contexts virtual CPUs run on.
//
// A Fiber is a stack plus a saved stack pointer. Switching is a direct jump
// from one fiber to another (no scheduler fiber in between), done by a small
// assembly routine on x86-64 that saves only the callee-saved registers and
// the FP control words (no system call, unlike swapcontext); other
// architectures fall back to ucontext.
//
// Contract:
//  - A FiberPool owns stacks and reuses them across executions: each stack
//    is mmap'ed once with a PROT_NONE guard page below it.
//  - A fiber's entry function must never return; it ends by switching away
//    for good (SwitchTo(..., /*from_is_dying=*/true)).
//  - A fiber abandoned in the middle of its function (an execution ended by
//    a verdict while it spun) is simply reset and reused: its frames are not
//    unwound, so target code must not keep heap-owning objects on its stack
//    across scheduling points.
//  - Under AddressSanitizer every switch is announced with
//    __sanitizer_start_switch_fiber / __sanitizer_finish_switch_fiber and a
//    reused stack is unpoisoned, so ASan reports no false stack errors.
// Thread-safety: a pool and its fibers belong to one OS thread.
#ifndef SMPFUZZ_CORE_FIBER_H_
#define SMPFUZZ_CORE_FIBER_H_

#include <cstddef>
#include <memory>
#include <vector>

namespace smp {

class FiberPool;

class Fiber {
 public:
  using Entry = void (*)(void* arg);

  Fiber(const Fiber&) = delete;
  Fiber& operator=(const Fiber&) = delete;
  ~Fiber();

  // Whether `p` points into this fiber's own stack (not the main fiber's:
  // that one has no bounds here and answers false).
  bool OnStack(const void* p) const {
    const char* c = static_cast<const char*>(p);
    return c >= stack_lo_ && c < stack_lo_ + stack_size_;
  }

 private:
  friend class FiberPool;
  Fiber() = default;

  void* sp_ = nullptr;          // saved stack pointer while switched out
  char* stack_lo_ = nullptr;    // lowest usable byte (above the guard page)
  size_t stack_size_ = 0;       // usable bytes
  size_t map_size_ = 0;         // bytes mapped, guard included
  Entry entry_ = nullptr;
  void* arg_ = nullptr;
  FiberPool* pool_ = nullptr;
  void* fake_stack_ = nullptr;  // ASan's fake-stack handle while switched out
  std::unique_ptr<char[]> ucontext_;  // fallback switch only
};

class FiberPool {
 public:
  // stack_size: usable bytes per fiber stack (rounded up to pages). 0 picks
  // the default: 64 KiB, or 512 KiB under AddressSanitizer.
  explicit FiberPool(size_t stack_size = 0);
  FiberPool(const FiberPool&) = delete;
  FiberPool& operator=(const FiberPool&) = delete;
  ~FiberPool();

  // A fiber that will run entry(arg) when first switched to. Reuses a
  // released stack when there is one.
  Fiber* Acquire(Fiber::Entry entry, void* arg);

  // Returns a fiber to the pool. REQUIRES: not the running fiber.
  void Release(Fiber* f);

  // The fiber standing for the OS thread's own stack. Switching to it
  // returns to whoever first switched away from it.
  Fiber* main() { return &main_; }

  // Saves the running fiber `from` and resumes `to`. Returns when some fiber
  // switches back to `from`. If from_is_dying, `from` is never resumed.
  void SwitchTo(Fiber* from, Fiber* to, bool from_is_dying = false);

  size_t stack_size() const { return stack_size_; }
  size_t stacks_allocated() const { return all_.size(); }

 private:
  static void Start(void* fiber);  // first code run on a new fiber
  void Prepare(Fiber* f);
  void FinishSwitch(Fiber* now_running);

  size_t stack_size_;
  Fiber main_;
  std::vector<std::unique_ptr<Fiber>> all_;
  std::vector<Fiber*> free_;
  Fiber* switching_from_ = nullptr;  // for ASan's view of the main stack
};

}  // namespace smp

#endif  // SMPFUZZ_CORE_FIBER_H_
