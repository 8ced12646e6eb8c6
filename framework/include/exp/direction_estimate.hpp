// The gradient estimate shared by the random-direction plugins (spsa,
// random_direction, forward_gradient): along directions u_1..u_q that the plugin
// draws from the step's stream,
//
//   g = scale / q * sum_j s(u_j) u_j,
//
// with s(u) the loss's slope along u: its directional derivative (forward_gradient)
// or a difference quotient (difference_quotient below). Directions are drawn a few
// at a time, in order, so memory stays a few directions per thread whatever q; the
// slopes spread over the pool and the sum is taken in direction order, so the
// estimate does not depend on the number of threads.
//
//   xp::estimate_along_directions(objective, q, draw, slope, 1.0, gradient);
#pragma once

#include <functional>

#include "exp/gradient.hpp"

namespace xp {

// Fills a vector of objective.size() entries with the next direction; called serially.
using DrawDirection = std::function<void(Vector& direction)>;
// The slope along a direction; called concurrently.
using SlopeAlong = std::function<double(const Vector& direction)>;

void estimate_along_directions(const Objective& objective, std::size_t q, const DrawDirection& draw,
                               const SlopeAlong& slope, double scale, Vector& gradient);

// The difference quotient of L along u at theta, each a full forward pass per point
// (a direction changes every parameter, so no single-parameter shortcut applies):
//   two-sided: (L(theta + step u) - L(theta - step u)) / (2 step), O(step^2), 2 evaluations;
//   one-sided: (L(theta + step u) - L(theta)) / step, O(step), 1 evaluation, with L(theta)
//   evaluated once when the quotient is made.
SlopeAlong difference_quotient(const Objective& objective, const Vector& theta, double step,
                               bool two_sided);

// The parameter every random-direction plugin declares for the number of directions.
inline constexpr ParameterSpec kDirectionsParameter = {
    .name = "q",
    .type = ParameterType::integer,
    .default_value = "1",
    .meaning = "random directions averaged per step: the variance falls as 1/q, the cost grows "
               "as q",
    .minimum = 1};

}  // namespace xp
