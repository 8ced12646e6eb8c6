#include "exp/finite_difference.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace xp {

std::string_view to_string(DifferenceStrategy strategy) {
  return strategy == DifferenceStrategy::fast ? "fast" : "naive";
}

std::optional<DifferenceStrategy> difference_strategy_from_string(std::string_view word) {
  if (word == "fast") return DifferenceStrategy::fast;
  if (word == "naive") return DifferenceStrategy::naive;
  return std::nullopt;
}

namespace {

// Cost per parameter: one or two full forward passes over the batch. This is the
// definition the fast path is checked against.
void naive_differences(const Objective& objective, const Vector& theta, double a, double b,
                       Vector& gradient) {
  const std::size_t count = objective.size();
  // With b == 0 every L(theta + b e_i) is L(theta): evaluate it once (P + 1 passes).
  const bool b_is_base = (b == 0.0);
  const double base = b_is_base ? objective.loss(theta) : 0.0;
  objective.pool().for_each_block(count, [&](std::size_t begin, std::size_t end) {
    Vector shifted = theta;
    for (std::size_t i = begin; i < end; ++i) {
      const auto k = Eigen::Index(i);
      const double original = theta[k];
      shifted[k] = original + a;
      const double upper = objective.loss(shifted);
      double lower = base;
      if (!b_is_base) {
        shifted[k] = original + b;
        lower = objective.loss(shifted);
      }
      shifted[k] = original;
      gradient[k] = (upper - lower) / (a - b);
    }
  });
}

void shortcut_differences(const Objective& objective, const LossDifferences& differences, double a,
                          double b, Vector& gradient) {
  objective.pool().for_each_block(objective.size(), [&](std::size_t begin, std::size_t end) {
    double* out = gradient.data() + begin;
    differences.compute(begin, end, a, b, out);
    for (std::size_t i = 0; i < end - begin; ++i) out[i] /= (a - b);
  });
}

}  // namespace

void finite_difference_gradient(const Objective& objective, const Vector& theta, double a, double b,
                                DifferenceStrategy strategy, Vector& gradient) {
  gradient.resize(Eigen::Index(objective.size()));
  if (strategy == DifferenceStrategy::fast) {
    const DifferenceSteps steps{b == -a, std::max(std::abs(a), std::abs(b))};
    if (auto differences = objective.differences(theta, steps)) {
      shortcut_differences(objective, *differences, a, b, gradient);
      return;
    }
  }
  naive_differences(objective, theta, a, b, gradient);
}

}  // namespace xp
