// The analytic gradient from the model's backward pass: the reference that every
// numerical method is checked against.
#include "exp/error.hpp"
#include "exp/gradient.hpp"

namespace {

class Backprop final : public xp::GradientMethod {
 public:
  void compute(const xp::Objective& objective, const xp::Vector& theta, const xp::GradientStep&,
               xp::Vector& gradient) override {
    if (!objective.analytic_gradient(theta, gradient)) {
      throw xp::Error(
          "gradient 'backprop': the model or the loss has no analytic gradient; use "
          "central_difference or forward_difference");
    }
  }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<Backprop>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "backprop",
                                     .version = "1.0.0",
                                     .summary =
                                         "analytic gradient by backpropagation (the model's "
                                         "backward pass)",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
