#include "core/fiber.h"

#include <vector>

#include "gtest/gtest.h"

namespace smp {
namespace {

struct PingPong {
  FiberPool* pool;
  Fiber* self;
  Fiber* other;
  std::vector<int>* log;
  int id;
};

void PingPongMain(void* arg) {
  auto* p = static_cast<PingPong*>(arg);
  for (int i = 0; i < 3; ++i) {
    p->log->push_back(p->id * 10 + i);
    p->pool->SwitchTo(p->self, p->other);
  }
  p->pool->SwitchTo(p->self, p->pool->main(), /*from_is_dying=*/true);
}

TEST(Fiber, TwoFibersAlternateDirectly) {
  FiberPool pool;
  std::vector<int> log;
  PingPong a{&pool, nullptr, nullptr, &log, 1};
  PingPong b{&pool, nullptr, nullptr, &log, 2};
  a.self = pool.Acquire(&PingPongMain, &a);
  b.self = pool.Acquire(&PingPongMain, &b);
  a.other = b.self;
  b.other = a.self;
  pool.SwitchTo(pool.main(), a.self);
  // a leaves for good after its third round, while b waits in its last switch.
  EXPECT_EQ(log, (std::vector<int>{10, 20, 11, 21, 12, 22}));
  pool.Release(a.self);
  pool.Release(b.self);
}

struct Deep {
  FiberPool* pool;
  Fiber* self;
  double result;
};

double Recurse(int n, double x) {
  volatile double pad[16];
  for (int i = 0; i < 16; ++i) pad[i] = x + i;
  return n == 0 ? pad[3] : Recurse(n - 1, x * 1.0001) + pad[1] * 1e-9;
}

void DeepMain(void* arg) {
  auto* d = static_cast<Deep*>(arg);
  d->result = Recurse(100, 1.5);  // uses stack and floating point
  d->pool->SwitchTo(d->self, d->pool->main(), true);
}

TEST(Fiber, StacksAreReusedAcrossManyRuns) {
  FiberPool pool;
  for (int i = 0; i < 1000; ++i) {
    Deep d{&pool, nullptr, 0};
    d.self = pool.Acquire(&DeepMain, &d);
    pool.SwitchTo(pool.main(), d.self);
    ASSERT_GT(d.result, 1.5);
    pool.Release(d.self);
  }
  EXPECT_EQ(pool.stacks_allocated(), 1u);
}

void AbandonMain(void* arg) {
  auto* d = static_cast<Deep*>(arg);
  d->result = 1;
  // Leave for good without finishing, as a deadlocked context does.
  d->pool->SwitchTo(d->self, d->pool->main());
  d->result = 2;  // never reached
}

TEST(Fiber, AbandonedFiberCanBeResetAndReused) {
  FiberPool pool;
  Deep d{&pool, nullptr, 0};
  d.self = pool.Acquire(&AbandonMain, &d);
  pool.SwitchTo(pool.main(), d.self);
  EXPECT_EQ(d.result, 1);
  pool.Release(d.self);
  Deep e{&pool, nullptr, 0};
  e.self = pool.Acquire(&DeepMain, &e);
  EXPECT_EQ(e.self, d.self);
  pool.SwitchTo(pool.main(), e.self);
  EXPECT_GT(e.result, 1.5);
  pool.Release(e.self);
}

}  // namespace
}  // namespace smp
