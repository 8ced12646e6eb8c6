// Forward passes that skip zero inputs. Four pixels in five of MNIST's digits are
// zero: summed over a row's non-zero inputs (SparseRows), a first layer costs about a
// fifth of a matrix product. Blocks of 8 rows are listed at a time, and a block that is
// not mostly zero takes the product.
//  - The shortcut's own pass (BatchCache) runs blocks through every layer, on the
//    pool: forward_block. Each row then depends on its block alone.
//  - The model's forward() (the losses and accuracies exp records, the naive
//    differences) goes layer by layer: forward_skipping_zeros. A layer whose first
//    block of inputs is mostly zero and whose weights are finite is summed block by
//    block; any other (Fashion-MNIST's images, a sigmoid layer's activations) is one
//    product over all rows, as a full pass makes it, which packs the weights once
//    instead of once per block.
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

// outputs = the network's outputs for inputs. A zero input times an infinite or NaN
// weight adds nothing to a sum over non-zero inputs, where a full product makes the
// output NaN (and a run stop on its loss): a layer whose weights are not all finite
// takes the full product.
void forward_skipping_zeros(const Network& network, const Vector& theta, const Matrix& inputs,
                            Matrix& outputs);

}  // namespace xp::mlp
