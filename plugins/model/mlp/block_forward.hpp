// The forward pass in blocks of a few rows, each layer's pre-activations summed over
// the block's non-zero inputs where they are few (SparseRows: four pixels in five of
// MNIST's digits are zero), else as a matrix product. Each row's sums then do not
// depend on the other rows, and a first layer costs about a fifth of a full product.
// The shortcut's own pass (BatchCache) runs the blocks on the pool; the model's
// forward() (the losses and accuracies exp records, the naive differences) runs them
// in turn.
//
//   ForwardPass pass;
//   prepare_pass(network, inputs.rows(), pass);
//   for (std::size_t b = 0; b < forward_blocks(inputs.rows()); ++b)
//     forward_block(network, theta, inputs, b, pass);
#pragma once

#include <cstddef>

#include "exp/tensor.hpp"
#include "network.hpp"

namespace xp::mlp {

// Rows per block: fixed, so that every row comes out the same however many threads
// share the blocks.
inline constexpr std::size_t kForwardRows = 8;

inline std::size_t forward_blocks(Eigen::Index rows) {
  return (std::size_t(rows) + kForwardRows - 1) / kForwardRows;
}

// Sizes every layer's matrices of pass for `rows` rows.
void prepare_pass(const Network& network, Eigen::Index rows, ForwardPass& pass);

// Rows [8 block, 8 block + 8) of inputs through every layer, into their rows of pass.
void forward_block(const Network& network, const Vector& theta, const Matrix& inputs,
                   std::size_t block, ForwardPass& pass);

// outputs = the network's outputs for inputs, block by block. A zero input times an
// infinite or NaN weight adds nothing to a sum over non-zero inputs, where a full
// product makes the output NaN (and a run stop on its loss): parameters that are not
// all finite take the full product.
void forward_in_blocks(const Network& network, const Vector& theta, const Matrix& inputs,
                       Matrix& outputs);

}  // namespace xp::mlp
