// The book's cross-entropy error: -sum_k t_k log(y_k + 1e-7) per sample, the batch
// loss being the mean. The 1e-7 keeps log finite when a probability is 0.
// Targets are one-hot (or any) rows as wide as the output, or labels: with a
// target row of another width the sample loss is -log(y[label] + 1e-7), which is
// what the one-hot row of that label gives.
#include <cmath>
#include <string>

#include "exp/error.hpp"
#include "exp/loss.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "epsilon",
     .type = xp::ParameterType::real,
     .default_value = "1.0e-7",
     .meaning = "added to each probability before the log (the book's delta = 1e-7)",
     .minimum = 0.0},
};

class CrossEntropy final : public xp::Loss {
 public:
  explicit CrossEntropy(double epsilon) : epsilon_(epsilon) {}

  double sample(std::span<const double> y, std::span<const double> t, int label) const override {
    if (t.size() == y.size()) {
      double sum = 0.0;
      for (std::size_t k = 0; k < y.size(); ++k) sum += t[k] * std::log(y[k] + epsilon_);
      return -sum;
    }
    return -std::log(y[checked_label(label, y.size(), t.size())] + epsilon_);
  }

  bool output_gradient(const xp::Matrix& outputs, const xp::Batch& batch,
                       xp::Matrix& gradient) const override {
    const auto rows = outputs.rows();
    const double scale = rows == 0 ? 0.0 : 1.0 / double(rows);
    gradient.setZero(rows, outputs.cols());
    const bool label_targets = batch.targets.cols() != outputs.cols();
    for (Eigen::Index n = 0; n < rows; ++n) {
      if (label_targets) {
        const int label = batch.labels.empty() ? -1 : batch.labels[std::size_t(n)];
        const auto k = Eigen::Index(
            checked_label(label, std::size_t(outputs.cols()), std::size_t(batch.targets.cols())));
        gradient(n, k) = -1.0 / (outputs(n, k) + epsilon_) * scale;
      } else {
        for (Eigen::Index k = 0; k < outputs.cols(); ++k) {
          gradient(n, k) = -batch.targets(n, k) / (outputs(n, k) + epsilon_) * scale;
        }
      }
    }
    return true;
  }

  xp::LossForm form() const override { return xp::LossForm::cross_entropy; }
  double epsilon() const override { return epsilon_; }

 private:
  static std::size_t checked_label(int label, std::size_t classes, std::size_t target_width) {
    if (label < 0 || std::size_t(label) >= classes) {
      throw xp::Error("cross_entropy loss: a target row of " + std::to_string(target_width) +
                      " values for an output of " + std::to_string(classes) +
                      " needs a label in 0.." + std::to_string(classes - 1) + ", found " +
                      std::to_string(label));
    }
    return std::size_t(label);
  }

  double epsilon_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<CrossEntropy>(parameters.real("epsilon"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::loss,
                                     .name = "cross_entropy",
                                     .version = "1.0.0",
                                     .summary =
                                         "cross-entropy error -sum_k t_k log(y_k + 1e-7), "
                                         "one-hot or label targets (the book's)",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
