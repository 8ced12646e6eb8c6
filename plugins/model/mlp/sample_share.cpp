#include "sample_share.hpp"

#include <algorithm>

namespace xp::mlp {

SampleShare::SampleShare(std::size_t samples, const ProcessGroup& group) {
  const std::size_t processes = group.size();
  for (std::size_t r = 0; r <= processes; ++r) bounds.push_back(samples * r / processes);
  begin = bounds[group.rank()];
  end = bounds[group.rank() + 1];
}

void SampleShare::gather(double* values, std::size_t per_sample, ProcessGroup& group) const {
  if (group.size() == 1) return;
  std::vector<std::size_t> entries;
  for (const std::size_t bound : bounds) entries.push_back(bound * per_sample);
  group.all_gather(values, entries);
}

std::size_t samples_per_block(std::size_t samples, const ThreadPool& pool) {
  const std::size_t blocks = 2 * std::size_t(pool.size());
  return std::max<std::size_t>(1, (samples + blocks - 1) / blocks);
}

}  // namespace xp::mlp
