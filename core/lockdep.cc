#include "core/lockdep.h"

#include <algorithm>
#include <cstring>
#include <typeinfo>
#include <utility>

#include "core/report.h"

namespace smp {
namespace {

const std::string& ObjName(const Machine& m, const Actor& a) {
  return a.kind == CtxKind::kThread ? m.thread_name(a.obj) : m.line_name(a.obj);
}

std::string ContextName(const Machine& m, const Actor& a) {
  return ContextLabel(a.kind, ObjName(m, a));
}

// Actors come from events: their CPU is always a real one.
std::string Describe(const Machine& m, const Actor& a) {
  return ContextText(a.kind, ObjName(m, a), a.level, a.cpu);
}

std::string Quoted(const Machine& m, int lock) {
  return "'" + m.lock_name(lock) + "'";
}

// A lockdep-style "possible scenario": CPU0..CPU(columns-1).
class ScenarioText : public ScenarioColumns {
 public:
  explicit ScenarioText(int columns)
      : ScenarioColumns(Cpus(columns), Heads::kRuled) {}

 private:
  static std::vector<int> Cpus(int columns) {
    std::vector<int> cpus;
    for (int c = 0; c < columns; ++c) cpus.push_back(c);
    return cpus;
  }
};

std::string RecursionMessage(const Machine& m, const Actor& who, int lock,
                             Loc held, Loc wanted) {
  std::string msg =
      "lock misuse: recursive locking of " + Quoted(m, lock) +
      " (locking against myself)\n  " + Describe(m, who) + " holds it since " +
      LocText(held) + " and wants it again at " + LocText(wanted) +
      "; it is not a recursive lock, so this spins forever.\n";
  ScenarioText s(1);
  s.Add(0, "lock(" + m.lock_name(lock) + ")");
  s.Add(0, "lock(" + m.lock_name(lock) + ")");
  return msg + s.Render();
}

}  // namespace

Lockdep* Lockdep::Of(const Machine& m) {
  // Lockdep is final: comparing types is the dynamic_cast, without its
  // walk of the class hierarchy (smp_lock_want asks on every lock).
  for (Observer* o : m.observers()) {
    if (typeid(*o) == typeid(Lockdep)) return static_cast<Lockdep*>(o);
  }
  return nullptr;
}

void Lockdep::Reset() {
  views_.clear();
  num_locks_ = 0;  // classes_ and edges_ keep their room (Grow)
  held_.clear();
  static_assert(kNoCtx == 0xffff);
  std::memset(slots_, 0xff, sizeof slots_);  // every slot kNoCtx
}

void Lockdep::Declare(int lock, const LockClass& cls) { Class(lock).cls = cls; }

void Lockdep::AddIplView(std::function<uint32_t(int cpu)> view) {
  views_.push_back(std::move(view));
}

void Lockdep::Grow(int lock) {
  if (static_cast<int>(classes_.size()) <= lock) {
    classes_.resize(lock + 1);
    edges_.resize(lock + 1);
  }
  // Entries a previous execution used become new ones, keeping the room
  // of their vectors.
  for (int id = num_locks_; id <= lock; ++id) {
    ClassState& c = classes_[id];
    c.cls = LockClass{};
    c.handler_levels = 0;
    c.handler_sites.clear();
    c.held_unblocked = 0;
    c.held_sites.clear();
    edges_[id].clear();
  }
  num_locks_ = lock + 1;
}

bool Lockdep::OnStack(const Held& h, const Actor& who) const {
  const uint16_t* s = slots_[who.cpu];
  for (int d = 0; d <= who.depth; ++d) {
    if (s[d] == h.ctx) return true;
  }
  return false;
}

int Lockdep::FindOwn(uint16_t ctx, int lock) const {
  for (size_t i = 0; i < held_.size(); ++i) {
    if (held_[i].ctx == ctx && held_[i].lock == lock) return static_cast<int>(i);
  }
  return -1;
}

int Lockdep::FindOnStack(const Actor& who, int lock) const {
  for (size_t i = 0; i < held_.size(); ++i) {
    if (held_[i].lock == lock && OnStack(held_[i], who)) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Inline in OnLock (one call per lock event); the rare new level is not.
inline __attribute__((always_inline)) void Lockdep::ObserveHeld(const Actor& who,
                                                                Loc loc) {
  const uint32_t open = ~Blocked(who) & ~1u;
  if (open == 0) return;
  for (const Held& h : held_) {
    if (h.ctx != who.ctx) continue;
    ClassState& c = classes_[h.lock];
    const uint32_t fresh = open & ~c.held_unblocked;
    if (fresh != 0) HeldOpen(c, fresh, who, loc);
  }
}

void Lockdep::HeldOpen(ClassState& c, uint32_t fresh, const Actor& who, Loc loc) {
  c.held_unblocked |= fresh;
  c.held_sites.emplace_back(fresh, Site{who, loc});
}

void Lockdep::AddEdge(int from, int to, uint64_t gates, const Site& held,
                      const Site& via) {
  std::vector<Edge>& out = edges_[from];
  auto it = std::lower_bound(out.begin(), out.end(), to,
                             [](const Edge& e, int t) { return e.to < t; });
  if (it == out.end() || it->to != to) {
    out.insert(it, Edge{to, gates, held, via});
    return;
  }
  if ((it->gates & gates) != it->gates) {
    // A witness under fewer gates: keep it, it is the one a report shows.
    it->gates &= gates;
    it->from = held;
    it->via = via;
  }
}

void Lockdep::Misuse(Machine& m, std::string message, std::string signature,
                     Loc loc) {
  m.Fail(VerdictKind::kLockMisuse, std::move(message), std::move(signature),
         loc);
}

void Lockdep::Want(Machine& m, int lock, Loc loc) {
  const Actor who = m.CurrentActor();
  Touch(who);
  const LockClass cls = Class(lock).cls;
  const int own = FindOwn(who.ctx, lock);
  if (own >= 0 && !cls.recursive) {
    // Only the two moved strings may be alive at Misuse: the context's
    // stack is abandoned, not unwound.
    std::string msg = RecursionMessage(m, who, lock, held_[own].site.loc, loc);
    std::string sig = "lock-misuse recursion " + m.lock_name(lock) + " @" +
                      LocText(loc);
    return Misuse(m, std::move(msg), std::move(sig), loc);
  }
  if (cls.kind == LockKind::kAdaptive && who.kind == CtxKind::kHardIntr) {
    std::string msg =
        "lock misuse: adaptive lock " + Quoted(m, lock) +
        " wanted in hard interrupt context by " + Describe(m, who) + " at " +
        LocText(loc) +
        ": a hard interrupt handler has no thread to sleep with, so it may "
        "only take spin mutexes.";
    std::string sig = "lock-misuse adaptive-in-intr " + m.lock_name(lock) +
                      " @" + LocText(loc);
    return Misuse(m, std::move(msg), std::move(sig), loc);
  }
}

void Lockdep::ReleaseNotHeld(Machine& m, const Actor& who, int lock, Loc loc) {
  std::string msg = "lock misuse: " + Describe(m, who) + " releases " +
                    Quoted(m, lock) + " at " + LocText(loc) +
                    ", which it does not hold";
  for (const Held& h : held_) {
    if (h.lock != lock) continue;
    msg += " (it is held by " + Describe(m, h.site.who) + " since " +
           LocText(h.site.loc) + ")";
    break;
  }
  msg += ".";
  std::string sig = "lock-misuse release-not-held " + m.lock_name(lock) +
                    " @" + LocText(loc);
  return Misuse(m, std::move(msg), std::move(sig), loc);
}

void Lockdep::OnLock(Machine& m, const Actor& who, LockOp op, int lock,
                     Loc loc) {
  Touch(who);
  Class(lock);
  const Site site{who, loc};
  const LockClass cls = classes_[lock].cls;

  if (op == LockOp::kRelease) {
    int i = FindOwn(who.ctx, lock);
    if (i < 0 && cls.kind == LockKind::kSpin) {
      // Spin locks belong to the CPU: another context of the holder's CPU
      // stack may release one.
      i = FindOnStack(who, lock);
    }
    if (i < 0) return ReleaseNotHeld(m, who, lock, loc);
    ObserveHeld(who, loc);
    if (--held_[i].count == 0) held_.erase(held_.begin() + i);
    return;
  }

  const int own = FindOwn(who.ctx, lock);
  if (own >= 0) {
    if (cls.recursive) {
      ++held_[own].count;
      ObserveHeld(who, loc);
      return;
    }
    // Acquired again without a release in between: Want() was not called
    // (or the primitive does not wait).
    Want(m, lock, loc);
    return;
  }
  if (cls.kind == LockKind::kAdaptive && who.kind == CtxKind::kHardIntr) {
    Want(m, lock, loc);
    return;
  }
  const bool reentry = cls.recursive && FindOnStack(who, lock) >= 0;
  if (op == LockOp::kAcquire && !reentry) {
    uint64_t gates = 0;
    for (const Held& h : held_) {
      if (h.lock < 64 && OnStack(h, who)) gates |= uint64_t{1} << h.lock;
    }
    for (size_t i = 0; i < held_.size(); ++i) {
      const Held h = held_[i];
      if (h.lock == lock || !OnStack(h, who)) continue;
      AddEdge(h.lock, lock, gates, h.site, site);
    }
    if (who.kind != CtxKind::kThread && !cls.recursive && who.level > 0 &&
        who.level < 32) {
      ClassState& c = classes_[lock];
      const uint32_t bit = 1u << who.level;
      if ((c.handler_levels & bit) == 0) {
        c.handler_levels |= bit;
        c.handler_sites.emplace_back(who.level, site);
      }
    }
  }
  held_.push_back(Held{who.ctx, lock, 1, site});
  ObserveHeld(who, loc);
}

void Lockdep::OnPark(Machine& m, const Actor& who, int chan, Loc loc) {
  Touch(who);
  for (const Held& h : held_) {
    if (h.ctx != who.ctx) continue;
    const LockClass& cls = classes_[h.lock].cls;
    if (cls.kind != LockKind::kSpin || cls.recursive) continue;
    std::string msg = "lock misuse: " + Describe(m, who) + " parks on '" +
                      m.channel_name(chan) + "' at " + LocText(loc) +
                      " while holding spin lock " + Quoted(m, h.lock) +
                      " (acquired at " + LocText(h.site.loc) +
                      "): whoever spins for it next spins until this thread "
                      "is woken, if ever.";
    std::string sig = "lock-misuse park-holding-spin " + m.lock_name(h.lock) +
                      " @" + LocText(loc);
    return Misuse(m, std::move(msg), std::move(sig), loc);
  }
  slots_[who.cpu][who.depth] = kNoCtx;  // the thread leaves its CPU
}

void Lockdep::OnContextEnd(Machine& m, const Actor& who) {
  for (const Held& h : held_) {
    if (h.ctx != who.ctx) continue;
    std::string msg = "lock misuse: " + Describe(m, who) +
                      " returned while holding " + Quoted(m, h.lock) +
                      " (acquired at " + LocText(h.site.loc) +
                      "): nothing will release it.";
    std::string sig = "lock-misuse ended-holding " + m.lock_name(h.lock) +
                      " @" + LocText(h.site.loc);
    return Misuse(m, std::move(msg), std::move(sig), h.site.loc);
  }
  uint16_t* s = slots_[who.cpu];
  for (int d = who.depth; d < kMaxDepth && s[d] != kNoCtx; ++d) s[d] = kNoCtx;
}

// ---------------------------------------------------------------------------
// Predictions

std::optional<Verdict> Lockdep::Predict(const Machine& m) const {
  if (std::optional<Verdict> v = PredictIpl(m)) return v;
  return PredictOrder(m);
}

void Lockdep::Finish(Machine& m) {
  std::optional<Verdict> v = Predict(m);
  if (!v) return;
  m.Fail(v->kind, std::move(v->message), std::move(v->signature));
}

std::optional<Verdict> Lockdep::PredictIpl(const Machine& m) const {
  for (size_t lock = 0; lock < static_cast<size_t>(num_locks_); ++lock) {
    const ClassState& c = classes_[lock];
    if (c.cls.recursive) continue;
    const uint32_t bad = c.handler_levels & c.held_unblocked;
    if (bad == 0) continue;
    const int level = __builtin_ctz(bad);
    const Site* handler = nullptr;
    for (const auto& [l, site] : c.handler_sites) {
      if (l == level) {
        handler = &site;
        break;
      }
    }
    const Site* holder = nullptr;
    for (const auto& [mask, site] : c.held_sites) {
      if (mask & (1u << level)) {
        holder = &site;
        break;
      }
    }
    const int id = static_cast<int>(lock);
    const std::string name = m.lock_name(id);
    const std::string lv = std::to_string(level);
    Verdict v;
    v.kind = VerdictKind::kIplUnsafe;
    v.message =
        "lockdep: IPL-unsafe lock " + Quoted(m, id) +
        " (potential self-deadlock; this execution did not hit it)\n"
        "  taken in hard interrupt context at level " + lv + ": " +
        Describe(m, handler->who) + " at " + LocText(handler->loc) +
        "\n  held while level " + lv + " was deliverable: " +
        Describe(m, holder->who) + " (CPU mask " +
        std::to_string(holder->who.mask) + ", interrupts on) at " +
        LocText(holder->loc) +
        "\n  a level-" + lv + " interrupt on the holder's CPU would spin on " +
        Quoted(m, id) + " with the holder unable to run.\n";
    ScenarioText s(1);
    s.Add(0, "lock(" + name + ")   [" + ContextName(m, holder->who) + "]");
    s.Add(0, "<interrupt " + m.line_name(handler->who.obj) + ", level " + lv +
                 ">");
    s.Add(0, "  lock(" + name + ")");
    v.message += s.Render();
    v.signature = "ipl-unsafe " + name + " level " + lv + " " +
                  ContextName(m, handler->who);
    return v;
  }
  return std::nullopt;
}

bool Lockdep::FindCycle(int start, int node, uint64_t gates,
                        std::vector<int>* path,
                        std::vector<const Edge*>* edges, int* budget) const {
  for (const Edge& e : edges_[node]) {
    if (--*budget < 0) return false;
    const uint64_t g = gates & e.gates;
    if (e.to == start) {
      if (g != 0) continue;  // every edge ran under one common lock
      edges->push_back(&e);
      return true;
    }
    if (e.to < start ||
        std::find(path->begin(), path->end(), e.to) != path->end()) {
      continue;
    }
    path->push_back(e.to);
    edges->push_back(&e);
    if (FindCycle(start, e.to, g, path, edges, budget)) return true;
    path->pop_back();
    edges->pop_back();
  }
  return false;
}

std::optional<Verdict> Lockdep::PredictOrder(const Machine& m) const {
  int budget = 100000;
  std::vector<int> path;
  std::vector<const Edge*> cycle;
  // Each cycle is found from its lowest-numbered lock.
  for (int s = 0; s < num_locks_; ++s) {
    path.assign(1, s);
    cycle.clear();
    if (!FindCycle(s, s, ~uint64_t{0}, &path, &cycle, &budget)) continue;

    Verdict v;
    v.kind = VerdictKind::kLockOrder;
    v.message =
        "lockdep: possible circular locking dependency (potential deadlock; "
        "this execution did not deadlock)\n";
    std::vector<std::string> parts;
    const int n = static_cast<int>(cycle.size());
    ScenarioText text(n);
    for (int i = 0; i < n; ++i) {
      const Edge& e = *cycle[i];
      const int from = path[i];
      v.message += "  " + Quoted(m, from) + " -> " + Quoted(m, e.to) + ": " +
                   Describe(m, e.from.who) + " acquired " + Quoted(m, from) +
                   " at " + LocText(e.from.loc) + "; then " +
                   (e.via.who.ctx == e.from.who.ctx
                        ? std::string("it")
                        : Describe(m, e.via.who) + ", interrupting it,") +
                   " acquired " + Quoted(m, e.to) + " at " +
                   LocText(e.via.loc) + "\n";
      parts.push_back("[" + m.lock_name(from) + ">" + m.lock_name(e.to) + "]");
    }
    for (int i = 0; i < n; ++i) {
      const Edge& e = *cycle[i];
      if (e.from.who.kind != CtxKind::kThread) {
        text.Add(i, "<interrupt " + m.line_name(e.from.who.obj) + ", level " +
                        std::to_string(e.from.who.level) + ">");
      }
      text.Add(i, "lock(" + m.lock_name(path[i]) + ")");
    }
    for (int i = 0; i < n; ++i) {
      const Edge& e = *cycle[i];
      if (e.via.who.ctx != e.from.who.ctx &&
          e.via.who.kind != CtxKind::kThread) {
        text.Add(i, "<interrupt " + m.line_name(e.via.who.obj) + ", level " +
                        std::to_string(e.via.who.level) + ">");
      }
      text.Add(i, "lock(" + m.lock_name(e.to) + ")");
    }
    v.message += text.Render();
    std::sort(parts.begin(), parts.end());
    v.signature = "lock-order";
    for (const std::string& p : parts) v.signature += " " + p;
    return v;
  }
  return std::nullopt;
}

}  // namespace smp
