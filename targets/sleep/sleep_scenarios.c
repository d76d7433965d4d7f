/* The sleep target: condvar(9), tsleep/mtsleep/wakeup and the adaptive
 * mutex(9) of the kernel (//kern), with the classic bugs of their callers
 * and the turnstile race of an adaptive mutex_exit.
 *
 *   cv_handoff / check_unlock_sleep    a consumer waiting for a producer
 *   cv_loop / cv_no_loop               two consumers, one broadcast per item
 *   mtsleep_interlocked                tsleep with its interlock, correct
 *   mutex_exit_no_barrier              the turnstile race in mutex_exit (TSO)
 *
 * A thread's configuration travels in its argument (a global read would
 * be a scheduling point the code under test does not have); a mutex's bug
 * switch lives in the mutex (mutex_init_bugs). */
#include <machine/intr.h>
#include <smp/hw.h>
#include <sys/condvar.h>
#include <sys/mutex.h>
#include <sys/proc.h>
#include <sys/systm.h>
#include <sys/types.h>

#define ARG(v) ((void*)(uintptr_t)(v))
#define VAL(p) ((int)(uintptr_t)(p))

/* ---- handoff: one item from a producer to a consumer under a mutex.
 * The correct consumer waits on a condvar in a loop; the buggy one checks,
 * drops the mutex and then tsleeps: a wakeup in between is lost. ---- */

static kmutex_t sc_lock;
static kcondvar_t sc_cv;
static int ready;

static void handoff_producer(void* buggy) {
  mutex_enter(&sc_lock);
  ready = 1;
  if (!VAL(buggy)) cv_signal(&sc_cv);
  mutex_exit(&sc_lock);
  if (VAL(buggy)) wakeup(&ready);
}

static void handoff_consumer(void* buggy) {
  mutex_enter(&sc_lock);
  if (VAL(buggy)) {
    if (ready == 0) {
      mutex_exit(&sc_lock);
      tsleep(&ready, PZERO, "ready", 0); /* check, unlock, sleep: lost wakeup */
      mutex_enter(&sc_lock);
    }
  } else {
    while (ready == 0) cv_wait(&sc_cv, &sc_lock);
  }
  KASSERTMSG(ready == 1, "woken with the item ready");
  mutex_exit(&sc_lock);
}

static void handoff_setup(int buggy, unsigned mutex_bugs) {
  mutex_init_bugs(&sc_lock, MUTEX_DEFAULT, IPL_NONE, "sc_lock", mutex_bugs);
  cv_init(&sc_cv, "sc_cv");
  smp_chan_declare(&ready, "sc_chan");
  smp_thread_create("producer", 0, handoff_producer, ARG(buggy));
  smp_thread_create("consumer", 1, handoff_consumer, ARG(buggy));
}
static void cv_handoff_setup(void) { handoff_setup(0, 0); }
static void check_unlock_sleep_setup(void) { handoff_setup(1, 0); }
static void exit_no_barrier_setup(void) {
  handoff_setup(0, MUTEX_BUG_EXIT_NO_BARRIER);
}

SMP_SCENARIO_C(cv_handoff, .target = "sleep", .variant = "cv_handoff",
               .description = "consumer waits with cv_wait in a loop under the mutex",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = cv_handoff_setup)
SMP_SCENARIO_C(mutex_exit_no_barrier, .target = "sleep",
               .variant = "mutex_exit_no_barrier",
               .description = "adaptive mutex_exit reads the waiter count without "
                              "membar_sync after its releasing store",
               .expected = SMP_MEMBAR_MISUSE, .cpus = 2, .max_steps = 4000,
               .memory_model = SMP_TSO, .setup = exit_no_barrier_setup)
SMP_SCENARIO_C(check_unlock_sleep, .target = "sleep", .variant = "check_unlock_sleep",
               .description = "consumer checks, drops the mutex, then tsleeps: the "
                              "wakeup can come in between",
               .expected = SMP_LOST_WAKEUP, .cpus = 2, .max_steps = 4000,
               .setup = check_unlock_sleep_setup)

/* ---- two consumers, two items produced one at a time, each announced
 * with cv_broadcast. A consumer that waits with `if` instead of `while`
 * can wake to find the item already taken by the other. ---- */

static kmutex_t q_lock;
static kcondvar_t q_cv;
static int items;

static void queue_producer(void* arg) {
  (void)arg;
  for (int i = 0; i < 2; ++i) {
    mutex_enter(&q_lock);
    items = items + 1;
    cv_broadcast(&q_cv);
    mutex_exit(&q_lock);
  }
}

static void queue_consumer(void* loop) {
  mutex_enter(&q_lock);
  if (VAL(loop)) {
    while (items == 0) cv_wait(&q_cv, &q_lock);
  } else if (items == 0) {
    cv_wait(&q_cv, &q_lock);
  }
  KASSERTMSG(items > 0, "an item to take after waking");
  items = items - 1;
  mutex_exit(&q_lock);
}

static void queue_setup(int loop) {
  mutex_init(&q_lock, MUTEX_DEFAULT, IPL_NONE);
  cv_init(&q_cv, "q_cv");
  smp_thread_create("producer", 0, queue_producer, NULL);
  smp_thread_create("consumer1", 1, queue_consumer, ARG(loop));
  smp_thread_create("consumer2", 2, queue_consumer, ARG(loop));
}
static void cv_loop_setup(void) { queue_setup(1); }
static void cv_no_loop_setup(void) { queue_setup(0); }
static void queue_check(void) { KASSERTMSG(items == 0, "every item consumed once"); }

SMP_SCENARIO_C(cv_loop, .target = "sleep", .variant = "cv_loop",
               .description = "two consumers re-check the queue in a loop around cv_wait",
               .expected = SMP_CLEAN, .cpus = 3, .max_steps = 6000,
               .setup = cv_loop_setup, .check = queue_check)
SMP_SCENARIO_C(cv_no_loop, .target = "sleep", .variant = "cv_no_loop",
               .description = "two consumers wait with `if`, not `while`, around cv_wait",
               .expected = SMP_ASSERTION, .cpus = 3, .max_steps = 6000,
               .setup = cv_no_loop_setup, .check = queue_check)

/* ---- mtsleep with its interlock: the handoff of check_unlock_sleep, done
 * right with the old interface. ---- */

static void interlocked_producer(void* arg) {
  (void)arg;
  mutex_enter(&sc_lock);
  ready = 1;
  mutex_exit(&sc_lock);
  wakeup(&ready);
}

static void interlocked_consumer(void* arg) {
  (void)arg;
  mutex_enter(&sc_lock);
  while (ready == 0) mtsleep(&ready, PZERO, "ready", 0, &sc_lock);
  mutex_exit(&sc_lock);
}

static void interlocked_setup(void) {
  mutex_init(&sc_lock, MUTEX_DEFAULT, IPL_NONE);
  smp_chan_declare(&ready, "sc_chan");
  smp_thread_create("producer", 0, interlocked_producer, NULL);
  smp_thread_create("consumer", 1, interlocked_consumer, NULL);
}

SMP_SCENARIO_C(mtsleep_interlocked, .target = "sleep", .variant = "mtsleep_interlocked",
               .description = "mtsleep releases the interlock atomically with sleeping",
               .expected = SMP_CLEAN, .cpus = 2, .max_steps = 4000,
               .setup = interlocked_setup)
