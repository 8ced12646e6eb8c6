// Momentum SGD, the book's Momentum: v = momentum * v - lr * g; theta += v.
// The velocity keeps moving along directions where gradients agree.
#include "exp/optimizer_state.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    xp::positive_real("lr", "0.01", "learning rate (the book's default)"),
    xp::kept_fraction("momentum", "0.9", "fraction of the velocity kept each step (the book's default)"),
};

class Momentum final : public xp::Optimizer {
 public:
  Momentum(double lr, double momentum) : lr_(lr), momentum_(momentum) {}

  void step(xp::Vector& theta, const xp::Vector& gradient) override {
    xp::prepare_state(v_, theta, "v", "momentum");
    v_ = momentum_ * v_ - lr_ * gradient;
    theta += v_;
  }
  xp::NamedVectors state() const override { return {{"v", v_}}; }
  void restore(const xp::NamedVectors& state) override {
    v_ = xp::saved_state(state, "v", "momentum");
  }

 private:
  double lr_;
  double momentum_;
  xp::Vector v_;  // velocity; empty until the first step
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<Momentum>(parameters.real("lr"), parameters.real("momentum"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "momentum",
                                     .version = "1.0.0",
                                     .summary = "momentum SGD: v = momentum*v - lr*g; theta += v",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
