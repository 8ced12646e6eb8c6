#include "block_forward.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>

#include "sparse_affine.hpp"

namespace xp::mlp {

namespace {

// out = the pre-activations of `layer` for a block of rows: over its non-zero inputs
// where they are few, else by the product.
void block_affine(const Network& network, const Vector& theta, std::size_t layer,
                  const Eigen::Ref<const Matrix>& block, Matrix& out) {
  const SparseRows sparse(block);
  if (sparse.mostly_zero()) {
    sparse.affine(network, theta, layer, out);
  } else {
    network.affine(theta, layer, block, out);
  }
}

// Whether none of x[0, count) is infinite or NaN (all exponent bits set), in a loop the
// compiler vectorises: it runs on every call that sums a layer over non-zero inputs.
bool all_finite(const double* x, std::size_t count) {
  constexpr std::uint64_t kExponent = 0x7ff0000000000000ULL;
  std::uint64_t non_finite = 0;
  for (std::size_t i = 0; i < count; ++i) {
    non_finite |= (std::bit_cast<std::uint64_t>(x[i]) & kExponent) == kExponent ? 1 : 0;
  }
  return non_finite == 0;
}

// pre = the pre-activations of `layer` for all rows of x: block by block when the
// first block is mostly zero (each block still decides for itself) and the layer's
// weights are finite, else one product (where a zero input times a NaN or infinite
// weight makes the row NaN, as a full pass does).
void layer_affine(const Network& network, const Vector& theta, std::size_t layer, const Matrix& x,
                  Matrix& pre) {
  const auto first_rows = std::min(Eigen::Index(kForwardRows), x.rows());
  const SparseRows first(x.topRows(first_rows));
  const ConstMatrixMap weights = network.weights(theta, layer);
  if (x.rows() == 0 || !first.mostly_zero() ||
      !all_finite(weights.data(), std::size_t(weights.size()))) {
    network.affine(theta, layer, x, pre);
    return;
  }
  pre.resize(x.rows(), Eigen::Index(network.units_of(layer)));
  Matrix part;
  first.affine(network, theta, layer, part);
  pre.topRows(first_rows) = part;
  for (std::size_t b = 1; b < forward_blocks(x.rows()); ++b) {
    const auto row = Eigen::Index(b * kForwardRows);
    const auto rows = std::min(Eigen::Index(kForwardRows), x.rows() - row);
    block_affine(network, theta, layer, x.middleRows(row, rows), part);
    pre.middleRows(row, rows) = part;
  }
}

}  // namespace

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
    block_affine(network, theta, l, below.middleRows(row, rows), pre);
    network.activate_layer(l, pre, post);
    pass.pre_activations[l].middleRows(row, rows) = pre;
    pass.activations[l].middleRows(row, rows) = post;
  }
}

void forward_skipping_zeros(const Network& network, const Vector& theta, const Matrix& inputs,
                            Matrix& outputs) {
  Matrix below;
  Matrix pre;
  for (std::size_t l = 0; l < network.layers(); ++l) {
    layer_affine(network, theta, l, l == 0 ? inputs : below, pre);
    network.activate_layer(l, pre, l + 1 < network.layers() ? below : outputs);
  }
}

}  // namespace xp::mlp
