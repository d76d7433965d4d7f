// The explanation texts of MachineView: context names and what the
// machine's bookkeeping says about lost updates and waited-on cells.
#include "core/machine_internal.h"

#include <cstdio>
#include <string>

#include "core/report.h"

namespace smp {
namespace internal {

std::string MachineView::Label(const Context* c) const {
  return ContextLabel(c->kind, c->kind == CtxKind::kThread ? threads[c->obj].name
                                                         : lines[c->obj].name);
}

std::string MachineView::Describe(const Context* c) const {
  return ContextText(c->kind,
                     c->kind == CtxKind::kThread ? threads[c->obj].name
                                                 : lines[c->obj].name,
                     c->level, c->cpu);
}

std::string MachineView::OverwriteText(const char* what) const {
  const Overwrite& o = overwrite;
  if (o.cell < 0) return "";
  const std::string name = "'" + cells[o.cell].Name() + "'";
  const std::string by = Describe(&contexts[o.ctx]);
  const std::string other = Describe(&contexts[o.other]);
  std::string s = "\n  " + std::string(what) + " on " + name + ": " + by +
                  " read it as " + std::to_string(o.read_value) + " (" +
                  LocText(o.read_loc) + "), " + other + " then wrote " +
                  std::to_string(o.other_value) + " (" + LocText(o.other_loc) +
                  "), and " + by + " stored " + std::to_string(o.stored_value) +
                  " over it (" + LocText(o.store_loc) + ")";
  // A store of a subset of what it read is an acknowledgement or a clear.
  const Word cleared = (o.stored_value & ~o.read_value) == 0
                           ? o.other_value & ~o.read_value & ~o.stored_value
                           : 0;
  if (cleared != 0) {
    char bits[32];
    std::snprintf(bits, sizeof bits, "0x%llx",
                  static_cast<unsigned long long>(cleared));
    s += ", clearing bit(s) " + std::string(bits) + " it never read";
  } else {
    s += ": its read-modify-write was split by that write, which is lost";
  }
  return s + ".";
}

std::string MachineView::LastWriteText(int cell) const {
  const CellInfo& ci = cells[cell];
  std::string s = "\n  it waits on '" + ci.Name() + "'";
  if (ci.writer < 0) return s + ", which no context ever wrote.";
  return s + "; the last write to it: " + Describe(&contexts[ci.writer]) +
         " stored " + std::to_string(ci.written) + " (" + LocText(ci.write_loc) +
         ").";
}

}  // namespace internal
}  // namespace smp
