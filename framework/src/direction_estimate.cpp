#include "exp/direction_estimate.hpp"

#include <algorithm>
#include <vector>

namespace xp {

void estimate_along_directions(const Objective& objective, std::size_t q, const DrawDirection& draw,
                               const SlopeAlong& slope, double scale, Vector& gradient) {
  const auto size = Eigen::Index(objective.size());
  gradient.setZero(size);
  const std::size_t chunk = 4 * std::size_t(objective.pool().size());
  std::vector<Vector> directions(std::min(chunk, q), Vector(size));
  std::vector<double> slopes(directions.size());
  for (std::size_t first = 0; first < q; first += chunk) {
    const std::size_t count = std::min(chunk, q - first);
    for (std::size_t j = 0; j < count; ++j) draw(directions[j]);
    objective.pool().for_each_block(count, [&](std::size_t begin, std::size_t end) {
      for (std::size_t j = begin; j < end; ++j) slopes[j] = slope(directions[j]);
    });
    for (std::size_t j = 0; j < count; ++j) gradient += slopes[j] * directions[j];
  }
  gradient *= scale / double(q);
}

SlopeAlong difference_quotient(const Objective& objective, const Vector& theta, double step,
                               bool two_sided) {
  if (two_sided) {
    return [&objective, &theta, step](const Vector& u) {
      return (objective.loss(theta + step * u) - objective.loss(theta - step * u)) / (2.0 * step);
    };
  }
  const double base = objective.loss(theta);
  return [&objective, &theta, step, base](const Vector& u) {
    return (objective.loss(theta + step * u) - base) / step;
  };
}

}  // namespace xp
