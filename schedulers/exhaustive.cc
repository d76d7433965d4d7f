#include "schedulers/exhaustive.h"

namespace smp {

EnumerationResult Enumerate(Executor& executor, uint64_t max_executions,
                            const std::function<bool(const Execution&)>& visit) {
  EnumerationResult result;
  std::vector<uint32_t> prefix;
  while (result.executions < max_executions) {
    DfsScheduler dfs(prefix);
    const Execution e = executor.Run(dfs);
    ++result.executions;
    result.diverged |= dfs.diverged();
    if (!visit(e)) return result;
    // Backtrack: the deepest decision with an untried alternative.
    const auto& taken = dfs.taken();
    size_t i = taken.size();
    while (i > 0 && taken[i - 1].second + 1 >= taken[i - 1].first) --i;
    if (i == 0) {
      result.complete = true;
      return result;
    }
    prefix.clear();
    for (size_t j = 0; j + 1 < i; ++j) prefix.push_back(taken[j].second);
    prefix.push_back(taken[i - 1].second + 1);
  }
  return result;
}

}  // namespace smp
