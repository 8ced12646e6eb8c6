#include "block_forward.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <utility>

#include "sparse_affine.hpp"

namespace xp::mlp {

void prepare_pass(const Network& network, Eigen::Index rows, ForwardPass& pass) {
  pass.pre_activations.resize(network.layers());
  pass.activations.resize(network.layers());
  for (std::size_t l = 0; l < network.layers(); ++l) {
    pass.pre_activations[l].resize(rows, Eigen::Index(network.units_of(l)));
    pass.activations[l].resize(rows, Eigen::Index(network.units_of(l)));
  }
}

void forward_block(const Network& network, const Vector& theta, const Matrix& inputs,
                   std::size_t block, ForwardPass& pass) {
  const auto row = Eigen::Index(block * kForwardRows);
  const auto rows = std::min(Eigen::Index(kForwardRows), inputs.rows() - row);
  Matrix pre;
  Matrix post;
  for (std::size_t l = 0; l < network.layers(); ++l) {
    const Matrix& below = l == 0 ? inputs : pass.activations[l - 1];
    const auto block_inputs = below.middleRows(row, rows);
    const SparseRows sparse(block_inputs);
    if (sparse.mostly_zero()) {
      sparse.affine(network, theta, l, pre);
    } else {
      network.affine(theta, l, block_inputs, pre);
    }
    network.activate_layer(l, pre, post);
    pass.pre_activations[l].middleRows(row, rows) = pre;
    pass.activations[l].middleRows(row, rows) = post;
  }
}

namespace {

// Whether no parameter is infinite or NaN (all exponent bits set), in a loop the
// compiler vectorises: it runs on every forward call, a step's loss included.
bool all_finite(const Vector& theta) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;
  std::uint64_t non_finite = 0;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    non_finite |= (std::bit_cast<std::uint64_t>(theta[i]) & kExponent) == kExponent ? 1 : 0;
  }
  return non_finite == 0;
}

}  // namespace

void forward_in_blocks(const Network& network, const Vector& theta, const Matrix& inputs,
                       Matrix& outputs) {
  ForwardPass pass;
  if (all_finite(theta)) {
    prepare_pass(network, inputs.rows(), pass);
    for (std::size_t b = 0; b < forward_blocks(inputs.rows()); ++b) {
      forward_block(network, theta, inputs, b, pass);
    }
  } else {
    network.forward(theta, inputs, pass);
  }
  outputs = std::move(pass.activations.back());
}

}  // namespace xp::mlp
