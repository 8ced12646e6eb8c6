// Nesterov's accelerated gradient in the book's form (common/optimizer.py), which
// applies the look-ahead to theta directly:
//   v *= momentum; v -= lr * g; theta += momentum^2 * v; theta -= (1 + momentum) * lr * g.
#include "exp/optimizer_state.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    xp::positive_real("lr", "0.01", "learning rate (the book's default)"),
    xp::kept_fraction("momentum", "0.9", "fraction of the velocity kept each step (the book's default)"),
};

class Nesterov final : public xp::Optimizer {
 public:
  Nesterov(double lr, double momentum) : lr_(lr), momentum_(momentum) {}

  void step(xp::Vector& theta, const xp::Vector& gradient) override {
    xp::prepare_state(v_, theta, "v", "nesterov");
    v_ *= momentum_;
    v_ -= lr_ * gradient;
    theta += (momentum_ * momentum_) * v_;
    theta -= ((1.0 + momentum_) * lr_) * gradient;
  }
  xp::NamedVectors state() const override { return {{"v", v_}}; }
  void restore(const xp::NamedVectors& state) override {
    v_ = xp::saved_state(state, "v", "nesterov");
  }

 private:
  double lr_;
  double momentum_;
  xp::Vector v_;  // velocity; empty until the first step
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<Nesterov>(parameters.real("lr"), parameters.real("momentum"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "nesterov",
                                     .version = "1.0.0",
                                     .summary = "Nesterov accelerated gradient (the book's form)",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
