// The gradient method behind the forward and central difference plugins: each plugin
// only says where its two points lie relative to theta_i (a = h, b = -h or 0), and
// shares the parameters `h` and `strategy`.
//
//   constexpr auto& kParameters = xp::kFiniteDifferenceParameters;
//   auto options = xp::FiniteDifferenceOptions::from(parameters);
//   return std::make_unique<xp::FiniteDifferenceMethod>(options.h, -options.h, options.strategy);
#pragma once

#include "exp/finite_difference.hpp"
#include "exp/parameters.hpp"

namespace xp {

// fast|naive, declared alike by every plugin built on finite differences.
inline constexpr ParameterSpec kDifferenceStrategyParameter = {
    .name = "strategy",
    .type = ParameterType::text,
    .default_value = "fast",
    .meaning = "fast: the model's exact loss-difference shortcut where it has one; naive: a "
               "full loss evaluation per point (the definition)",
    .choices = "fast|naive"};

// The strategy a plugin declared with kDifferenceStrategyParameter.
DifferenceStrategy difference_strategy(const Parameters& parameters);

inline constexpr ParameterSpec kFiniteDifferenceParameters[] = {
    {.name = "h",
     .type = ParameterType::real,
     .default_value = "1.0e-4",
     .meaning = "step h (the book's 1e-4: small enough for truncation error, large enough "
                "that rounding does not dominate)",
     .minimum = 0.0,
     .minimum_inclusive = false},
    kDifferenceStrategyParameter,
};

struct FiniteDifferenceOptions {
  double h = 1e-4;
  DifferenceStrategy strategy = DifferenceStrategy::fast;
  // From parameters declared by kFiniteDifferenceParameters.
  static FiniteDifferenceOptions from(const Parameters& parameters);
};

// g_i = (L(theta + a e_i) - L(theta + b e_i)) / (a - b) through finite_difference_gradient.
class FiniteDifferenceMethod final : public GradientMethod {
 public:
  FiniteDifferenceMethod(double a, double b, DifferenceStrategy strategy)
      : a_(a), b_(b), strategy_(strategy) {}
  void compute(const Objective& objective, const Vector& theta, const GradientStep& step,
               Vector& gradient) override;

 private:
  double a_;
  double b_;
  DifferenceStrategy strategy_;
  BalancedSplit split_;  // between the processes of a run (MPI), kept from step to step
};

}  // namespace xp
