// Sleeping: adaptive mutexes, condvar(9) and tsleep/wakeup, on the core's
// park/unpark.
//
// What it models:
//  - AdaptiveMutex (mutex(9), MUTEX_DEFAULT below IPL_VM): acquire with an
//    acquiring CAS; a contender sleeps on the mutex's turnstile channel
//    until the owner releases (the real one spins while the owner runs on
//    another CPU first: a performance matter, left out). Thread context
//    only; lockdep knows it as adaptive.
//  - CondVar: cv_wait releases the mutex and sleeps atomically with
//    respect to cv_signal/cv_broadcast (a generation count stands for the
//    sleep queue's lock: a signal between the release and the sleep is
//    not lost); cv_signal wakes one waiter, cv_broadcast all; a signal
//    with no waiter is gone; cv_wait may return spuriously, so callers
//    re-check their condition in a loop.
//  - tsleep / wakeup on a channel: tsleep sleeps unconditionally (a wakeup
//    that came first is lost, by design), mtsleep releases an interlock
//    mutex atomically with going to sleep.
// Park, unpark and the generation count are full barriers, as the sleep
// queue lock makes them in the kernel.
//
// Scheduling points: every call below except the constructors and
// owned().
#ifndef SMPFUZZ_TARGETS_SLEEP_SLEEP_H_
#define SMPFUZZ_TARGETS_SLEEP_SLEEP_H_

#include <string>

#include "core/cell.h"
#include "core/loc.h"
#include "core/machine.h"

namespace smp::sleep {

class AdaptiveMutex {
 public:
  // `exit_barrier` false is a bug variant: mutex_exit then reads the
  // waiter count without a store->load barrier after its releasing store,
  // so under TSO it can miss a waiter that is about to sleep (the
  // turnstile race every SMP mutex_exit must close).
  AdaptiveMutex(Machine& m, const std::string& name, bool exit_barrier = true);

  // REQUIRES: thread context; not held by the caller.
  void mutex_enter(Loc loc = Loc::Here());
  // REQUIRES: held by the caller.
  void mutex_exit(Loc loc = Loc::Here());
  // True iff the calling thread holds it. Not a scheduling point.
  bool owned() const;

 private:
  Machine& m_;
  Shared<int> owner_;    // 0: free; else thread id + 1
  Shared<int> waiters_;  // threads asleep (or about to be) on the turnstile
  int lock_;
  int turnstile_;
  bool exit_barrier_;
};

class CondVar {
 public:
  CondVar(Machine& m, const std::string& name);

  // REQUIRES: `mtx` held. Releases it, sleeps until a signal or broadcast
  // (or spuriously), re-acquires it.
  void cv_wait(AdaptiveMutex& mtx, Loc loc = Loc::Here());
  void cv_signal(Loc loc = Loc::Here());
  void cv_broadcast(Loc loc = Loc::Here());

 private:
  Machine& m_;
  Shared<int> generation_;
  int chan_;
};

// A wait channel for tsleep/wakeup.
class WaitChannel {
 public:
  WaitChannel(Machine& m, const std::string& name);

  // Sleeps until the next wakeup(): one that came before is lost.
  void tsleep(Loc loc = Loc::Here());
  // Releases `interlock` and sleeps, atomically with respect to wakeup(),
  // then re-acquires it. REQUIRES: `interlock` held.
  void mtsleep(AdaptiveMutex& interlock, Loc loc = Loc::Here());
  void wakeup(Loc loc = Loc::Here());

 private:
  Machine& m_;
  Shared<int> generation_;
  int chan_;
};

}  // namespace smp::sleep

#endif  // SMPFUZZ_TARGETS_SLEEP_SLEEP_H_
