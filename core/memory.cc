#include "core/memory.h"

#include <algorithm>
#include <utility>

namespace smp {

Memory::Memory(MemoryModel model, EnterMeaning enter, int num_cpus)
    : model_(model), enter_(enter) {
  Reset(model, enter, num_cpus);
}

void Memory::Reset(MemoryModel model, EnterMeaning enter, int num_cpus) {
  model_ = model;
  enter_ = enter;
  buffered_ = 0;
  commit_seq_ = 0;
  cells_.clear();
  // Under SC nothing else is read: what sb_ and cpus_ hold waits for the
  // next weak Reset.
  if (!weak()) return;
  sb_.resize(num_cpus);
  cpus_.resize(num_cpus);
  for (std::vector<Entry>& b : sb_) b.clear();
  for (CpuState& c : cpus_) {
    std::vector<uint32_t> floor = std::move(c.floor);
    floor.clear();
    c = CpuState{};
    c.floor = std::move(floor);
  }
  // Scenarios declare a few dozen cells: one allocation each, not a
  // regrowth per declaration.
  cells_.reserve(32);
  for (CpuState& c : cpus_) c.floor.reserve(32);
}

void Memory::AddCell(Word initial) {
  if (!weak()) return;  // SC keeps no per-cell state: cells are memory
  CellHistory h;
  h.values[0] = initial;
  cells_.push_back(h);
  for (CpuState& c : cpus_) c.floor.push_back(0);
}

void Memory::Buffer(int cpu, int cell, Word value, Loc loc) {
  sb_[cpu].push_back(Entry{cell, value, cpus_[cpu].epoch, loc});
  ++buffered_;
}

std::optional<Word> Memory::Forward(int cpu, int cell) const {
  const std::vector<Entry>& b = sb_[cpu];
  for (auto it = b.rbegin(); it != b.rend(); ++it) {
    if (it->cell == cell) return it->value;
  }
  return std::nullopt;
}

void Memory::Drainable(int cpu, std::vector<int>* out) const {
  out->clear();
  const std::vector<Entry>& b = sb_[cpu];
  if (b.empty()) return;
  if (model_ == MemoryModel::kTSO) {
    out->push_back(0);
    return;
  }
  // Epochs never decrease along the buffer: only the first epoch may drain,
  // and of each cell only its oldest entry.
  const uint32_t first_epoch = b[0].epoch;
  for (size_t i = 0; i < b.size() && b[i].epoch == first_epoch; ++i) {
    bool oldest = true;
    for (size_t j = 0; j < i && oldest; ++j) oldest = b[j].cell != b[i].cell;
    if (oldest) out->push_back(static_cast<int>(i));
  }
}

Memory::Entry Memory::Take(int cpu, int index, std::vector<Reorder>* reorders) {
  std::vector<Entry>& b = sb_[cpu];
  const Entry e = b[index];
  if (reorders != nullptr) {
    for (int j = 0; j < index; ++j) {
      reorders->push_back(Reorder{Reorder::kStoreStore, cpu, b[j].cell, b[j].loc,
                                  e.cell, e.loc});
    }
  }
  b.erase(b.begin() + index);
  --buffered_;
  return e;
}

int Memory::BarrierPrefix(int cpu) const {
  const std::vector<Entry>& b = sb_[cpu];
  const uint32_t epoch = cpus_[cpu].epoch;
  int n = 0;
  while (n < static_cast<int>(b.size()) && b[n].epoch < epoch) ++n;
  return n;
}

int Memory::Oldest(int cpu, int cell) const {
  const std::vector<Entry>& b = sb_[cpu];
  for (size_t i = 0; i < b.size(); ++i) {
    if (b[i].cell == cell) return static_cast<int>(i);
  }
  return -1;
}

void Memory::Commit(int cpu, int cell, Word value) {
  CellHistory& h = cells_[cell];
  ++h.version;
  h.values[h.version % kHistory] = value;
  h.seq[h.version % kHistory] = ++commit_seq_;
  if (cpu >= 0) cpus_[cpu].floor[cell] = h.version;
}

int Memory::Candidates(int cpu, int cell, Word out[kHistory]) const {
  const CellHistory& h = cells_[cell];
  out[0] = h.values[h.version % kHistory];
  if (model_ != MemoryModel::kRelaxed) return 1;
  const CpuState& c = cpus_[cpu];
  int n = 1;
  for (uint32_t s = 1; s < static_cast<uint32_t>(kHistory) && s <= h.version; ++s) {
    const uint32_t v = h.version - s;
    if (v < c.floor[cell]) break;  // coherence: never older than seen
    // Version v was overwritten by v + 1: readable only if that happened
    // after this CPU's last load->load barrier.
    if (h.seq[(v + 1) % kHistory] <= c.acquire_seq) break;
    out[n++] = h.values[v % kHistory];
  }
  return n;
}

void Memory::ObserveRead(int cpu, int cell, int staleness, Loc loc,
                         std::vector<Reorder>* reorders) {
  CpuState& c = cpus_[cpu];
  const uint32_t v = cells_[cell].version - static_cast<uint32_t>(staleness);
  c.floor[cell] = std::max(c.floor[cell], v);
  if (reorders != nullptr) {
    for (const Entry& e : sb_[cpu]) {
      if (e.cell != cell) {
        reorders->push_back(
            Reorder{Reorder::kStoreLoad, cpu, e.cell, e.loc, cell, loc});
        break;  // the oldest buffered store says enough
      }
    }
    if (staleness > 0) {
      reorders->push_back(Reorder{Reorder::kStaleLoad, cpu, c.last_load_cell,
                                  c.last_load_loc, cell, loc});
    }
  }
  c.last_load_cell = cell;
  c.last_load_loc = loc;
}

bool Memory::Fence(int cpu, Barrier kind) {
  CpuState& c = cpus_[cpu];
  switch (kind) {
    case Barrier::kProducer:
    case Barrier::kRelease:
    case Barrier::kExit:
      ++c.epoch;
      return false;
    case Barrier::kConsumer:
    case Barrier::kAcquire:
      c.acquire_seq = commit_seq_;
      return false;
    case Barrier::kEnter:
      if (enter_ == EnterMeaning::kAcquire) {
        c.acquire_seq = commit_seq_;
        return false;
      }
      // Store before load/store: a later load cannot be performed before
      // the barrier, so it never returns a value already overwritten then
      // (issue 19: it did, a false membar_misuse under relaxed).
      ++c.epoch;
      c.acquire_seq = commit_seq_;
      return true;
    case Barrier::kSync:
      ++c.epoch;
      c.acquire_seq = commit_seq_;
      return true;
  }
  return false;
}

}  // namespace smp
