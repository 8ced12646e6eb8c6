// The pre-activations of a few rows of a batch, z = x W + b, with each entry summed
// over the non-zero inputs only, in increasing input order: a zero input times a
// finite weight adds nothing, and in MNIST's digits four pixels in five are zero. The
// shortcut's own pass runs it on every block of 8 rows that is mostly zero; the model's
// forward() on the blocks of a layer whose first block is mostly zero and whose
// weights are finite (block_forward.hpp). Each row's non-zero inputs are listed once;
// then, for a chunk of units at a time, the row's sums are carried in registers over
// that list, reading one row of W per non-zero input (no packed copy of W per block, as
// a general matrix product makes, and no store of the sums per input). On denser blocks
// (Fashion-MNIST's images are half non-zero, sigmoid layers all) the product is faster.
// Each entry's sum does not depend on the other rows, so the result is the same
// whichever blocks the batch is cut into. (Unlike a full product, a zero input times an
// infinite or NaN weight adds nothing here: the model's forward pass takes the full
// product for such weights, so their loss is NaN, and the run stops on it.)
//
//   SparseRows rows(inputs);
//   if (rows.mostly_zero()) rows.affine(network, theta, layer, z);
//   else network.affine(theta, layer, inputs, z);
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "exp/tensor.hpp"
#include "network.hpp"
#include "uninitialized.hpp"

namespace xp::mlp {

// Whether x != 0.0 (NaN is), from its bits without the sign: a test the compiler
// vectorises, where the comparison's handling of NaN keeps it one entry at a time.
inline bool non_zero(double x) { return (std::bit_cast<std::uint64_t>(x) << 1) != 0; }

// Whether any of x[0, count) is non-zero, likewise.
inline bool any_non_zero(const double* x, std::size_t count) {
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < count; ++i) bits |= std::bit_cast<std::uint64_t>(x[i]) << 1;
  return bits != 0;
}

class SparseRows {
 public:
  explicit SparseRows(const Eigen::Ref<const Matrix>& rows);

  // Whether at most a quarter of the entries are non-zero: where affine() is the
  // faster of the two.
  bool mostly_zero() const { return mostly_zero_; }
  // z = rows W + b of `layer`; only where mostly_zero().
  void affine(const Network& network, const Vector& theta, std::size_t layer, Matrix& out) const;

 private:
  Eigen::Index rows_, cols_;
  bool mostly_zero_ = true;
  // Row n's non-zero entries: inputs_ and values_ from starts_[n] to starts_[n + 1].
  UninitializedVector<std::uint32_t> inputs_;  // written before read: no memset per block
  UninitializedVector<double> values_;
  std::vector<std::size_t> starts_;
};

}  // namespace xp::mlp
