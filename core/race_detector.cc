#include "core/race_detector.h"

#include <algorithm>
#include <utility>

#include "core/machine.h"

namespace smp {
namespace {

std::string At(Loc loc) { return LocText(loc); }

std::string Who(const Machine& m, const Actor& a) {
  std::string s = a.kind == CtxKind::kThread
                      ? "thread " + m.thread_name(a.obj)
                      : "handler '" + m.line_name(a.obj) + "' (level " +
                            std::to_string(a.level) + ")";
  return s + " on CPU" + std::to_string(a.cpu);
}

}  // namespace

RaceDetector* RaceDetector::Of(const Machine& m) {
  for (Observer* o : m.observers()) {
    if (auto* r = dynamic_cast<RaceDetector*>(o)) return r;
  }
  return nullptr;
}

void RaceDetector::AddIplView(std::function<uint32_t(int cpu)> view) {
  views_.push_back(std::move(view));
}

void RaceDetector::Reset() {
  views_.clear();
  for (int i = 0; i < contexts_; ++i) {
    clocks_[i].clear();
    release_count_[i] = 0;
    for (int from : acquirable_from_[i]) acquirable_[i][from] = -1;
    acquirable_from_[i].clear();
    interrupted_[i] = -1;
    held_[i] = 0;
  }
  contexts_ = 0;
  for (std::vector<Clock>* table : {&lock_clocks_, &chan_clocks_, &ipi_clocks_, &idle_clocks_}) {
    for (Clock& c : *table) c.clear();
  }
  for (int i = 0; i < cells_used_; ++i) {
    cells_[i].recent.clear();
    cells_[i].released_ctx = -1;
    cells_[i].released_index = -1;
  }
  cells_used_ = 0;
}

void RaceDetector::Grow(int ctx) {
  if (ctx < contexts_) return;
  contexts_ = ctx + 1;
  if (static_cast<int>(clocks_.size()) < contexts_) {
    clocks_.resize(contexts_);
    releases_.resize(contexts_);
    release_count_.resize(contexts_, 0);
    acquirable_.resize(contexts_);
    acquirable_from_.resize(contexts_);
    interrupted_.resize(contexts_, -1);
    held_.resize(contexts_, 0);
  }
}

RaceDetector::Clock& RaceDetector::NewClock(int ctx) {
  Grow(ctx);
  Clock& c = clocks_[ctx];
  if (static_cast<int>(c.size()) <= ctx) c.resize(ctx + 1, 0);
  if (c[ctx] == 0) c[ctx] = 1;
  return c;
}

void RaceDetector::Join(Clock& into, const Clock& from) {
  if (into.size() < from.size()) into.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i) into[i] = std::max(into[i], from[i]);
}

void RaceDetector::Tick(int ctx) { ++ClockOf(ctx)[ctx]; }

void RaceDetector::OnLock(Machine&, const Actor& who, LockOp op, int lock, Loc) {
  Clock& c = ClockOf(who.ctx);
  if (static_cast<int>(lock_clocks_.size()) <= lock) lock_clocks_.resize(lock + 1);
  const uint64_t bit = lock < 64 ? uint64_t{1} << lock : 0;
  if (op == LockOp::kRelease) {
    lock_clocks_[lock] = c;
    held_[who.ctx] &= ~bit;
    Tick(who.ctx);
  } else {
    Join(c, lock_clocks_[lock]);
    held_[who.ctx] |= bit;
  }
}

void RaceDetector::OnContextStart(Machine&, const Actor& who, int interrupted) {
  if (interrupted >= 0) {
    Grow(std::max<int>(interrupted, who.ctx));  // the two references stay valid
    const Clock& below = ClockOf(interrupted);
    Join(ClockOf(who.ctx), below);
    Tick(interrupted);
  } else if (who.kind != CtxKind::kThread) {
    Join(ClockOf(who.ctx), IdleClock(who.cpu));
  }
  ClockOf(who.ctx);
  interrupted_[who.ctx] = interrupted;
  if (who.kind != CtxKind::kThread) {
    const size_t slot = static_cast<size_t>(who.cpu) * kMaxLines + who.obj;
    if (slot < ipi_clocks_.size() && !ipi_clocks_[slot].empty()) {
      Join(ClockOf(who.ctx), ipi_clocks_[slot]);
      ipi_clocks_[slot].clear();
    }
  }
}

void RaceDetector::OnContextEnd(Machine&, const Actor& who) {
  const Clock& mine = ClockOf(who.ctx);
  const int below = interrupted_[who.ctx];  // started earlier: no table grows
  if (below >= 0) {
    Join(ClockOf(below), mine);
  } else {
    Join(IdleClock(who.cpu), mine);  // the CPU is idle (again) after it
  }
}

RaceDetector::Clock& RaceDetector::IdleClock(int cpu) {
  if (static_cast<int>(idle_clocks_.size()) <= cpu) idle_clocks_.resize(cpu + 1);
  return idle_clocks_[cpu];
}

void RaceDetector::OnPlaced(Machine&, const Actor& who) {
  Clock& mine = ClockOf(who.ctx);
  Join(mine, IdleClock(who.cpu));
}

void RaceDetector::OnPark(Machine&, const Actor& who, int, Loc) {
  const Clock& mine = ClockOf(who.ctx);
  Join(IdleClock(who.cpu), mine);
  Tick(who.ctx);
}

void RaceDetector::OnIpi(Machine&, const Actor& who, int target_cpu, int line, Loc) {
  const size_t slot = static_cast<size_t>(target_cpu) * kMaxLines + line;
  if (ipi_clocks_.size() <= slot) ipi_clocks_.resize(slot + 1);
  const Clock& mine = ClockOf(who.ctx);
  Join(ipi_clocks_[slot], mine);
  Tick(who.ctx);
}

void RaceDetector::OnUnpark(Machine&, const Actor& who, int chan, Loc) {
  if (static_cast<int>(chan_clocks_.size()) <= chan) chan_clocks_.resize(chan + 1);
  Join(chan_clocks_[chan], ClockOf(who.ctx));
  Tick(who.ctx);
}

void RaceDetector::OnWake(Machine&, const Actor& who, int chan) {
  if (chan < static_cast<int>(chan_clocks_.size())) {
    Clock& mine = ClockOf(who.ctx);
    Join(mine, chan_clocks_[chan]);
  }
}

void RaceDetector::OnBarrier(Machine&, const Actor& who, Barrier kind, Loc) {
  const bool release = kind == Barrier::kRelease || kind == Barrier::kExit ||
                       kind == Barrier::kProducer || kind == Barrier::kSync;
  const bool acquire = kind == Barrier::kAcquire || kind == Barrier::kConsumer ||
                       kind == Barrier::kEnter || kind == Barrier::kSync;
  Clock& mine = ClockOf(who.ctx);
  if (acquire) {
    std::vector<int>& index = acquirable_[who.ctx];
    for (int from : acquirable_from_[who.ctx]) {
      Join(mine, releases_[from][index[from]]);
      index[from] = -1;
    }
    acquirable_from_[who.ctx].clear();
  }
  if (release) {
    std::vector<Clock>& history = releases_[who.ctx];
    const int n = release_count_[who.ctx]++;
    if (n < static_cast<int>(history.size())) {
      history[n] = mine;  // copies into storage kept from earlier executions
    } else {
      history.push_back(mine);
    }
    Tick(who.ctx);
  }
}

void RaceDetector::OnAccess(Machine& m, const Actor& who, int cell,
                            AccessKind kind, Loc loc) {
  if (static_cast<int>(cells_.size()) <= cell) cells_.resize(cell + 1);
  cells_used_ = std::max(cells_used_, cell + 1);
  Shadow& sh = cells_[cell];
  Clock& mine = ClockOf(who.ctx);
  // Synchronisation through the cell, whatever kind of access.
  if (kind == AccessKind::kLoad || kind == AccessKind::kRmw) {
    if (sh.released_index >= 0) {
      std::vector<int>& index = acquirable_[who.ctx];
      const int from = sh.released_ctx;
      if (static_cast<int>(index.size()) <= from) index.resize(from + 1, -1);
      if (index[from] < sh.released_index) {
        if (index[from] < 0) acquirable_from_[who.ctx].push_back(from);
        index[from] = sh.released_index;
      }
    }
  }
  if (kind == AccessKind::kStore || kind == AccessKind::kRmw) {
    sh.released_ctx = who.ctx;
    sh.released_index = release_count_[who.ctx] - 1;
  }
  if (kind == AccessKind::kRmw || m.IsAtomic(cell) || m.IsLockWord(cell)) return;

  Access now;
  now.ctx = who.ctx;
  now.epoch = mine[who.ctx];
  now.write = kind == AccessKind::kStore;
  now.loc = loc;
  now.who = who;
  now.locks = held_[who.ctx];
  // Read only where it can matter: as the lower side of a same-CPU race,
  // which needs interrupts enabled.
  if (who.intr_enabled) {
    for (const auto& view : views_) now.soft |= view(who.cpu);
  }

  // Of several accesses this one races with, the one reported is the
  // lowest context's (its load before its store), never the first in
  // `recent`: that order is when each context first touched the cell, and
  // a search that reorders two commuting loads must not change the report.
  const Access* race = nullptr;
  bool race_same_cpu = false;
  for (const Access& a : sh.recent) {
    if (a.ctx == who.ctx || (!a.write && !now.write)) continue;
    bool same_cpu = false;
    if (Ordered(a, mine)) {
      // Same CPU, a handler against a context it could interrupt there.
      if (a.who.cpu != who.cpu || (a.locks & now.locks) != 0) continue;
      const Access* low = nullptr;
      const Access* high = nullptr;
      if (who.kind != CtxKind::kThread && a.who.level < who.level) {
        low = &a;
        high = &now;
      } else if (a.who.kind != CtxKind::kThread && who.level < a.who.level) {
        low = &now;
        high = &a;
      }
      if (low == nullptr || !low->who.intr_enabled || low->who.mask >= high->who.level ||
          (high->who.level < 32 && ((low->soft >> high->who.level) & 1) != 0)) {
        continue;
      }
      same_cpu = true;
    }
    if (race == nullptr || a.ctx < race->ctx || (a.ctx == race->ctx && !a.write)) {
      race = &a;
      race_same_cpu = same_cpu;
    }
  }
  if (race != nullptr) return Report(m, cell, *race, now, race_same_cpu);
  // Remember the newest load and store of each context.
  auto same = std::find_if(sh.recent.begin(), sh.recent.end(), [&](const Access& a) {
    return a.ctx == now.ctx && a.write == now.write;
  });
  if (same != sh.recent.end()) {
    *same = now;
  } else {
    sh.recent.push_back(now);
  }
}

void RaceDetector::Report(Machine& m, int cell, const Access& earlier,
                          const Access& now, bool same_cpu) {
  std::string message, signature;
  {
    auto what = [](const Access& a) { return a.write ? "store" : "load"; };
    const std::string name = "'" + m.cell_name(cell) + "'";
    if (same_cpu) {
      const Access& low = now.who.kind != CtxKind::kThread &&
                                  earlier.who.level < now.who.level
                              ? earlier
                              : now;
      const Access& high = &low == &earlier ? now : earlier;
      message = "data race on " + name + " on CPU" + std::to_string(low.who.cpu) +
                ": " + Who(m, low.who) + " " + what(low) + "s it at " + At(low.loc) +
                " with the CPU's mask at " + std::to_string(low.who.mask) +
                ", and " + Who(m, high.who) + " " + what(high) + "s it at " +
                At(high.loc) + " with no lock in common: the handler can run in "
                "the middle of the thread's access. Raise the mask to " +
                std::to_string(high.who.level) +
                " (spl) around it, or protect both with one lock.";
    } else {
      message = "data race on " + name + ": " + what(earlier) + " by " +
                Who(m, earlier.who) + " at " + At(earlier.loc) + " and " +
                what(now) + " by " + Who(m, now.who) + " at " + At(now.loc) +
                " are not ordered by a lock, a release/acquire barrier pair, an "
                "interrupt, an IPI or a wakeup.";
    }
    std::string a = At(earlier.loc), b = At(now.loc);
    if (b < a) std::swap(a, b);
    signature = "data-race " + m.cell_name(cell) + " [" + a + "] [" + b + "]";
  }
  m.Fail(VerdictKind::kDataRace, std::move(message), std::move(signature), now.loc);
}

}  // namespace smp
