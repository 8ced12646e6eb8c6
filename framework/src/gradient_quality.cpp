#include "exp/gradient_quality.hpp"

#include <cassert>

namespace xp {

namespace {
int sign(double x) { return (x > 0.0) - (x < 0.0); }
}  // namespace

GradientQuality compare_gradients(const Vector& estimate, const Vector& truth) {
  assert(estimate.size() == truth.size());
  GradientQuality quality;
  quality.estimate_norm = estimate.norm();
  quality.true_norm = truth.norm();
  const bool estimate_zero = quality.estimate_norm == 0.0;
  const bool truth_zero = quality.true_norm == 0.0;
  if (estimate_zero || truth_zero) {
    quality.cosine = estimate_zero && truth_zero ? 1.0 : 0.0;
  } else {
    quality.cosine = estimate.dot(truth) / (quality.estimate_norm * quality.true_norm);
  }
  const double distance = (estimate - truth).norm();
  quality.relative_error = truth_zero ? distance : distance / quality.true_norm;
  std::size_t agreeing = 0;
  for (Eigen::Index i = 0; i < truth.size(); ++i) agreeing += sign(estimate[i]) == sign(truth[i]);
  quality.sign_agreement = truth.size() == 0 ? 1.0 : double(agreeing) / double(truth.size());
  return quality;
}

void QualitySums::add(const GradientQuality& quality) {
  ++count;
  cosine += quality.cosine;
  relative_error += quality.relative_error;
  sign_agreement += quality.sign_agreement;
}

}  // namespace xp
