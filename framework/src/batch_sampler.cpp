#include "exp/batch_sampler.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <utility>

#include "exp/error.hpp"

namespace xp {

BatchSampler::BatchSampler(Sampling sampling, std::size_t train_size, std::size_t batch_size,
                           Random& rng)
    : sampling_(sampling),
      train_size_(train_size),
      batch_size_(batch_size),
      rng_(rng),
      rows_(batch_size) {
  if (batch_size == 0 || batch_size > train_size) {
    throw Error("cannot draw batches of " + std::to_string(batch_size) + " rows from " +
                std::to_string(train_size) + " training samples");
  }
}

void BatchSampler::shuffle() {
  permutation_.resize(train_size_);
  std::iota(permutation_.begin(), permutation_.end(), std::size_t(0));
  for (std::size_t i = train_size_; i > 1; --i)
    std::swap(permutation_[i - 1], permutation_[rng_.below(i)]);
  position_ = 0;
}

const std::vector<std::size_t>& BatchSampler::next() {
  if (sampling_ == Sampling::with_replacement) {
    for (auto& row : rows_) row = rng_.below(train_size_);
    return rows_;
  }
  if (permutation_.empty() || position_ + batch_size_ > train_size_) shuffle();
  std::copy_n(permutation_.begin() + std::ptrdiff_t(position_), batch_size_, rows_.begin());
  position_ += batch_size_;
  return rows_;
}

void BatchSampler::restore(const State& state) {
  const bool fits = state.permutation.empty()
                        ? state.position == 0
                        : state.permutation.size() == train_size_ && state.position <= train_size_;
  if (!fits) {
    throw Error("saved batch order covers " + std::to_string(state.permutation.size()) +
                " rows at position " + std::to_string(state.position) +
                ", but the training set has " + std::to_string(train_size_));
  }
  permutation_ = state.permutation;
  position_ = state.position;
}

}  // namespace xp
