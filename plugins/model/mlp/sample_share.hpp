// The shortcut's per-batch setup split between the processes of a group (mpirun -np
// N): each prepares the series of a contiguous share of the batch's samples, and one
// all-gather gives every process all of them. Each sample's series depends on that
// sample alone, so the result is the same bits whatever the number of processes.
//
//   const SampleShare share(samples, group);
//   pool.for_each_block(share.size(), samples_per_block(share.size(), pool),
//                       [&](std::size_t b, std::size_t e) {
//     for (std::size_t n = share.begin + b; n < share.begin + e; ++n) ...; });
//   share.gather(coefficients.data(), per_sample, group);
#pragma once

#include <cstddef>
#include <vector>

#include "exp/parallel.hpp"
#include "exp/process_group.hpp"

namespace xp::mlp {

struct SampleShare {
  SampleShare(std::size_t samples, const ProcessGroup& group);
  std::size_t size() const { return end - begin; }

  // values holds per_sample entries for each sample, this process's share filled in:
  // afterwards every share is, on every process.
  void gather(double* values, std::size_t per_sample, ProcessGroup& group) const;

  std::vector<std::size_t> bounds;  // process r prepares samples [bounds[r], bounds[r + 1])
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Samples per block for a job whose blocks each set up working arrays (the series'
// jobs): two blocks per thread, where the pool's shrinking blocks would make a dozen,
// each paying the set-up (about 2 us, a tenth of such a job of the book's net).
std::size_t samples_per_block(std::size_t samples, const ThreadPool& pool);

}  // namespace xp::mlp
