#include "exp/finite_difference_method.hpp"

#include "exp/error.hpp"

namespace xp {

DifferenceStrategy difference_strategy(const Parameters& parameters) {
  const auto strategy = difference_strategy_from_string(parameters.text("strategy"));
  if (!strategy)
    throw ParameterError("strategy",
                         "expected fast or naive, found '" + parameters.text("strategy") + "'");
  return *strategy;
}

FiniteDifferenceOptions FiniteDifferenceOptions::from(const Parameters& parameters) {
  FiniteDifferenceOptions options;
  options.h = parameters.real("h");
  options.strategy = difference_strategy(parameters);
  return options;
}

void FiniteDifferenceMethod::compute(const Objective& objective, const Vector& theta,
                                     const GradientStep&, Vector& gradient) {
  finite_difference_gradient(objective, theta, a_, b_, strategy_, gradient, &split_);
}

}  // namespace xp
