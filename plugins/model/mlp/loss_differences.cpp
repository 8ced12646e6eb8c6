#include "loss_differences.hpp"

#include <algorithm>
#include <cmath>

#include "sample_change.hpp"

namespace xp::mlp {

struct MlpLossDifferences::Row {
  std::size_t layer = 0;
  bool bias = false;      // the bias row: an input that is 1 for every sample
  std::size_t input = 0;  // i, the row of the weights (unused for the bias)
  std::size_t first = 0;  // units [first, last)
  std::size_t last = 0;
  std::size_t offset = 0;  // where parameter (row, unit 0) sits in theta
};

namespace {

// (theta_i + step) - theta_i: the step a full evaluation actually takes.
inline double actual_step(double theta, double step) { return (theta + step) - theta; }

// Calls body(sample, input) for the samples whose input to the row is non-zero.
template <typename Body>
void for_each_input(const BatchCache& cache, std::size_t layer, bool bias, std::size_t input,
                    Body&& body) {
  if (bias) {
    for (std::size_t n = 0; n < cache.batch_size(); ++n) body(n, 1.0);
    return;
  }
  const InputColumns& columns = cache.columns[layer];
  for (std::size_t e = columns.starts[input]; e < columns.starts[input + 1]; ++e) {
    body(std::size_t(columns.samples[e]), columns.values[e]);
  }
}

// Sum over the affected samples of F(d_a x) - F(d_b x) for the units of one row, from
// the certified series (loss_series.hpp). Per affected sample and unit: two Horner
// evaluations of degree 5 and one radius check; `unsure[u]` counts deltas beyond the
// certified radius (then the caller recomputes that parameter on the general path).
// kTwoSided is false for b = 0 (forward differences), where F(0) = 0.
template <bool kTwoSided>
void series_row(const BatchCache& cache, const LossSeries& series, std::size_t layer, bool bias,
                std::size_t input, std::size_t first, std::size_t count, const double* step_a,
                const double* step_b, const double* reach, double* sum, double* unsure) {
  const std::size_t lanes = series.lanes();
  for_each_input(cache, layer, bias, input, [&](std::size_t n, double x) {
    const double* c1 = series.coefficients(n) + first;
    const double* c2 = c1 + lanes;
    const double* c3 = c2 + lanes;
    const double* c4 = c3 + lanes;
    const double* c5 = c4 + lanes;
    const double* radius = series.radius(n) + first;
    const double magnitude = std::abs(x);
    for (std::size_t u = 0; u < count; ++u) {
      const double da = step_a[u] * x;
      double change = da * (c1[u] + da * (c2[u] + da * (c3[u] + da * (c4[u] + da * c5[u]))));
      if constexpr (kTwoSided) {
        const double db = step_b[u] * x;
        change -= db * (c1[u] + db * (c2[u] + db * (c3[u] + db * (c4[u] + db * c5[u]))));
      }
      sum[u] += change;
      unsure[u] += reach[u] * magnitude <= radius[u] ? 0.0 : 1.0;
    }
  });
}

}  // namespace

MlpLossDifferences::MlpLossDifferences(const Network& network, const Vector& theta,
                                       const Batch& batch, const Loss& loss)
    : cache_(network, theta, batch, loss), series_(network.layers()) {
  static_assert(kSeriesDegree == 5, "series_row evaluates polynomials of degree 5");
  if (batch.size() == 0 || !LossSeries::available(cache_)) return;
  const std::size_t last = network.layers() - 1;
  series_[last] = std::make_unique<LossSeries>(cache_, last);
  if (last > 0) series_[last - 1] = std::make_unique<LossSeries>(cache_, last - 1);
}

void MlpLossDifferences::compute(std::size_t begin, std::size_t end, double a, double b,
                                 double* out) const {
  const Network& network = cache_.network;
  for (std::size_t l = 0; l < network.layers() && begin < end; ++l) {
    const std::size_t units = network.units_of(l);
    Row row;
    row.layer = l;
    // The weights, row by row, then the bias row.
    const std::size_t rows = network.inputs_of(l) + (network.architecture().bias ? 1 : 0);
    for (std::size_t i = 0; i < rows; ++i) {
      row.bias = i == network.inputs_of(l);
      row.input = i;
      row.offset = row.bias ? network.bias_offset(l) : network.weight_offset(l) + i * units;
      const std::size_t row_end = row.offset + units;
      if (row_end <= begin || row.offset >= end) continue;
      row.first = std::max(begin, row.offset) - row.offset;
      row.last = std::min(end, row_end) - row.offset;
      compute_row(row, a, b, out + (row.offset + row.first - begin));
    }
  }
}

void MlpLossDifferences::compute_row(const Row& row, double a, double b, double* out) const {
  const std::size_t count = row.last - row.first;
  const std::size_t samples = cache_.batch_size();
  if (samples == 0) {
    std::fill(out, out + count, 0.0);  // the loss of an empty batch is 0
    return;
  }
  const double* theta = cache_.theta.data() + row.offset + row.first;
  std::vector<double> step_a(count), step_b(count), reach(count), sum(count, 0.0),
      unsure(count, 0.0);
  for (std::size_t u = 0; u < count; ++u) {
    step_a[u] = actual_step(theta[u], a);
    step_b[u] = actual_step(theta[u], b);
    reach[u] = std::max(std::abs(step_a[u]), std::abs(step_b[u]));
  }

  const LossSeries* series = series_[row.layer].get();
  if (series != nullptr) {
    const bool two_sided = b != 0.0;
    (two_sided ? series_row<true> : series_row<false>)(cache_, *series, row.layer, row.bias,
                                                       row.input, row.first, count, step_a.data(),
                                                       step_b.data(), reach.data(), sum.data(),
                                                       unsure.data());
  }

  std::unique_ptr<SampleChange> exact;
  for (std::size_t u = 0; u < count; ++u) {
    if (series != nullptr && unsure[u] == 0.0) {
      out[u] = sum[u] / double(samples);
      continue;
    }
    // The general exact path for this parameter.
    if (!exact) exact = std::make_unique<SampleChange>(cache_);
    const std::size_t unit = row.first + u;
    double total = 0.0;
    for_each_input(cache_, row.layer, row.bias, row.input, [&](std::size_t n, double x) {
      double change = (*exact)(row.layer, unit, n, step_a[u] * x);
      if (step_b[u] != 0.0) change -= (*exact)(row.layer, unit, n, step_b[u] * x);
      total += change;
    });
    out[u] = total / double(samples);
  }
}

}  // namespace xp::mlp
