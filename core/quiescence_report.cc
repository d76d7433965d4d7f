// The quiescence reports: deadlock (the CPUs' context stacks, the wait-for
// cycle and its CPU columns), lost wakeup and lost interrupt.
#include "core/quiescence_report.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/cell.h"
#include "core/loc.h"
#include "core/report.h"

namespace smp {
namespace {

Verdict MakeVerdict(VerdictKind kind, std::string message, std::string signature) {
  Verdict v;
  v.kind = kind;
  v.message = std::move(message);
  v.signature = std::move(signature);
  return v;
}

}  // namespace

std::optional<Verdict> QuiescenceReport::Judge() const {
  for (int k = 0; k < m_.num_cpus; ++k) {
    const Context* top = m_.cpus[k].Top();
    if (top != nullptr && top->state == CtxState::kSpinning) return Deadlock();
  }
  for (const internal::Thread& t : m_.threads) {
    if (t.ctx->state == CtxState::kParked) return LostWakeup(t);
  }
  for (int k = 0; k < m_.num_cpus; ++k) {
    if (m_.cpus[k].pending != 0) return LostInterrupt(k);
  }
  return std::nullopt;
}

Verdict QuiescenceReport::LostWakeup(const internal::Thread& t) const {
  const Context* c = t.ctx;
  const internal::Channel& ch = m_.channels[c->chan];
  std::string msg = "lost wakeup: thread " + t.name + " parked on '" +
                    ch.name + "' at " + LocText(c->park_loc) +
                    " and nothing is left to wake it.";
  if (ch.last_unpark_step != 0 && ch.last_unpark_step < c->park_step) {
    msg += "\n  the last unpark of '" + ch.name + "' came before it parked (" +
           LocText(ch.last_unpark_loc) + ", step " +
           std::to_string(ch.last_unpark_step) + " < " +
           std::to_string(c->park_step) + "): that wakeup was lost.";
  } else if (ch.last_unpark_step == 0) {
    msg += "\n  '" + ch.name + "' was never unparked.";
  }
  if (c->park_cell >= 0) msg += m_.LastWriteText(c->park_cell);
  msg += m_.OverwriteText("the last write that discarded a change it never read");
  return MakeVerdict(VerdictKind::kLostWakeup, std::move(msg),
                     "lost-wakeup thread " + t.name + " on " + ch.name + " @" +
                         LocText(c->park_loc));
}

Verdict QuiescenceReport::LostInterrupt(int cpu) const {
  const internal::Cpu& c = m_.cpus[cpu];
  const int line = __builtin_ctzll(c.pending);
  const std::string why =
      !c.intr_enabled ? "its interrupts were left disabled"
                      : "its priority mask was left at " + std::to_string(c.mask);
  const internal::Line& l = m_.lines[line];
  return MakeVerdict(VerdictKind::kLostWakeup,
                     "lost interrupt: line '" + l.name + "' (level " +
                         std::to_string(l.level) + ") is pending on CPU" +
                         std::to_string(cpu) + " but will never be serviced: " +
                         why + " when everything else had finished.",
                     "lost-interrupt " + l.name);
}

std::string QuiescenceReport::ScenarioSummary(
    const std::vector<const Context*>& cycle) const {
  // The lockdep-style picture: one column per CPU of the cycle, first what
  // each context holds, then the interrupt that stacked on it, then what
  // it spins on.
  std::vector<int> cpus;
  for (const Context* c : cycle) {
    if (std::find(cpus.begin(), cpus.end(), c->cpu) == cpus.end()) cpus.push_back(c->cpu);
  }
  std::sort(cpus.begin(), cpus.end());
  ScenarioColumns out(cpus, ScenarioColumns::Heads::kPlain);
  auto column = [&](int cpu) {
    return static_cast<int>(std::find(cpus.begin(), cpus.end(), cpu) - cpus.begin());
  };
  std::vector<const Context*> order(cycle.begin(), cycle.end());
  std::stable_sort(order.begin(), order.end(), [](const Context* a, const Context* b) {
    return a->kind == CtxKind::kThread && b->kind != CtxKind::kThread;
  });
  for (const Context* c : order) {  // what each holds
    for (const internal::Lock& l : m_.locks) {
      if (l.owner == c) out.Add(column(c->cpu), m_.Label(c) + ": lock(" + l.name + ")");
    }
  }
  for (const Context* c : order) {  // interrupts, then the spins
    if (c->kind != CtxKind::kThread) {
      out.Add(column(c->cpu), "<interrupt " + m_.lines[c->obj].name + ", level " +
                                  std::to_string(c->level) + ">");
    }
  }
  for (const Context* c : order) {
    if (c->state != CtxState::kSpinning || m_.cells[c->wait_cell->id()].lock < 0) {
      continue;
    }
    out.Add(column(c->cpu), m_.Label(c) + ": lock(" +
                                m_.locks[m_.cells[c->wait_cell->id()].lock].name +
                                ") spins");
  }
  return out.Render();
}

const internal::Context* QuiescenceReport::Blocker(const Context* c) const {
  const internal::Cpu& cpu = m_.cpus[c->cpu];
  if (cpu.Top() != c) {
    if (c == cpu.thread) return cpu.stack.front();
    for (size_t i = 0; i + 1 < cpu.stack.size(); ++i) {
      if (cpu.stack[i] == c) return cpu.stack[i + 1];
    }
    return nullptr;
  }
  if (c->state != CtxState::kSpinning) return nullptr;
  const int lock = m_.cells[c->wait_cell->id()].lock;
  if (lock < 0) return nullptr;
  const Context* owner = m_.locks[lock].owner;
  return (owner != nullptr && owner->state != CtxState::kDone) ? owner : nullptr;
}

std::string QuiescenceReport::WaitText(const Context* c) const {
  const internal::CellInfo& ci = m_.cells[c->wait_cell->id()];
  std::string s = "spins on '" + ci.Name() + "' at " + LocText(c->wait_loc);
  if (ci.lock >= 0) {
    const internal::Lock& l = m_.locks[ci.lock];
    s += " [lock " + l.name;
    if (l.owner != nullptr) {
      s += ", held by " + m_.Describe(l.owner) + " since " + LocText(l.acquired_at);
    }
    s += "]";
  }
  return s;
}

Verdict QuiescenceReport::Deadlock() const {
  std::string msg = "deadlock: no context can make progress\n";
  for (int k = 0; k < m_.num_cpus; ++k) {
    const internal::Cpu& cpu = m_.cpus[k];
    msg += "  CPU" + std::to_string(k) + " (mask " + std::to_string(cpu.mask) +
           (cpu.intr_enabled ? "" : ", interrupts off") + "): ";
    std::vector<const Context*> stack;
    if (cpu.thread != nullptr) stack.push_back(cpu.thread);
    stack.insert(stack.end(), cpu.stack.begin(), cpu.stack.end());
    if (stack.empty()) msg += "idle";
    for (size_t i = 0; i < stack.size(); ++i) {
      const Context* c = stack[i];
      if (i > 0) msg += "\n      interrupted by ";
      msg += m_.Label(c);
      if (c->kind != CtxKind::kThread) {
        msg += " (level " + std::to_string(c->level) + ")";
      }
      if (c->state == CtxState::kSpinning) msg += ", " + WaitText(c);
    }
    msg += "\n";
  }

  // Find a cycle: follow blockers from each spinning context in id order.
  std::vector<const Context*> cycle;
  for (const Context& start : m_.contexts) {
    if (start.state != CtxState::kSpinning) continue;
    std::vector<const Context*> path;
    const Context* c = &start;
    while (c != nullptr &&
           std::find(path.begin(), path.end(), c) == path.end()) {
      path.push_back(c);
      c = Blocker(c);
    }
    if (c != nullptr) {
      cycle.assign(std::find(path.begin(), path.end(), c), path.end());
      break;
    }
  }

  std::vector<std::string> sig_parts;
  if (!cycle.empty()) {
    bool one_cpu = true;
    for (const Context* c : cycle) one_cpu &= c->cpu == cycle[0]->cpu;
    msg += one_cpu ? "self-deadlock on CPU" + std::to_string(cycle[0]->cpu) +
                         ": an interrupt handler waits for a lock held by the "
                         "context it interrupted\n"
                   : "wait-for cycle across CPUs:\n";
    for (size_t i = 0; i < cycle.size(); ++i) {
      const Context* c = cycle[i];
      const Context* next = cycle[(i + 1) % cycle.size()];
      if (next->cpu == c->cpu && m_.cpus[c->cpu].Top() != c) {
        msg += "  " + m_.Describe(c) + " is interrupted by " + m_.Describe(next) + "\n";
        // "interrupted by" edges follow from the lock edges: left out of
        // the signature, so which thread a handler interrupted does not
        // split one bug into several findings.
      } else {
        const internal::Lock& l = m_.locks[m_.cells[c->wait_cell->id()].lock];
        msg += "  " + m_.Describe(c) + " waits for lock " + l.name + " held by " +
               m_.Describe(next) + "\n";
        sig_parts.push_back(m_.Label(c) + " >" + l.name);
      }
    }
    std::sort(sig_parts.begin(), sig_parts.end());
    msg += ScenarioSummary(cycle);
    std::string sig = one_cpu ? "deadlock self" : "deadlock cycle";
    for (const std::string& p : sig_parts) sig += " [" + p + "]";
    return MakeVerdict(VerdictKind::kDeadlock, std::move(msg), std::move(sig));
  }
  for (const Context& c : m_.contexts) {
    if (c.state != CtxState::kSpinning) continue;
    sig_parts.push_back(m_.Label(&c) + " on " + m_.cells[c.wait_cell->id()].Name());
  }
  std::sort(sig_parts.begin(), sig_parts.end());
  msg += "no wait-for cycle: the cells spun on will never change";
  std::string sig = "deadlock stuck";
  for (const std::string& p : sig_parts) sig += " [" + p + "]";
  return MakeVerdict(VerdictKind::kDeadlock, std::move(msg), std::move(sig));
}

}  // namespace smp
