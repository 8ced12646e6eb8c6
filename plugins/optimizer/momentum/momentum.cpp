// Momentum SGD, the book's Momentum: v = momentum * v - lr * g; theta += v.
// The velocity keeps moving along directions where gradients agree.
#include "exp/optimizer_state.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "lr",
     .type = xp::ParameterType::real,
     .default_value = "0.01",
     .meaning = "learning rate (the book's default)",
     .minimum = 0.0,
     .minimum_inclusive = false},
    {.name = "momentum",
     .type = xp::ParameterType::real,
     .default_value = "0.9",
     .meaning = "fraction of the velocity kept each step (the book's default)",
     .minimum = 0.0,
     .maximum = 1.0,
     .maximum_inclusive = false},
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
