// The Huber loss: squared error near the target, absolute error far from it, so a
// few outliers do not dominate the gradient.
//
//   per output k, with r = y_k - t_k:  0.5 r^2            if |r| <= delta
//                                       delta (|r| - delta/2)  otherwise
#include <algorithm>
#include <cmath>

#include "exp/loss.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "delta",
     .type = xp::ParameterType::real,
     .default_value = "1.0",
     .meaning = "where the loss turns from quadratic to linear",
     .minimum = 0.0,
     .minimum_inclusive = false},
};

class HuberLoss final : public xp::Loss {
 public:
  explicit HuberLoss(double delta) : delta_(delta) {}

  double sample(std::span<const double> y, std::span<const double> t, int) const override {
    double sum = 0.0;
    for (std::size_t k = 0; k < y.size(); ++k) {
      const double r = std::abs(y[k] - t[k]);
      sum += r <= delta_ ? 0.5 * r * r : delta_ * (r - 0.5 * delta_);
    }
    return sum;
  }

  bool output_gradient(const xp::Matrix& outputs, const xp::Batch& batch,
                       xp::Matrix& gradient) const override {
    const double scale = 1.0 / double(outputs.rows());
    gradient = (outputs - batch.targets).unaryExpr([this, scale](double r) {
      return scale * std::clamp(r, -delta_, delta_);
    });
    return true;
  }

 private:
  double delta_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<HuberLoss>(parameters.real("delta"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::loss,
                                     .name = "huber",
                                     .version = "1.0.0",
                                     .summary = "Huber loss: quadratic near the target, linear beyond delta",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
