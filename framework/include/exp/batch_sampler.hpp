// Which training rows each step uses.
//
//   xp::BatchSampler sampler(xp::Sampling::shuffle, train_size, 100, rng);
//   dataset.gather(xp::Split::train, sampler.next(), batch);
//
// with_replacement draws every row with rng.below(train_size), as the book's
// np.random.choice(train_size, batch_size). shuffle walks a Fisher-Yates
// permutation, batch_size rows per step, and draws a new one when fewer than
// batch_size rows are left, so each epoch of train_size / batch_size steps sees
// distinct rows.
#pragma once

#include <cstddef>
#include <vector>

#include "exp/random.hpp"
#include "exp/train_settings.hpp"

namespace xp {

class BatchSampler {
 public:
  BatchSampler(Sampling sampling, std::size_t train_size, std::size_t batch_size, Random& rng);
  const std::vector<std::size_t>& next();

  // Where the walk through the permutation stands (empty for with_replacement,
  // which keeps nothing between steps), for checkpoints.
  struct State {
    std::vector<std::size_t> permutation;
    std::size_t position = 0;
  };
  State state() const { return {permutation_, position_}; }
  // Throws xp::Error for a permutation of another training set.
  void restore(const State& state);

 private:
  void shuffle();
  Sampling sampling_;
  std::size_t train_size_;
  std::size_t batch_size_;
  Random& rng_;
  std::vector<std::size_t> permutation_;
  std::size_t position_ = 0;
  std::vector<std::size_t> rows_;
};

}  // namespace xp
