// AdaGrad, the book's: h += g * g; theta -= lr * g / (sqrt(h) + 1e-7). Each
// parameter's step shrinks with the squared gradients it has seen.
#include <cmath>

#include "exp/optimizer_state.hpp"

namespace {

constexpr double kEpsilon = 1e-7;  // the book's: keeps the first division finite

constexpr xp::ParameterSpec kParameters[] = {
    xp::positive_real("lr", "0.01", "learning rate (the book's default)"),
};

class AdaGrad final : public xp::Optimizer {
 public:
  explicit AdaGrad(double lr) : lr_(lr) {}

  void step(xp::Vector& theta, const xp::Vector& gradient) override {
    xp::prepare_state(h_, theta, "h", "adagrad");
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      const double g = gradient[i];
      h_[i] += g * g;
      theta[i] -= lr_ * g / (std::sqrt(h_[i]) + kEpsilon);
    }
  }
  xp::NamedVectors state() const override { return {{"h", h_}}; }
  void restore(const xp::NamedVectors& state) override {
    h_ = xp::saved_state(state, "h", "adagrad");
  }

 private:
  double lr_;
  xp::Vector h_;  // sum of squared gradients; empty until the first step
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<AdaGrad>(parameters.real("lr"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "adagrad",
                                     .version = "1.0.0",
                                     .summary = "AdaGrad: h += g*g; theta -= lr*g/(sqrt(h)+1e-7)",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
