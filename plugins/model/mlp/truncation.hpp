// How far the shortcut's series are carried, and the radius their remainder allows,
// which depend on the differences the caller asks for (xp::DifferenceSteps).
//
// F(delta) = sum_m c_m delta^m is analytic with |F| <= M on the disk |delta| <= rho,
// so |c_m| <= M / rho^m (Cauchy). With x = r / rho <= 1/2 for steps |delta| <= r, and
// a budget of `tolerance` per evaluation (2 tolerance per difference F(d_a) - F(d_b)):
//  - any steps: degree 5; each evaluation leaves M x^6 / (1 - x) <= 2 M x^6 out, so
//    x = (tolerance / (2 M))^(1/6).
//  - symmetric steps (d_b = -d_a, central differences): the even terms cancel, so
//    degree 3 leaves 2 sum_{odd m >= 5} c_m d^m, at most (8/3) M x^5. A step taken
//    in floating point is symmetric only up to rounding: with |d_a + d_b| <= eta r
//    (eta = kNearlyOpposite, checked by the caller), the even terms leave at most
//    sum_{even m >= 4} (M / rho^m) m r^(m-1) eta r <= 10 eta M x^4. Giving the odd part
//    (1 - 2^-8) of the budget: x = ((3/4) (1 - 2^-8) tolerance / M)^(1/5), and the even
//    part stays within the remaining 2^-8 while x >= 1280 eta, which the floor
//    kSmallestRatio = 2^-29 guarantees (below it nothing is certified).
// The degree-3 series cost about 3/5 of the degree-5 ones in matrix products and a
// fifth in compositions; a certified radius is about (tolerance / M)^(1/30) smaller.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "exp/model.hpp"
#include "lane_series.hpp"

namespace xp::mlp {

class Truncation {
 public:
  // A step pair counts as symmetric when |d_a + d_b| <= this times max(|d_a|, |d_b|).
  static constexpr double kNearlyOpposite = 0x1p-40;

  explicit Truncation(DifferenceSteps steps) : symmetric_(steps == DifferenceSteps::symmetric) {}

  bool symmetric() const { return symmetric_; }
  // The degree every series is carried to.
  std::size_t degree() const { return symmetric_ ? 3 : kSeriesDegree; }
  // The exponent p of the remainder's leading power x^p.
  double exponent() const { return symmetric_ ? 5.0 : 6.0; }
  // The largest certified x = r / rho for the given tolerance / M (capped at 1/2;
  // 0 where nothing is certified).
  double ratio(double tolerance_over_bound) const {
    return certified(uncapped_ratio(tolerance_over_bound));
  }
  // The x at which the remainder takes the whole budget, before cap and floor; it
  // scales as M^(-1/p).
  double uncapped_ratio(double tolerance_over_bound) const {
    const double factor = symmetric_ ? 0.75 * (1.0 - 0x1p-8) : 0.5;
    return std::pow(factor * tolerance_over_bound, 1.0 / exponent());
  }
  // x capped at 1/2 and floored as the bound needs (0 below the floor).
  double certified(double x) const {
    if (symmetric_ && !(x >= kSmallestRatio)) return 0.0;
    return std::min(0.5, x);
  }

 private:
  static constexpr double kSmallestRatio = 0x1p-29;
  bool symmetric_;
};

}  // namespace xp::mlp
