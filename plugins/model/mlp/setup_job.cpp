#include "setup_job.hpp"

#include <utility>

namespace xp::mlp {

void SetupJob::add(std::size_t count, std::function<void(std::size_t)> piece) {
  if (count > 0) groups_.emplace_back(count, std::move(piece));
}

void SetupJob::run(ThreadPool& pool) {
  const auto groups = std::move(groups_);  // run once, even if a piece throws
  groups_.clear();
  std::size_t total = 0;
  for (const auto& group : groups) total += group.first;
  pool.for_each_block(total, 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t k = first; k < last; ++k) {
      std::size_t index = k;
      std::size_t g = 0;
      while (index >= groups[g].first) index -= groups[g++].first;
      groups[g].second(index);
    }
  });
}

}  // namespace xp::mlp
