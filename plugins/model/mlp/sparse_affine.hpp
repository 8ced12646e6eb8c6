// The pre-activations of a few rows of a batch, z = x W + b, with each entry summed
// over the non-zero inputs only, in increasing input order: a zero input times a
// finite weight adds nothing, and in MNIST's digits four pixels in five are zero. The
// shortcut's forward pass (BatchCache) runs it on blocks of 8 rows that are
// mostly_zero: each row of W is read once for the whole block while the block's
// outputs stay in cache, and no packed copy of W is made per block, as a general
// matrix product does (about 1.4x faster on MNIST's digits); on denser blocks
// (Fashion-MNIST's images are half non-zero, sigmoid layers all) the product is faster. Each
// entry's sum does not depend on the other rows, so the result is the same whichever blocks the
// batch is cut into. (Unlike a full product, a zero input times an infinite or NaN weight adds
// nothing here; such a network's full loss is NaN, and the run stops on it.)
#pragma once

#include <cstddef>

#include "exp/tensor.hpp"
#include "network.hpp"

namespace xp::mlp {

// Whether at most a quarter of the entries are non-zero: where sparse_affine is the
// faster of the two.
bool mostly_zero(const Eigen::Ref<const Matrix>& below);

void sparse_affine(const Network& network, const Vector& theta, std::size_t layer,
                   const Eigen::Ref<const Matrix>& below, Matrix& out);

}  // namespace xp::mlp
