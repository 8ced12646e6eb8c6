// A dataset whose splits are held as double matrices: the base of small datasets
// (generated, written in a config, or none at all). Large ones such as MNIST keep
// their data compactly and implement xp::Dataset directly.
//
//   xp::Batch train, test;      // inputs N x D, targets N x K, labels (or empty)
//   return std::make_unique<xp::InMemoryDataset>(std::move(train), std::move(test), D, K);
#pragma once

#include "exp/dataset.hpp"

namespace xp {

class InMemoryDataset : public Dataset {
 public:
  // Every split's inputs must have input_size columns and its labels, when present,
  // one per row (checked: a mismatch is a plugin bug, reported as xp::Error).
  // output_size is what models are built for; it need not be the targets' width
  // (label-only targets, or the `none` dataset whose model has one output).
  InMemoryDataset(Batch train, Batch test, std::size_t input_size, std::size_t output_size);
  ~InMemoryDataset() override;

  std::size_t size(Split split) const override;
  std::size_t input_size() const override { return input_size_; }
  std::size_t output_size() const override { return output_size_; }
  void gather(Split split, std::span<const std::size_t> rows, Batch& batch) const override;

  const Batch& split(Split which) const { return which == Split::train ? train_ : test_; }

 private:
  Batch train_;
  Batch test_;
  std::size_t input_size_;
  std::size_t output_size_;
};

}  // namespace xp
