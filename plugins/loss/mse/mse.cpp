// The book's mean squared error: 0.5 * sum_k (y_k - t_k)^2 per sample (the 0.5
// makes the derivative y - t), the batch loss being the mean. Label targets (a
// target row narrower than the output) count as the one-hot row of the label.
#include <string>

#include "exp/error.hpp"
#include "exp/loss.hpp"

namespace {

class MeanSquaredError final : public xp::Loss {
 public:
  double sample(std::span<const double> y, std::span<const double> t, int label) const override {
    const bool one_hot = t.size() != y.size();
    if (one_hot) check_label(label, y.size(), t.size());
    double sum = 0.0;
    for (std::size_t k = 0; k < y.size(); ++k) {
      const double target = one_hot ? (int(k) == label ? 1.0 : 0.0) : t[k];
      const double difference = y[k] - target;
      sum += difference * difference;
    }
    return 0.5 * sum;
  }

  bool output_gradient(const xp::Matrix& outputs, const xp::Batch& batch,
                       xp::Matrix& gradient) const override {
    const auto rows = outputs.rows();
    const double scale = rows == 0 ? 0.0 : 1.0 / double(rows);
    gradient.resize(rows, outputs.cols());
    const bool one_hot = batch.targets.cols() != outputs.cols();
    for (Eigen::Index n = 0; n < rows; ++n) {
      const int label = batch.labels.empty() ? -1 : batch.labels[std::size_t(n)];
      if (one_hot)
        check_label(label, std::size_t(outputs.cols()), std::size_t(batch.targets.cols()));
      for (Eigen::Index k = 0; k < outputs.cols(); ++k) {
        const double target = one_hot ? (k == label ? 1.0 : 0.0) : batch.targets(n, k);
        gradient(n, k) = (outputs(n, k) - target) * scale;
      }
    }
    return true;
  }

  xp::LossForm form() const override { return xp::LossForm::squared_error; }

 private:
  static void check_label(int label, std::size_t width, std::size_t target_width) {
    if (label < 0 || std::size_t(label) >= width) {
      throw xp::Error("mse loss: a target row of " + std::to_string(target_width) +
                      " values for an output of " + std::to_string(width) +
                      " needs a label in 0.." + std::to_string(width - 1) + ", found " +
                      std::to_string(label));
    }
  }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<MeanSquaredError>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{
      .api_version = xp::kPluginApiVersion,
      .kind = xp::PluginKind::loss,
      .name = "mse",
      .version = "1.0.0",
      .summary = "mean squared error 0.5 * sum_k (y_k - t_k)^2 (the book's)",
      .parameters = {},
      .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
