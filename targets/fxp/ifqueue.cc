#include "targets/fxp/ifqueue.h"

namespace smp::fxp {

IfQueue::IfQueue(Machine& m, const std::string& name, int capacity, int ipl)
    : mtx_(m, name + ".lock", name + "_lock", ipl),
      capacity_(capacity),
      head_(m, name + ".head"),
      len_(m, name + ".len"),
      drops_(m, name + ".drops") {
  for (int i = 0; i < capacity; ++i) {
    slot_.push_back(std::make_unique<Shared<int>>(m, name + ".slot" + std::to_string(i)));
  }
}

bool IfQueue::Enqueue(int id, Loc loc) {
  const int len = len_.Load(loc);
  if (len == capacity_) {
    drops_.Store(drops_.Load(loc) + 1, loc);
    return false;
  }
  slot_[(head_.Load(loc) + len) % capacity_]->Store(id, loc);
  len_.Store(len + 1, loc);
  return true;
}

bool IfQueue::Dequeue(int* id, Loc loc) {
  const int len = len_.Load(loc);
  if (len == 0) return false;
  const int head = head_.Load(loc);
  *id = slot_[head]->Load(loc);
  head_.Store((head + 1) % capacity_, loc);
  len_.Store(len - 1, loc);
  return true;
}

}  // namespace smp::fxp
