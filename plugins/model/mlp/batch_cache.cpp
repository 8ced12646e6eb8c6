#include "batch_cache.hpp"

#include <cmath>

namespace xp::mlp {

void InputColumns::build(const Matrix& inputs) {
  // Two passes in the matrix's own (row-major) order: count per column, then fill
  // without branches (each entry is written, and kept only if non-zero: hence one
  // spare slot per column); each column lists its samples in increasing order.
  const auto rows = inputs.rows();
  const auto cols = std::size_t(inputs.cols());
  starts.assign(cols + 1, 0);
  for (Eigen::Index n = 0; n < rows; ++n) {
    const double* row = inputs.row(n).data();
    for (std::size_t i = 0; i < cols; ++i) starts[i + 1] += row[i] != 0.0 ? 1 : 0;
  }
  for (std::size_t i = 0; i < cols; ++i) starts[i + 1] += starts[i] + 1;
  samples.resize(starts[cols]);
  values.resize(starts[cols]);
  ends.assign(starts.begin(), starts.end() - 1);
  for (Eigen::Index n = 0; n < rows; ++n) {
    const double* row = inputs.row(n).data();
    for (std::size_t i = 0; i < cols; ++i) {
      const std::size_t at = ends[i];
      samples[at] = std::uint32_t(n);
      values[at] = row[i];
      ends[i] = at + (row[i] != 0.0 ? 1 : 0);
    }
  }
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

BatchCache::BatchCache(const Network& network, const Vector& theta, const Batch& batch,
                       const Loss& loss)
    : network(network), theta(theta), batch(batch), loss(loss) {
  network.forward(theta, batch.inputs, pass);
  columns.resize(network.layers());
  for (std::size_t l = 0; l < network.layers(); ++l) columns[l].build(layer_input(l));

  const Matrix& outputs = pass.outputs();
  const auto width = std::size_t(outputs.cols());
  const auto target_width = std::size_t(batch.targets.cols());
  sample_losses.resize(batch.size());
  double magnitude = 0.0;
  for (std::size_t n = 0; n < batch.size(); ++n) {
    const int label = batch.labels.empty() ? -1 : batch.labels[n];
    sample_losses[n] =
        loss.sample({outputs.row(Eigen::Index(n)).data(), width},
                    {batch.targets.row(Eigen::Index(n)).data(), target_width}, label);
    magnitude += std::abs(sample_losses[n]);
  }
  tolerance = batch.size() == 0 ? 0.0 : std::ldexp(magnitude / double(batch.size()), -56);

  const LossForm loss_form = loss.form();
  if (loss_form != LossForm::generic && dense_targets(batch, width, targets)) {
    form = loss_form == LossForm::cross_entropy ? ClosedForm::cross_entropy
                                                : ClosedForm::squared_error;
    epsilon = loss.epsilon();
    target_entries.resize(batch.size());
    for (std::size_t n = 0; n < batch.size(); ++n) {
      for (std::size_t k = 0; k < width; ++k) {
        const double t = targets(Eigen::Index(n), Eigen::Index(k));
        if (t != 0.0) target_entries[n].emplace_back(k, t);
      }
    }
  }
}

}  // namespace xp::mlp
