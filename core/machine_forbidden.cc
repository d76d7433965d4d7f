// The Machine's replay with reorderings forbidden (Options::forbidden):
// per CPU, this execution's store buffer merged with the recorded
// execution's (slots_), the drains made early, delayed or chosen by
// recorded position, and the drains a forbidden reordering forces before
// an access.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/machine.h"
#include "core/machine_internal.h"

namespace smp {
namespace {

bool SameLoc(Loc a, Loc b) {
  return a.line == b.line && std::strcmp(a.file, b.file) == 0;
}

}  // namespace

int Machine::PosOfEntry(int cpu, int index) const {
  const std::vector<Slot>& slots = slots_[cpu];
  for (int p = 0; p < static_cast<int>(slots.size()); ++p) {
    if (slots[p] != Slot::kEarly && index-- == 0) return p;
  }
  SMP_CHECK(false);  // every buffered entry has a slot
  return -1;
}

int Machine::PosOfSlot(int cpu, int slot) const {
  const std::vector<Slot>& slots = slots_[cpu];
  for (int p = 0; p < static_cast<int>(slots.size()); ++p) {
    if (slots[p] != Slot::kLate && slot-- == 0) return p;
  }
  SMP_CHECK(false);  // only offered positions are chosen
  return -1;
}

int Machine::EntryAt(int cpu, int pos) const {
  const std::vector<Slot>& slots = slots_[cpu];
  SMP_CHECK(slots[pos] != Slot::kEarly);
  int index = 0;
  for (int p = 0; p < pos; ++p) index += slots[p] != Slot::kEarly;
  return index;
}

void Machine::DrainEarly(int cpu, int index) {
  std::vector<Slot>& slots = slots_[cpu];
  const int pos = PosOfEntry(cpu, index);
  if (slots[pos] == Slot::kLate) {
    slots.erase(slots.begin() + pos);  // the recorded execution drained it
  } else {
    slots[pos] = Slot::kEarly;
    ++drained_early_;
  }
  CommitEntry(cpu, index);
}

void Machine::DrainChosen(int cpu, int slot) {
  std::vector<Slot>& slots = slots_[cpu];
  const int pos = PosOfSlot(cpu, slot);
  if (slots[pos] == Slot::kEarly) {  // the recorded drain is already done
    slots.erase(slots.begin() + pos);
    --drained_early_;
    return;
  }
  if (const int b = DrainBlocker(cpu, EntryAt(cpu, pos)); b >= 0) {
    // The store may not pass b yet. Either it waits for b (delayed, not
    // dropped: it drains as soon as b has), or b drains first, now: the
    // one whose moving no other agent sees at once. It waits, unless it is
    // seen and b is not.
    const std::vector<Memory::Entry>& buffer = memory_.buffer(cpu);
    if (!ObservedElsewhere(cpu, buffer[EntryAt(cpu, pos)].cell) ||
        ObservedElsewhere(cpu, buffer[b].cell)) {
      slots[pos] = Slot::kLate;
      return;
    }
    // b (and what it may not pass) first, each on its own where it may
    // drain now, else with the buffer before it (the oldest entry may
    // always drain).
    for (int e = b; e >= 0; e = DrainBlocker(cpu, EntryAt(cpu, pos))) {
      memory_.Drainable(cpu, &drainable_);
      const bool alone =
          std::find(drainable_.begin(), drainable_.end(), e) != drainable_.end();
      DrainEarly(cpu, alone ? e : 0);
    }
  }
  const int index = EntryAt(cpu, pos);
  slots.erase(slots.begin() + pos);
  CommitEntry(cpu, index);
  DrainLate(cpu);
}

void Machine::DrainLate(int cpu) {
  std::vector<Slot>& slots = slots_[cpu];
  for (int p = 0; p < static_cast<int>(slots.size());) {
    if (slots[p] != Slot::kLate) {
      ++p;
      continue;
    }
    const int index = EntryAt(cpu, p);
    memory_.Drainable(cpu, &drainable_);
    if (DrainBlocker(cpu, index) >= 0 ||
        std::find(drainable_.begin(), drainable_.end(), index) == drainable_.end()) {
      ++p;
      continue;
    }
    slots.erase(slots.begin() + p);
    CommitEntry(cpu, index);
    p = 0;  // it may have been what an earlier delayed entry waited for
  }
}

int Machine::DrainBlocker(int cpu, int index) const {
  const std::vector<Memory::Entry>& buffer = memory_.buffer(cpu);
  const Memory::Entry& e = buffer[index];
  int blocker = -1;
  for (const Reorder& f : *forbidden_) {
    if (f.kind != Reorder::kStoreStore || f.later_cell != e.cell ||
        !SameLoc(f.later_loc, e.loc)) {
      continue;
    }
    for (int j = 0; j < index && (blocker < 0 || j < blocker); ++j) {
      if (buffer[j].cell == f.earlier_cell && SameLoc(buffer[j].loc, f.earlier_loc)) {
        blocker = j;
        break;
      }
    }
  }
  return blocker;
}

void Machine::DrainBefore(Reorder::Kind kind, int cell, Loc loc) {
  if (forbidden_ == nullptr || !memory_.weak()) return;
  const int cpu = current_->cpu;
  for (const Reorder& f : *forbidden_) {
    if (f.kind != kind || f.later_cell != cell || !SameLoc(f.later_loc, loc)) continue;
    int last = -1;
    const std::vector<Memory::Entry>& buffer = memory_.buffer(cpu);
    for (int j = 0; j < static_cast<int>(buffer.size()); ++j) {
      if (buffer[j].cell == f.earlier_cell && SameLoc(buffer[j].loc, f.earlier_loc)) {
        last = j;
      }
    }
    for (; last >= 0; --last) DrainEarly(cpu, 0);
  }
}

}  // namespace smp
