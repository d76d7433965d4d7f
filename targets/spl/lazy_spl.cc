#include "targets/spl/lazy_spl.h"

#include <utility>

#include "core/lockdep.h"

namespace smp::spl {
namespace {

const char* LevelName(int level) {
  switch (level) {
    case kLevelBio: return "bio";
    case kLevelNet: return "net";
    case kLevelTty: return "tty";
    case kLevelVm: return "vm";
    case kLevelClock: return "clock";
    case kLevelSched: return "sched";
    case kLevelHigh: return "high";
    default: return "?";
  }
}

}  // namespace

LazySpl::LazySpl(Machine& m, SplNames names, LazySplOptions options)
    : Spl(names), m_(m), options_(options) {
  for (int k = 0; k < m.num_cpus(); ++k) {
    const std::string cpu = "cpu" + std::to_string(k);
    cpl_.push_back(std::make_unique<Shared<uint32_t>>(m, cpu + ".cpl"));
    ipending_.push_back(
        std::make_unique<Shared<uint64_t>>(m, cpu + ".ipending"));
  }
  lockdep_ = Lockdep::Of(m);
  if (lockdep_ != nullptr) {
    // Lockdep asks for the acting context's CPU: Peek is that CPU's view.
    lockdep_->AddIplView([this](int cpu) { return cpl_[cpu]->Peek(); });
  }
  if (options_.one_cpu_per_level) {
    tokens_.resize(kLevelHigh + 1);
    token_locks_.assign(kLevelHigh + 1, -1);
    for (int level = kLevelBio; level <= kLevelHigh; ++level) {
      const std::string name = std::string("ipl.") + LevelName(level);
      tokens_[level] = std::make_unique<Shared<int>>(m, name + ".owner");
      token_locks_[level] = m.AddLock(name, *tokens_[level]);
      token_levels_ |= Bit(level);
    }
  }
}

int LazySpl::EstablishLine(std::string name, int level, SplMask run,
                           std::function<void()> handler) {
  return Wrap(std::move(name), level, run, /*soft=*/false, std::move(handler));
}

int LazySpl::EstablishSoftLine(std::string name, int level,
                               std::function<void()> handler) {
  return Wrap(std::move(name), level, UpTo(level), /*soft=*/true,
              std::move(handler));
}

int LazySpl::Wrap(std::string name, int level, SplMask run, bool soft,
                  std::function<void()> handler) {
  const int h = static_cast<int>(handlers_.size());
  auto entry = [this, h] { Dispatch(h); };
  const int line = soft ? m_.AddSoftLine(std::move(name), level, entry)
                        : m_.AddLine(std::move(name), level, entry);
  handlers_.push_back(Handler{line, level, run, std::move(handler)});
  if (line >= static_cast<int>(handler_of_line_.size())) {
    handler_of_line_.resize(line + 1, -1);
  }
  handler_of_line_[line] = h;
  return line;
}

SplMask LazySpl::splraise(SplMask levels, Loc loc) {
  const int k = m_.cpu();
  Shared<uint32_t>& cpl = *cpl_[k];
  const SplMask old = cpl.Load(loc);
  // The bug: the requested set replaces the current one.
  const SplMask want = options_.bugs.raise_can_lower ? levels : (old | levels);
  cpl.Store(want, loc);
  // Blocked locally first, then the tokens: a CPU owning a level's token
  // always blocks that level, so its handlers there are deferred, never
  // forwarded to itself.
  if (options_.one_cpu_per_level) TakeTokens(k, want & ~old, loc);
  return old;
}

void LazySpl::splx(SplMask s, Loc loc) {
  const int k = m_.cpu();
  Shared<uint32_t>& cpl = *cpl_[k];
  const bool enabled = m_.interrupts_enabled();
  const SplBugs& bugs = options_.bugs;
  if (bugs.splx_no_replay) {
    const SplMask old = options_.one_cpu_per_level ? cpl.Load(loc) : 0;
    cpl.Store(s, loc);
    if (options_.one_cpu_per_level) DropTokens(k, old & ~s, loc);
    return;
  }
  if (enabled) m_.DisableInterrupts(loc);
  if (bugs.splx_check_then_lower) {
    const SplMask old = cpl.Load(loc);
    Replay(k, s, old, enabled, loc);
    if (enabled) m_.EnableInterrupts(loc);
    // The window: an interrupt taken here is deferred against `old`.
    cpl.Store(s, loc);
    if (options_.one_cpu_per_level) DropTokens(k, old & ~s, loc);
    return;
  }
  if (options_.one_cpu_per_level) {
    const SplMask old = cpl.Load(loc);
    cpl.Store(s, loc);
    DropTokens(k, old & ~s, loc);
  } else {
    cpl.Store(s, loc);
  }
  Replay(k, s, s, enabled, loc);
  if (enabled) m_.EnableInterrupts(loc);
}

void LazySpl::Dispatch(int h) {
  const Loc loc = Loc::Here();
  const Handler& handler = handlers_[h];
  const int k = m_.cpu();
  Shared<uint32_t>& cpl = *cpl_[k];
  const SplMask c = cpl.Load(loc);
  if (c & Bit(handler.level)) {
    Pend(k, handler.line, loc);
    return;
  }
  if (options_.one_cpu_per_level &&
      TryTokens(k, handler.run & ~c, handler.line, loc) != Tokens::kTaken) {
    return;
  }
  cpl.Store(c | handler.run, loc);
  handler.fn();
  splx(c, loc);  // Xdoreti: lower back, replaying what became deliverable
}

void LazySpl::Pend(int cpu, int line, Loc loc) {
  Shared<uint64_t>& pending = *ipending_[cpu];
  for (;;) {
    const uint64_t p = pending.Load(loc);
    if (pending.Cas(p, p | (uint64_t{1} << line), loc)) break;
  }
  ++stats_.deferred;
}

void LazySpl::Replay(int cpu, SplMask s, SplMask restore, bool enable,
                     Loc loc) {
  Shared<uint64_t>& pending = *ipending_[cpu];
  for (;;) {
    const uint64_t p = pending.Load(loc);
    // Highest level first, lowest line among equals, as hardware would.
    int best = -1;
    for (uint64_t bits = p; bits != 0; bits &= bits - 1) {
      const int line = __builtin_ctzll(bits);
      const int h = handler_of_line_[line];
      if (s & Bit(handlers_[h].level)) continue;
      if (best < 0 || handlers_[h].level > handlers_[best].level) best = h;
    }
    if (best < 0) return;
    const uint64_t bit = uint64_t{1} << handlers_[best].line;
    if (!pending.Cas(p, p & ~bit, loc)) continue;
    ++stats_.replayed;
    // Re-deferred here (a level token this CPU owns): a later splx gets it.
    if (!RunDeferred(cpu, best, s, restore, enable, loc)) return;
  }
}

bool LazySpl::RunDeferred(int cpu, int h, SplMask s, SplMask restore,
                          bool enable, Loc loc) {
  const Handler& handler = handlers_[h];
  if (options_.one_cpu_per_level) {
    const Tokens got = TryTokens(cpu, handler.run & ~s, handler.line, loc);
    if (got != Tokens::kTaken) return got == Tokens::kForwarded;
  }
  Shared<uint32_t>& cpl = *cpl_[cpu];
  cpl.Store(s | handler.run, loc);
  if (enable) m_.EnableInterrupts(loc);
  handler.fn();
  if (enable) m_.DisableInterrupts(loc);
  if (options_.one_cpu_per_level) DropTokens(cpu, handler.run & ~s, loc);
  cpl.Store(restore, loc);
  return true;
}

void LazySpl::TakeTokens(int cpu, SplMask levels, Loc loc) {
  for (SplMask bits = levels & token_levels_; bits != 0; bits &= bits - 1) {
    const int level = __builtin_ctz(bits);
    Shared<int>& token = *tokens_[level];
    if (lockdep_ != nullptr) lockdep_->Want(m_, token_locks_[level], loc);
    bool waited = false;
    for (;;) {
      const Word owner = m_.Cas(token, 0, static_cast<Word>(cpu + 1), loc);
      if (owner == 0) break;
      waited = true;
      token.SpinWhile(static_cast<int>(owner), loc);
    }
    if (waited) ++stats_.token_waits;
    // A token is a lock on what runs at its level: the owner's accesses
    // stay after the take and before the drop under any memory model.
    m_.Membar(Barrier::kAcquire, loc);
    m_.LockAcquired(token_locks_[level], loc);
  }
}

LazySpl::Tokens LazySpl::TryTokens(int cpu, SplMask levels, int line,
                                   Loc loc) {
  SplMask taken = 0;
  for (SplMask bits = levels & token_levels_; bits != 0; bits &= bits - 1) {
    const int level = __builtin_ctz(bits);
    const Word owner =
        m_.Cas(*tokens_[level], 0, static_cast<Word>(cpu + 1), loc);
    if (owner == 0) {
      m_.Membar(Barrier::kAcquire, loc);
      m_.LockTryAcquired(token_locks_[level], loc);
      taken |= Bit(level);
      continue;
    }
    DropTokens(cpu, taken, loc);
    if (owner == static_cast<Word>(cpu + 1)) {
      // This CPU owns the level (its handler being replayed asks for a
      // level its own splx has not dropped yet): defer here.
      Pend(cpu, line, loc);
      return Tokens::kDeferredHere;
    }
    ++stats_.forwarded;
    m_.SendIpi(static_cast<int>(owner) - 1, line, loc);
    return Tokens::kForwarded;
  }
  return Tokens::kTaken;
}

void LazySpl::DropTokens(int cpu, SplMask levels, Loc loc) {
  (void)cpu;
  for (SplMask bits = levels & token_levels_; bits != 0; bits &= bits - 1) {
    const int level = __builtin_ctz(bits);
    m_.LockReleased(token_locks_[level], loc);
    m_.Membar(Barrier::kRelease, loc);
    tokens_[level]->Store(0, loc);
  }
}

}  // namespace smp::spl
