#include "targets/sleep/sleep.h"

#include "core/lockdep.h"

namespace smp::sleep {

AdaptiveMutex::AdaptiveMutex(Machine& m, const std::string& name,
                             bool exit_barrier)
    : m_(m),
      owner_(m, name + ".owner"),
      waiters_(m, name + ".waiters"),
      lock_(m.AddLock(name, owner_)),
      turnstile_(m.AddChannel(name + ".turnstile")),
      exit_barrier_(exit_barrier) {
  if (Lockdep* ld = Lockdep::Of(m)) ld->Declare(lock_, LockClass{LockKind::kAdaptive});
}

void AdaptiveMutex::mutex_enter(Loc loc) {
  const int me = static_cast<int>(m_.context_id()) + 1;
  if (Lockdep* ld = Lockdep::Of(m_)) ld->Want(m_, lock_, loc);
  while (!owner_.CasAcquire(0, me, loc)) {
    waiters_.FetchAdd(1, loc);
    // Sleeps only if it is still held: a release in between is not missed.
    const int holder = owner_.Load(loc);
    if (holder != 0) m_.ParkWhile(turnstile_, owner_, static_cast<Word>(holder), loc);
    waiters_.FetchAdd(-1, loc);
  }
  m_.LockAcquired(lock_, loc);
}

void AdaptiveMutex::mutex_exit(Loc loc) {
  owner_.StoreRelease(0, loc);
  m_.LockReleased(lock_, loc);
  // The release must be visible before the waiter count is read: a
  // contender increments the count, then re-checks the owner before it
  // sleeps, so one of the two sides always sees the other.
  if (exit_barrier_) m_.Membar(Barrier::kSync, loc);
  if (waiters_.Load(loc) != 0) m_.UnparkOne(turnstile_, loc);
}

bool AdaptiveMutex::owned() const {
  return owner_.Peek() == static_cast<int>(m_.context_id()) + 1;
}

CondVar::CondVar(Machine& m, const std::string& name)
    : m_(m), generation_(m, name + ".gen"), chan_(m.AddChannel(name)) {
  m.MarkAtomic(generation_);
}

void CondVar::cv_wait(AdaptiveMutex& mtx, Loc loc) {
  const int gen = generation_.Load(loc);  // under the mutex
  mtx.mutex_exit(loc);
  m_.ParkWhile(chan_, generation_, static_cast<Word>(gen), loc);
  mtx.mutex_enter(loc);
}

void CondVar::cv_signal(Loc loc) {
  generation_.FetchAdd(1, loc);
  m_.UnparkOne(chan_, loc);
}

void CondVar::cv_broadcast(Loc loc) {
  generation_.FetchAdd(1, loc);
  m_.Unpark(chan_, loc);
}

WaitChannel::WaitChannel(Machine& m, const std::string& name)
    : m_(m), generation_(m, name + ".gen"), chan_(m.AddChannel(name)) {
  m.MarkAtomic(generation_);
}

void WaitChannel::tsleep(Loc loc) { m_.Park(chan_, loc); }

void WaitChannel::mtsleep(AdaptiveMutex& interlock, Loc loc) {
  const int gen = generation_.Load(loc);
  interlock.mutex_exit(loc);
  m_.ParkWhile(chan_, generation_, static_cast<Word>(gen), loc);
  interlock.mutex_enter(loc);
}

void WaitChannel::wakeup(Loc loc) {
  generation_.FetchAdd(1, loc);
  m_.Unpark(chan_, loc);
}

}  // namespace smp::sleep
