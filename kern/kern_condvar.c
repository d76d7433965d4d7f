/* condvar(9) (<sys/condvar.h>) on the machine's wait channels. */
#include <sys/condvar.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/mutex.h>
#include <sys/systm.h>

void cv_init(kcondvar_t* cv, const char* wmesg) {
  cv->cv_gen = 0;
  smp_chan_declare(cv, wmesg);
  /* Read plainly under the mutex and bumped atomically without it: a
   * flag, not a data race. */
  smp_mark_atomic(&cv->cv_gen, sizeof cv->cv_gen);
}

void cv_destroy(kcondvar_t* cv) { (void)cv; }

void cv_wait_at(kcondvar_t* cv, kmutex_t* mtx, const char* file, int line) {
  /* Read while the mutex is held: a signaller that holds it too cannot
   * slip in between this read and the release. */
  const u_int gen = atomic_load_relaxed(&cv->cv_gen);
  mutex_exit_at(mtx, file, line);
  /* Sleeps unless a signal or broadcast bumped the count after the read
   * above: that wakeup is not lost, it keeps us from sleeping. */
  (void)smp_park_while_at(cv, &cv->cv_gen, sizeof cv->cv_gen, gen, file, line);
  mutex_enter_at(mtx, file, line);
}

int cv_wait_sig_at(kcondvar_t* cv, kmutex_t* mtx, const char* file, int line) {
  cv_wait_at(cv, mtx, file, line);
  return 0;
}

void cv_signal_at(kcondvar_t* cv, const char* file, int line) {
  atomic_inc_uint(&cv->cv_gen);
  (void)smp_unpark_one_at(cv, file, line);
}

void cv_broadcast_at(kcondvar_t* cv, const char* file, int line) {
  atomic_inc_uint(&cv->cv_gen);
  (void)smp_unpark_at(cv, file, line);
}
