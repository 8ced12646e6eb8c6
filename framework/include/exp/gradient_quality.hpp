// How far a gradient estimate lies from the true (backprop) gradient, in the
// measures zeroth-order studies compare estimators by, and their running means.
//
//   xp::GradientQuality q = xp::compare_gradients(estimate, backprop_gradient);
//   q.cosine;  // 1 for an estimate pointing the true way, whatever its length
#pragma once

#include <cstddef>

#include "exp/tensor.hpp"

namespace xp {

struct GradientQuality {
  std::size_t step = 0;
  // g . t / (|g| |t|): direction alone (a descent direction has cosine > 0); 0 when
  // either is zero and the other is not, 1 when both are.
  double cosine = 0.0;
  // |g - t| / |t|: direction and length (an unbiased estimate with high variance has
  // a large one); |g| itself when t = 0 (then 0 only for g = 0).
  double relative_error = 0.0;
  // Fraction of parameters whose estimate has the true gradient's sign (zero counts
  // as its own sign): what sign-based updates depend on.
  double sign_agreement = 0.0;
  double estimate_norm = 0.0;
  double true_norm = 0.0;
};

GradientQuality compare_gradients(const Vector& estimate, const Vector& truth);

// The sums behind the mean quality over a run (summary.json), kept in checkpoints.
struct QualitySums {
  std::size_t count = 0;
  double cosine = 0.0;
  double relative_error = 0.0;
  double sign_agreement = 0.0;
  void add(const GradientQuality& quality);
};

}  // namespace xp
