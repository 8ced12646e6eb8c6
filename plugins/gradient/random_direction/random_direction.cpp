// Gaussian smoothing (Nesterov and Spokoiny, 2017), the zeroth-order estimator MeZO
// and ZO-Bench call ZO-SGD: along u ~ N(0, I) (drawn from the step's stream),
//
//   two-sided: g = (L(theta + mu u) - L(theta - mu u)) / (2 mu) * u
//   one-sided: g = (L(theta + mu u) - L(theta)) / mu * u
//
// averaged over q directions. E[u u^T] = I makes g an unbiased estimate of the
// gradient of the smoothed loss E[L(theta + mu u)], which tends to L's as mu -> 0.
// With `sphere`, u is normalised to the unit sphere and g scaled by P (the number of
// parameters), since then E[u u^T] = I / P. Cost per step: 2q loss evaluations
// two-sided, q + 1 one-sided, independent of P.
#include "exp/direction_estimate.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "mu",
     .type = xp::ParameterType::real,
     .default_value = "1.0e-3",
     .meaning = "smoothing radius mu (MeZO's 1e-3), the step along each direction",
     .minimum = 0.0,
     .minimum_inclusive = false},
    xp::kDirectionsParameter,
    {.name = "sided",
     .type = xp::ParameterType::text,
     .default_value = "two",
     .meaning = "two: central quotient, 2q evaluations; one: forward quotient, q + 1",
     .choices = "two|one"},
    {.name = "directions",
     .type = xp::ParameterType::text,
     .default_value = "gaussian",
     .meaning = "gaussian: u ~ N(0, I); sphere: u uniform on the unit sphere, estimate "
                "scaled by the number of parameters",
     .choices = "gaussian|sphere"},
};

class RandomDirection final : public xp::GradientMethod {
 public:
  RandomDirection(double mu, std::size_t q, bool two_sided, bool sphere)
      : mu_(mu), q_(q), two_sided_(two_sided), sphere_(sphere) {}

  void compute(const xp::Objective& objective, const xp::Vector& theta,
               const xp::GradientStep& step, xp::Vector& gradient) override {
    const auto draw = [&](xp::Vector& direction) {
      for (double& u : direction) u = step.random.normal();
      if (sphere_) direction.normalize();
    };
    const double scale = sphere_ ? double(objective.size()) : 1.0;
    xp::estimate_along_directions(objective, q_, draw,
                                  xp::difference_quotient(objective, theta, mu_, two_sided_),
                                  scale, gradient);
  }

 private:
  double mu_;
  std::size_t q_;
  bool two_sided_;
  bool sphere_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<RandomDirection>(
      parameters.real("mu"), std::size_t(parameters.integer("q")),
      parameters.text("sided") == "two", parameters.text("directions") == "sphere");
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "random_direction",
                                     .version = "1.0.0",
                                     .summary =
                                         "Gaussian smoothing (ZO-SGD): (L(theta+mu u) - "
                                         "L(theta-mu u)) / 2mu * u, u ~ N(0, I)",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
