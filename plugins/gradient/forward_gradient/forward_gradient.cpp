// The forward gradient of Baydin et al. (2022), "Gradients without Backpropagation":
//
//   g = (1/q) sum_{j=1..q} (grad L . v_j) v_j,   v_j ~ N(0, I) drawn from the step's stream.
//
// Unbiased, as E[v v^T] = I gives E[(grad L . v) v] = grad L; component i has variance
// (|grad L|^2 + (grad L)_i^2) / q. Cost: q tangent passes of the model's forward mode
// (Model::directional_derivative), which the Objective counts as q loss evaluations
// and q derivative passes, and no backward pass. A model without forward mode (or a
// loss without an output gradient) is refused.
#include "exp/direction_estimate.hpp"
#include "exp/error.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {xp::kDirectionsParameter};

class ForwardGradient final : public xp::GradientMethod {
 public:
  explicit ForwardGradient(std::size_t q) : q_(q) {}

  void compute(const xp::Objective& objective, const xp::Vector& theta,
               const xp::GradientStep& step, xp::Vector& gradient) override {
    const auto gaussian = [&](xp::Vector& direction) {
      for (double& v : direction) v = step.random.normal();
    };
    const auto derivative_along = [&](const xp::Vector& v) {
      double derivative = 0.0;
      if (!objective.directional_derivative(theta, v, derivative)) {
        throw xp::Error(
            "gradient 'forward_gradient': the model or the loss has no forward-mode "
            "directional derivative (Model::directional_derivative); use central_difference "
            "or forward_difference, or backprop where the model has a backward pass");
      }
      return derivative;
    };
    xp::estimate_along_directions(objective, q_, gaussian, derivative_along, 1.0, gradient);
  }

 private:
  std::size_t q_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<ForwardGradient>(std::size_t(parameters.integer("q")));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "forward_gradient",
                                     .version = "1.0.0",
                                     .summary =
                                         "forward gradient (grad L . v) v, v ~ N(0, I), averaged "
                                         "over q directions (Baydin et al. 2022); unbiased, needs "
                                         "the model's forward mode",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
