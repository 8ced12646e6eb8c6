// The finite-difference loop shared by the forward and central difference plugins:
//
//   g_i = (L(theta + a e_i) - L(theta + b e_i)) / (a - b)
//
// forward difference: a = h, b = 0; central difference: a = h, b = -h (the book's
// (f(x+h) - f(x-h)) / (2*h)). With `fast` the model's exact LossDifferences shortcut
// is used when it has one; `naive` always re-evaluates the whole loss.
#pragma once

#include <optional>
#include <string_view>

#include "exp/gradient.hpp"

namespace xp {

enum class DifferenceStrategy { fast, naive };

std::string_view to_string(DifferenceStrategy strategy);
std::optional<DifferenceStrategy> difference_strategy_from_string(std::string_view word);

// With `split`, the processes of objective.group() each compute a part of the
// parameters (balanced by the time the parts took last) and gather the rest; the
// result is the same bits for any number of processes.
void finite_difference_gradient(const Objective& objective, const Vector& theta, double a, double b,
                                DifferenceStrategy strategy, Vector& gradient,
                                BalancedSplit* split = nullptr);

}  // namespace xp
