#include "exp/process_group.hpp"

#include <algorithm>

#include "exp/run_summary.hpp"

namespace xp {

ProcessGroup::~ProcessGroup() = default;
void ProcessGroup::all_gather(double*, const std::vector<std::size_t>&) {}
bool ProcessGroup::any(bool flag) { return flag; }
void ProcessGroup::broadcast(std::string&) {}
std::vector<std::string> ProcessGroup::hosts() const { return {host_name()}; }

ProcessGroup& single_process() {
  static ProcessGroup alone;
  return alone;
}

const std::vector<std::size_t>& BalancedSplit::bounds(std::size_t count, std::size_t size) {
  if (bounds_.size() != size + 1 || bounds_.back() != count) {
    bounds_.resize(size + 1);
    for (std::size_t r = 0; r <= size; ++r) bounds_[r] = count * r / size;
  }
  return bounds_;
}

void BalancedSplit::record(const std::vector<double>& seconds) {
  const std::size_t size = bounds_.size() - 1;
  if (seconds.size() != size) return;
  double total = 0.0;
  for (const double s : seconds) total += std::max(s, 0.0);
  if (!(total > 0.0)) return;
  // The cumulative cost is linear within each old part; each new bound is where it
  // reaches r / size of the total. A part that took no time takes no cost.
  std::vector<std::size_t> next(size + 1, bounds_.back());
  next[0] = 0;
  std::size_t part = 0;
  double before = 0.0;  // cost of the old parts before `part`
  for (std::size_t r = 1; r < size; ++r) {
    const double target = total * double(r) / double(size);
    while (part + 1 < size && before + std::max(seconds[part], 0.0) < target) {
      before += std::max(seconds[part], 0.0);
      ++part;
    }
    const double cost = std::max(seconds[part], 0.0);
    const double width = double(bounds_[part + 1] - bounds_[part]);
    const double within = cost > 0.0 ? (target - before) / cost * width : 0.0;
    next[r] = std::clamp(bounds_[part] + std::size_t(within), next[r - 1], bounds_.back());
  }
  bounds_ = next;
}

}  // namespace xp
