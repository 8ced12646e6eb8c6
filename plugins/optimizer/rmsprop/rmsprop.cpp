// RMSprop, the book's: h = decay * h + (1 - decay) * g * g;
// theta -= lr * g / (sqrt(h) + 1e-7). Like AdaGrad, but old gradients fade.
#include <cmath>

#include "exp/optimizer_state.hpp"

namespace {

constexpr double kEpsilon = 1e-7;  // the book's: keeps the first division finite

constexpr xp::ParameterSpec kParameters[] = {
    xp::positive_real("lr", "0.01", "learning rate (the book's default)"),
    xp::kept_fraction("decay_rate", "0.99", "fraction of the squared-gradient average kept each step (the book's default)"),
};

class RmsProp final : public xp::Optimizer {
 public:
  RmsProp(double lr, double decay_rate) : lr_(lr), decay_rate_(decay_rate) {}

  void step(xp::Vector& theta, const xp::Vector& gradient) override {
    xp::prepare_state(h_, theta, "h", "rmsprop");
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      const double g = gradient[i];
      h_[i] *= decay_rate_;
      h_[i] += (1.0 - decay_rate_) * g * g;
      theta[i] -= lr_ * g / (std::sqrt(h_[i]) + kEpsilon);
    }
  }
  xp::NamedVectors state() const override { return {{"h", h_}}; }
  void restore(const xp::NamedVectors& state) override {
    h_ = xp::saved_state(state, "h", "rmsprop");
  }

 private:
  double lr_;
  double decay_rate_;
  xp::Vector h_;  // decaying average of squared gradients; empty until the first step
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<RmsProp>(parameters.real("lr"), parameters.real("decay_rate"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "rmsprop",
                                     .version = "1.0.0",
                                     .summary = "RMSprop: decaying average of g*g scales each step",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
