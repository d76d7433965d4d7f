/* tsleep(9), mtsleep(9), wakeup(9) (<sys/proc.h>) on the machine's wait
 * channels. */
#include <sys/proc.h>

#include <smp/hw.h>
#include <sys/atomic.h>
#include <sys/mutex.h>
#include <sys/systm.h>

/* The sleep table: NetBSD hashes wchan to one of its buckets; this one
 * has a single bucket, so one generation count serves every channel (see
 * <sys/proc.h>). A hash of the address would choose cells by pointer
 * value, which must not reach the trace. */
static struct sleeptab {
  volatile u_int st_gen; /* bumped by every wakeup */
} sleeptab;

int tsleep_at(wchan_t wchan, pri_t pri, const char* wmesg, int timo, const char* file,
              int line) {
  (void)pri;
  (void)wmesg;
  (void)timo;
  smp_park_at(wchan, file, line); /* unconditional: an earlier wakeup is gone */
  return 0;
}

int mtsleep_at(wchan_t wchan, pri_t pri, const char* wmesg, int timo, kmutex_t* mtx,
               const char* file, int line) {
  (void)wmesg;
  (void)timo;
  /* Read with the interlock still held, so that a wakeup done under it
   * comes either before this read (the caller's condition shows it) or
   * after (the count shows it, and we do not sleep). */
  const u_int gen = atomic_load_relaxed(&sleeptab.st_gen);
  mutex_exit_at(mtx, file, line);
  (void)smp_park_while_at(wchan, &sleeptab.st_gen, sizeof sleeptab.st_gen, gen, file,
                          line);
  if ((pri & PNORELOCK) == 0) mutex_enter_at(mtx, file, line);
  return 0;
}

void wakeup_at(wchan_t wchan, const char* file, int line) {
  atomic_inc_uint(&sleeptab.st_gen);
  (void)smp_unpark_at(wchan, file, line);
}
