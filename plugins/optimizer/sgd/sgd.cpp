// Plain stochastic gradient descent, the book's update: theta -= lr * gradient.
#include "exp/optimizer.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    xp::positive_real("lr", "0.01", "learning rate (the book's SGD default)"),
};

class Sgd final : public xp::Optimizer {
 public:
  explicit Sgd(double lr) : lr_(lr) {}
  void step(xp::Vector& theta, const xp::Vector& gradient) override { theta -= lr_ * gradient; }

 private:
  double lr_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<Sgd>(parameters.real("lr"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "sgd",
                                     .version = "1.0.0",
                                     .summary = "stochastic gradient descent: theta -= lr * g",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
