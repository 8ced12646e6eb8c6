// Simultaneous perturbation stochastic approximation (Spall, 1992): every parameter
// is perturbed at once, along a Rademacher direction D (each D_i = +1 or -1 with
// probability 1/2, drawn from the step's stream),
//
//   g = (L(theta + c_k D) - L(theta - c_k D)) / (2 c_k) * D,   c_k = c / (k + 1)^gamma,
//
// averaged over q independent directions. Spall writes the quotient times 1/D_i,
// which is D_i for D_i = +-1. Since E[D D^T] = I, g is unbiased for the gradient up
// to O(c^2), whatever the number of parameters P; its variance grows with P, which
// is why it needs many more steps than an exact gradient. Cost: 2q loss evaluations
// per step, independent of P (central differences need 2P). gamma = 0.101 is
// Spall's recommended decay of c_k (k the 0-based training step); 0 keeps c fixed.
#include <cmath>

#include "exp/direction_estimate.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "c",
     .type = xp::ParameterType::real,
     .default_value = "1.0e-3",
     .meaning = "perturbation size c (MeZO's 1e-3): small for a deterministic loss, "
                "about the noise's size for a noisy one",
     .minimum = 0.0,
     .minimum_inclusive = false},
    xp::kDirectionsParameter,
    {.name = "gamma",
     .type = xp::ParameterType::real,
     .default_value = "0",
     .meaning = "decay of the perturbation c_k = c / (k+1)^gamma (Spall recommends 0.101; "
                "0 keeps c fixed)",
     .minimum = 0.0},
};

class Spsa final : public xp::GradientMethod {
 public:
  Spsa(double c, std::size_t q, double gamma) : c_(c), q_(q), gamma_(gamma) {}

  void compute(const xp::Objective& objective, const xp::Vector& theta,
               const xp::GradientStep& step, xp::Vector& gradient) override {
    const auto rademacher = [&](xp::Vector& direction) {
      for (double& d : direction) d = (step.random.next() >> 63) != 0 ? 1.0 : -1.0;
    };
    const double c_k = c_ / std::pow(double(step.step + 1), gamma_);
    xp::estimate_along_directions(objective, q_, rademacher,
                                  xp::difference_quotient(objective, theta, c_k, true), 1.0,
                                  gradient);
  }

 private:
  double c_;
  std::size_t q_;
  double gamma_;
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<Spsa>(parameters.real("c"), std::size_t(parameters.integer("q")),
                                parameters.real("gamma"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "spsa",
                                     .version = "1.0.0",
                                     .summary =
                                         "SPSA: (L(theta+cD) - L(theta-cD)) / 2c * D along "
                                         "Rademacher directions D, 2q loss evaluations",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
