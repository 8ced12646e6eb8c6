#include "sparse_affine.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace xp::mlp {

namespace {

// Inputs looked at together when listing a row's non-zero entries: a run of zeros this
// long (an image's border) is passed over with one test.
constexpr Eigen::Index kSkip = 8;
// One register of doubles, for the instructions the build may use (a portable build:
// SSE2's). Four of them hold the sums of 4 kLanes units at once (32 with AVX-512).
#if defined(__AVX512F__)
constexpr Eigen::Index kLanes = 8;
#elif defined(__AVX__)
constexpr Eigen::Index kLanes = 4;
#else
constexpr Eigen::Index kLanes = 2;
#endif
using Lanes = double __attribute__((vector_size(kLanes * sizeof(double))));
constexpr int kMostRegisters = 4;

// One row's non-zero entries.
struct Entries {
  const std::uint32_t* inputs;
  const double* values;
  std::size_t count;
};

// out[0, width) = sum over the entries (in increasing input order) of value times the
// entry's row of `weights` (rows `stride` apart), with width = 4 kLanes for
// kRegisters = 4 and kRegisters kLanes < width <= (kRegisters + 1) kLanes otherwise;
// the sums stay in registers. Units past the registers take one more, loaded as the
// last kLanes units of the range: it overlaps the others, whose sums it computes again
// the same way, and may start before weights[0] and out[0], in units of the same row
// that an earlier call summed (the caller's rows are at least kLanes wide). Each sum
// takes its terms in the order of a plain loop `z[u] += x * w[u]`: the same bits.
template <int kRegisters>
void sum_units(const Entries& entries, const double* weights, Eigen::Index stride,
               Eigen::Index width, double* out) {
  const bool tail = width > kRegisters * kLanes;
  const Eigen::Index last = width - kLanes;
  std::array<Lanes, kRegisters> sum{};
  Lanes tail_sum = {};
  for (std::size_t e = 0; e < entries.count; ++e) {
    const Lanes x = Lanes{} + entries.values[e];
    const double* w = weights + Eigen::Index(entries.inputs[e]) * stride;
    Lanes weight;
    for (int r = 0; r < kRegisters; ++r) {
      std::memcpy(&weight, w + r * kLanes, sizeof weight);
      sum[r] += x * weight;
    }
    if (tail) {
      std::memcpy(&weight, w + last, sizeof weight);
      tail_sum += x * weight;
    }
  }
  if constexpr (kRegisters > 0) std::memcpy(out, sum.data(), sizeof sum);
  if (tail) std::memcpy(out + last, &tail_sum, sizeof tail_sum);
}

// A layer narrower than one register.
void sum_narrow(const Entries& entries, const double* weights, Eigen::Index width, double* out) {
  std::fill(out, out + width, 0.0);
  for (std::size_t e = 0; e < entries.count; ++e) {
    const double x = entries.values[e];
    const double* w = weights + Eigen::Index(entries.inputs[e]) * width;
    for (Eigen::Index u = 0; u < width; ++u) out[u] += x * w[u];
  }
}

}  // namespace

SparseRows::SparseRows(const Eigen::Ref<const Matrix>& rows)
    : rows_(rows.rows()),
      cols_(rows.cols()),
      inputs_(std::size_t(rows_ * cols_)),
      values_(std::size_t(rows_ * cols_)),
      starts_(std::size_t(rows_) + 1, 0) {
  // Every entry of a chunk that holds a non-zero one is written, and kept only if
  // non-zero: no branch per entry, whose outcome follows no pattern the processor
  // could predict.
  std::size_t count = 0;
  const auto keep = [&](const double* row, Eigen::Index k) {
    inputs_[count] = std::uint32_t(k);
    values_[count] = row[k];
    count += non_zero(row[k]) ? 1 : 0;
  };
  for (Eigen::Index n = 0; n < rows_; ++n) {
    const double* row = rows.data() + n * rows.outerStride();
    Eigen::Index k = 0;
    for (; k + kSkip <= cols_; k += kSkip) {
      if (!any_non_zero(row + k, std::size_t(kSkip))) continue;
      for (Eigen::Index j = 0; j < kSkip; ++j) keep(row, k + j);
    }
    for (; k < cols_; ++k) keep(row, k);
    starts_[std::size_t(n) + 1] = count;
    // A dense block (a sigmoid layer's activations) is known as such after a row or
    // two: its lists would not be used.
    mostly_zero_ = 4 * count <= std::size_t(rows_ * cols_);
    if (!mostly_zero_) return;
  }
}

void SparseRows::affine(const Network& network, const Vector& theta, std::size_t layer,
                        Matrix& out) const {
  const ConstMatrixMap weights = network.weights(theta, layer);
  const Eigen::Index units = weights.cols();
  out.resize(rows_, units);
  for (Eigen::Index n = 0; n < rows_; ++n) {
    const std::size_t start = starts_[std::size_t(n)];
    const Entries entries{inputs_.data() + start, values_.data() + start,
                          starts_[std::size_t(n) + 1] - start};
    double* z = &out(n, 0);
    const double* w = weights.data();
    if (units < kLanes) {
      sum_narrow(entries, w, units, z);
      continue;
    }
    Eigen::Index u = 0;
    for (; units - u > kMostRegisters * kLanes; u += kMostRegisters * kLanes) {
      sum_units<kMostRegisters>(entries, w + u, units, kMostRegisters * kLanes, z + u);
    }
    // The last 1 to kMostRegisters registers' units in one pass.
    const Eigen::Index left = units - u;
    switch ((left - 1) / kLanes) {
      case 0:
        sum_units<0>(entries, w + u, units, left, z + u);
        break;
      case 1:
        sum_units<1>(entries, w + u, units, left, z + u);
        break;
      case 2:
        sum_units<2>(entries, w + u, units, left, z + u);
        break;
      default:
        sum_units<3>(entries, w + u, units, left, z + u);
        break;
    }
  }
  network.add_bias(theta, layer, out);
}

}  // namespace xp::mlp
