// Independent pieces of the shortcut's per-batch setup, gathered from several owners
// (the batch cache's input lists, each layer's series) and run as one pool job: each
// job costs a hand-off between threads and a wait for its last piece, a few
// microseconds that two threads would otherwise pay per layer.
//
//   SetupJob job;
//   job.add(cache.later_input_tiles(), [&](std::size_t t) { cache.build_later_input_tile(t); });
//   job.add(ranges.size(), [&](std::size_t r) { ... });
//   job.run(pool);
//
// Pieces are handed out one at a time, in the order added (costly ones first balance
// best). A piece may wait for an earlier one to finish (LossSeries does, for the
// bounds its radii need): the earlier piece has been handed out, so its thread is on
// it. Such an earlier piece must not throw.
#pragma once

#include <cstddef>
#include <functional>
#include <utility>
#include <vector>

#include "exp/parallel.hpp"

namespace xp::mlp {

class SetupJob {
 public:
  // Pieces piece(0) ... piece(count - 1).
  void add(std::size_t count, std::function<void(std::size_t)> piece);
  // Runs every piece added since the last run; returns when all are done.
  void run(ThreadPool& pool);

 private:
  std::vector<std::pair<std::size_t, std::function<void(std::size_t)>>> groups_;
};

}  // namespace xp::mlp
