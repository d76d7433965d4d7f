// The per-CPU state the locking primitives keep (NetBSD's struct cpu_info
// fields ci_mtx_count, ci_mtx_oldspl, ci_biglock_count), and the spl they
// raise through.
//
// Each field is a Shared cell per CPU: the thread and the interrupt
// handlers of a CPU all update it, so every access is a scheduling point
// at which an interrupt can come. Other CPUs never touch it.
//
// Deviation: NetBSD counts ci_mtx_count down from 0 (negative while spin
// mutexes are held); here it counts up. Nothing is a scheduling point
// except the cells' own accesses.
#ifndef SMPFUZZ_TARGETS_SPIN_MUTEX_CPU_INFO_H_
#define SMPFUZZ_TARGETS_SPIN_MUTEX_CPU_INFO_H_

#include <memory>
#include <string>
#include <vector>

#include "core/cell.h"
#include "core/machine.h"
#include "targets/spl/spl.h"

namespace smp::spin_mutex {

class CpuInfo {
 public:
  // `spl` must outlive this object. Declaration time.
  CpuInfo(Machine& m, spl::Spl& spl) : m_(m), spl_(spl) {
    for (int k = 0; k < m.num_cpus(); ++k) {
      const std::string cpu = "cpu" + std::to_string(k);
      mtx_count_.push_back(std::make_unique<Shared<int>>(m, cpu + ".mtx_count"));
      mtx_oldspl_.push_back(
          std::make_unique<Shared<uint32_t>>(m, cpu + ".mtx_oldspl"));
      biglock_count_.push_back(
          std::make_unique<Shared<int>>(m, cpu + ".biglock_count"));
    }
  }
  CpuInfo(const CpuInfo&) = delete;
  CpuInfo& operator=(const CpuInfo&) = delete;

  Machine& machine() const { return m_; }
  spl::Spl& spl() const { return spl_; }

  // Spin mutexes held by `cpu`.
  Shared<int>& mtx_count(int cpu) { return *mtx_count_[cpu]; }
  // The IPL to restore when the last one is released.
  Shared<uint32_t>& mtx_oldspl(int cpu) { return *mtx_oldspl_[cpu]; }
  // kernel_lock holds by `cpu` (recursion depth).
  Shared<int>& biglock_count(int cpu) { return *biglock_count_[cpu]; }

  // For final checks (Peek): nothing is held anywhere.
  bool AllReleased() const {
    for (size_t k = 0; k < mtx_count_.size(); ++k) {
      if (mtx_count_[k]->Peek() != 0 || biglock_count_[k]->Peek() != 0) {
        return false;
      }
    }
    return true;
  }

 private:
  Machine& m_;
  spl::Spl& spl_;
  std::vector<std::unique_ptr<Shared<int>>> mtx_count_;
  std::vector<std::unique_ptr<Shared<uint32_t>>> mtx_oldspl_;
  std::vector<std::unique_ptr<Shared<int>>> biglock_count_;
};

}  // namespace smp::spin_mutex

#endif  // SMPFUZZ_TARGETS_SPIN_MUTEX_CPU_INFO_H_
