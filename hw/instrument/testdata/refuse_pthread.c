/* smp_pass must refuse calls to pthread_*. */
typedef unsigned long pthread_t;
int pthread_create(pthread_t*, const void*, void* (*)(void*), void*);

static void* worker(void* arg) { return arg; }

int start(void) {
  pthread_t t;
  return pthread_create(&t, 0, worker, 0); /* EXPECT-ERROR */
}
