// How far the shortcut's series are carried, and the radius their remainder allows,
// which depend on the differences the caller asks for (xp::DifferenceSteps) and on
// what a degree costs.
//
// F(delta) = sum_m c_m delta^m is analytic with |F| <= M on the disk |delta| <= rho,
// so |c_m| <= M / rho^m (Cauchy). With x = r / rho <= 1/2 for steps |delta| <= r, and
// a budget of `tolerance` per evaluation (2 tolerance per difference F(d_a) - F(d_b)),
// for series carried to degree D (5, or 3 where the propagation is costly):
//  - any steps: each evaluation leaves M x^(D+1) / (1 - x) <= 2 M x^(D+1) out, so
//    x = (tolerance / (2 M))^(1/(D+1)).
//  - symmetric steps (d_b = -d_a, central differences), D odd: the even terms cancel,
//    so 2 sum_{odd m >= D+2} c_m d^m is left, at most (8/3) M x^(D+2). A step taken in
//    floating point is symmetric only up to rounding: with |d_a + d_b| <= eta r (eta =
//    kNearlyOpposite, checked by the caller), the even terms leave at most
//    sum_{even m >= D+1} (M / rho^m) m r^(m-1) eta r <= 2 (D+1) eta M x^(D+1). Giving
//    the odd part (1 - 2^-8) of the budget: x = ((3/4) (1 - 2^-8) tolerance / M)^(1/(D+2)),
//    and the even part stays within the remaining 2^-8 while x >= 192 (D+1) eta, which
//    the floor kSmallestRatio = 2^-29 guarantees for D <= 5 (below it nothing is
//    certified).
// So symmetric steps certify a wider radius at the same degree (exponent D+2, not
// D+1), or the same work at a lower degree: the hidden layers before the last two
// with a smooth activation, whose series are pushed through matrix products degree by
// degree, stop at degree 3 (3/5 of the products, a fifth of the compositions); elsewhere
// a degree costs little (relu carries degree 1 through its layers, the last two layers
// need no products) and the wider radius of degree 5 keeps steps on the fast path late
// in training, when the budgets of confident samples are tiny.
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

  // costly: the series is propagated through matrix products degree by degree.
  Truncation(const DifferenceSteps& steps, bool costly)
      : symmetric_(steps.symmetric), degree_(symmetric_ && costly ? 3 : kSeriesDegree) {}

  bool symmetric() const { return symmetric_; }
  // The degree every series is carried to.
  std::size_t degree() const { return degree_; }
  // The exponent p of the remainder's leading power x^p.
  double exponent() const { return double(symmetric_ ? degree_ + 2 : degree_ + 1); }
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
  std::size_t degree_;
};

}  // namespace xp::mlp
