#include "batch_cache.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>

#include "block_forward.hpp"
#include "sparse_affine.hpp"

namespace xp::mlp {

void InputColumns::prepare(const Matrix& inputs) {
  const auto rows = std::size_t(inputs.rows());
  const auto cols = std::size_t(inputs.cols());
  starts.resize(cols);
  ends.resize(cols);
  samples.resize(cols * (rows + 1));
  values.resize(cols * (rows + 1));
}

std::size_t InputColumns::tiles(const Matrix& inputs) {
  return (std::size_t(inputs.cols()) + kTile - 1) / kTile;
}

void InputColumns::build_tile(const Matrix& inputs, std::size_t tile) {
  // Column by column, without a branch per entry: every entry of a row's tile that holds
  // a non-zero one is written, and kept only if non-zero (so each column has one spare
  // slot); writes are sequential, and each column lists its samples in increasing order.
  // Columns go eight at a time, so that each row's eight entries come from one cache
  // line (the matrix is row-major), and a row whose eight are all zero (an image's
  // border) is passed over with one test.
  const auto rows = std::size_t(inputs.rows());
  const std::size_t begin = tile * kTile;
  const std::size_t end = std::min(std::size_t(inputs.cols()), begin + kTile);
  std::size_t at[kTile];
  for (std::size_t i = begin; i < end; ++i) at[i - begin] = starts[i] = i * (rows + 1);
  for (std::size_t n = 0; n < rows; ++n) {
    const double* row = &inputs(Eigen::Index(n), Eigen::Index(begin));
    if (!any_non_zero(row, end - begin)) continue;
    for (std::size_t i = 0; i < end - begin; ++i) {
      const double x = row[i];
      samples[at[i]] = std::uint32_t(n);
      values[at[i]] = x;
      at[i] += non_zero(x) ? 1 : 0;
    }
  }
  for (std::size_t i = begin; i < end; ++i) ends[i] = at[i - begin];
}

namespace {

// Target rows as wide as the output; a narrower target (labels) counts as the
// one-hot row of the label, as the cross_entropy and mse plugins read it. False when
// neither is possible (then the loss plugin itself reports the problem).
bool dense_targets(const Batch& batch, std::size_t classes, Matrix& targets) {
  const auto rows = Eigen::Index(batch.size());
  if (std::size_t(batch.targets.cols()) == classes && batch.targets.rows() == rows) {
    targets = batch.targets;
    return true;
  }
  if (batch.labels.size() != batch.size()) return false;
  targets.setZero(rows, Eigen::Index(classes));
  for (Eigen::Index n = 0; n < rows; ++n) {
    const int label = batch.labels[std::size_t(n)];
    if (label < 0 || std::size_t(label) >= classes) return false;
    targets(n, label) = 1.0;
  }
  return true;
}

}  // namespace

void BatchCache::forward_block(std::size_t block) {
  mlp::forward_block(network, theta, batch.inputs, block, pass);
  const auto row = block * kForwardRows;
  const auto end = std::min(batch.size(), row + kForwardRows);
  for (std::size_t n = row; n < end; ++n) measure_sample(n);
}

// The forward pass's blocks (with each sample's measures) and the first layer's input
// lists (which need the batch alone) form one job, costly blocks first, handed out one
// at a time: a thread done with its share of the blocks builds lists instead of
// waiting for the last block. The thread that finishes the last block goes on to what
// needs the whole pass (the measures' totals, the later layers' list sizes) while the
// others still build lists: between two jobs it would leave them idle.
void BatchCache::forward_and_first_inputs(ThreadPool& pool) {
  prepare_pass(network, batch.inputs.rows(), pass);
  columns.resize(network.layers());
  columns[0].prepare(batch.inputs);
  const std::size_t blocks = forward_blocks(batch.inputs.rows());
  const std::size_t tiles = InputColumns::tiles(batch.inputs);
  std::atomic<std::size_t> blocks_left{blocks};
  const auto after_forward = [this] {
    finish_measures();
    prepare_later_inputs();
  };
  if (blocks == 0) after_forward();
  pool.for_each_block(blocks + tiles, 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t k = first; k < last; ++k) {
      if (k < blocks) {
        forward_block(k);
        if (--blocks_left == 0) after_forward();
      } else {
        columns[0].build_tile(batch.inputs, k - blocks);
      }
    }
  });
}

BatchCache::BatchCache(const Network& network, const Vector& theta, const Batch& batch,
                       const Loss& loss, DifferenceSteps steps, ThreadPool& pool)
    : network(network), theta(theta), batch(batch), loss(loss), steps(steps) {
  prepare_measures();
  forward_and_first_inputs(pool);
}

void BatchCache::finish_measures() {
  const std::size_t samples = batch.size();
  double magnitude = 0.0;
  for (const double l : sample_losses) magnitude += std::abs(l);
  tolerance = samples == 0 ? 0.0 : std::ldexp(magnitude / double(samples), -57);
  sample_tolerance.resize(samples);
  for (std::size_t n = 0; n < samples; ++n) {
    sample_tolerance[n] = tolerance + std::ldexp(std::abs(sample_losses[n]), -57);
  }
  if (form == ClosedForm::cross_entropy) finish_confidence();
}

void BatchCache::prepare_later_inputs() {
  for (std::size_t l = 1; l < network.layers(); ++l) {
    columns[l].prepare(layer_input(l));
    for (std::size_t t = 0; t < InputColumns::tiles(layer_input(l)); ++t) {
      later_tiles_.emplace_back(l, t);
    }
  }
}

void BatchCache::build_later_input_tile(std::size_t tile) {
  const auto [l, t] = later_tiles_[tile];
  columns[l].build_tile(layer_input(l), t);
}

void BatchCache::prepare_measures() {
  const std::size_t samples = batch.size();
  const LossForm loss_form = loss.form();
  const std::size_t classes = network.units_of(network.layers() - 1);
  if (loss_form != LossForm::generic && dense_targets(batch, classes, targets)) {
    form = loss_form == LossForm::cross_entropy ? ClosedForm::cross_entropy
                                                : ClosedForm::squared_error;
    epsilon = loss.epsilon();
    target_entries.resize(samples);
  }
  if (form == ClosedForm::cross_entropy) {
    spread.assign(samples, 0.0);
    target_sum.assign(samples, 0.0);
    target_weight.assign(samples, 0.0);
    probability_total_.assign(samples, 0.0);
    target_magnitude_.assign(samples, 0.0);
  }
  sample_losses.resize(samples);
}

void BatchCache::measure_sample(std::size_t n) {
  const Matrix& outputs = pass.outputs();
  const auto width = std::size_t(outputs.cols());
  const int label = batch.labels.empty() ? -1 : batch.labels[n];
  sample_losses[n] = loss.sample(
      {outputs.row(Eigen::Index(n)).data(), width},
      {batch.targets.row(Eigen::Index(n)).data(), std::size_t(batch.targets.cols())}, label);
  if (form == ClosedForm::none) return;
  for (std::size_t k = 0; k < width; ++k) {
    const double t = targets(Eigen::Index(n), Eigen::Index(k));
    if (t != 0.0) target_entries[n].emplace_back(k, t);
  }
  if (form != ClosedForm::cross_entropy) return;
  const auto y = outputs.row(Eigen::Index(n));
  const double total = y.sum();
  probability_total_[n] = total;
  double& weight = target_magnitude_[n];  // sum_k |t_k|
  for (const auto& [k, t] : target_entries[n]) {
    target_sum[n] += t;
    const auto column = Eigen::Index(k);
    double others = 0.0;
    for (Eigen::Index j = 0; j < y.size(); ++j) others += j == column ? 0.0 : y[j];
    spread[n] = std::max(spread[n], alpha(y[column]) * (2.0 * others + std::abs(1.0 - total)));
    weight += std::abs(t);
  }
  target_weight[n] = std::abs(target_sum[n]) + weight;
}

void BatchCache::finish_confidence() {
  confidence_budget.assign(batch_size(), std::numeric_limits<double>::infinity());
  for (std::size_t n = 0; n < batch_size(); ++n) {
    largest_probability_total = std::max(largest_probability_total, probability_total_[n]);
    largest_target_weight = std::max(largest_target_weight, target_weight[n]);
    const double bound_factor = 2.0 * target_magnitude_[n] * spread[n] * (1.0 + 1e-6);
    if (bound_factor > 0.0) confidence_budget[n] = sample_tolerance[n] / bound_factor;
  }
}

}  // namespace xp::mlp
