// A loss with no closed form for the mlp's shortcut (LossForm::generic):
// sum_k log(cosh(y_k - t_k)). The shortcut must still agree with full evaluations,
// through Loss::sample of the changed output rows. Built off the search path.
#include <cmath>

#include "exp/loss.hpp"

namespace {

class LogCosh final : public xp::Loss {
 public:
  double sample(std::span<const double> y, std::span<const double> t, int) const override {
    double sum = 0.0;
    for (std::size_t k = 0; k < y.size(); ++k) sum += std::log(std::cosh(y[k] - t[k]));
    return sum;
  }

  bool output_gradient(const xp::Matrix& outputs, const xp::Batch& batch,
                       xp::Matrix& gradient) const override {
    gradient = (outputs - batch.targets).array().tanh().matrix() / double(outputs.rows());
    return true;
  }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<LogCosh>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::loss,
                                     .name = "log_cosh",
                                     .version = "1.0.0",
                                     .summary = "sum_k log cosh(y_k - t_k), a generic loss",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
