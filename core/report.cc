#include "core/report.h"

namespace smp {

std::string ContextLabel(CtxKind kind, const std::string& name) {
  if (kind == CtxKind::kThread) return "thread " + name;
  return (kind == CtxKind::kSoftIntr ? "softint " : "intr ") + name;
}

std::string ContextText(CtxKind kind, const std::string& name, int level,
                        int cpu) {
  std::string s = ContextLabel(kind, name);
  if (kind != CtxKind::kThread) s += " (level " + std::to_string(level) + ")";
  if (cpu >= 0) s += " on CPU" + std::to_string(cpu);
  return s;
}

std::string ScenarioColumns::Render() const {
  constexpr size_t kWidth = 34;
  std::string s = "\n possible scenario:\n";
  std::string head = "  ", rule = "  ";
  for (int cpu : cpus_) {
    const bool ruled = heads_ == Heads::kRuled;
    std::string h = (ruled ? "     CPU" : "CPU") + std::to_string(cpu);
    std::string r = "     ----";
    h.resize(kWidth, ' ');
    r.resize(kWidth, ' ');
    head += h;
    rule += r;
  }
  if (heads_ == Heads::kRuled) {
    while (!head.empty() && head.back() == ' ') head.pop_back();
    while (!rule.empty() && rule.back() == ' ') rule.pop_back();
    s += head + "\n" + rule + "\n";
  } else {
    s += head + "\n";
  }
  for (const auto& [index, text] : lines_) {
    s += "  " + std::string(kWidth * static_cast<size_t>(index), ' ') + text + "\n";
  }
  return s + "\n  *** DEADLOCK ***\n";
}

}  // namespace smp
