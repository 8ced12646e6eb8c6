#include "exp/finite_difference_method.hpp"

#include "exp/error.hpp"

namespace xp {

FiniteDifferenceOptions FiniteDifferenceOptions::from(const Parameters& parameters) {
  FiniteDifferenceOptions options;
  options.h = parameters.real("h");
  const auto strategy = difference_strategy_from_string(parameters.text("strategy"));
  if (!strategy)
    throw ParameterError("strategy",
                         "expected fast or naive, found '" + parameters.text("strategy") + "'");
  options.strategy = *strategy;
  return options;
}

void FiniteDifferenceMethod::compute(const Objective& objective, const Vector& theta,
                                     const GradientStep&, Vector& gradient) {
  finite_difference_gradient(objective, theta, a_, b_, strategy_, gradient, &split_);
}

}  // namespace xp
