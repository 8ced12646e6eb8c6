#include "sparse_affine.hpp"

#include <algorithm>
#include <bit>

namespace xp::mlp {

namespace {

// Rows taken together: one bit each in a mask of which of them have input k non-zero.
constexpr Eigen::Index kRowGroup = 8;

}  // namespace

bool mostly_zero(const Eigen::Ref<const Matrix>& below) {
  return 4 * (below.array() != 0.0).count() <= below.size();
}

void sparse_affine(const Network& network, const Vector& theta, std::size_t layer,
                   const Eigen::Ref<const Matrix>& below, Matrix& out) {
  const ConstMatrixMap weights = network.weights(theta, layer);
  const Eigen::Index rows = below.rows();
  const Eigen::Index units = weights.cols();
  out.setZero(rows, units);
  for (Eigen::Index first = 0; first < rows; first += kRowGroup) {
    const Eigen::Index group = std::min(kRowGroup, rows - first);
    for (Eigen::Index k = 0; k < weights.rows(); ++k) {
      // The mask, without a branch per entry: whether an input is zero follows no
      // pattern the processor could predict.
      unsigned nonzero = 0;
      for (Eigen::Index n = 0; n < group; ++n) {
        nonzero |= unsigned(below(first + n, k) != 0.0) << n;
      }
      const double* __restrict weight = weights.data() + k * units;
      for (; nonzero != 0; nonzero &= nonzero - 1) {
        const Eigen::Index n = first + std::countr_zero(nonzero);
        const double x = below(n, k);
        double* __restrict z = &out(n, 0);
        for (Eigen::Index u = 0; u < units; ++u) z[u] += x * weight[u];
      }
    }
  }
  network.add_bias(theta, layer, out);
}

}  // namespace xp::mlp
