// The general exact path of the shortcut: how one sample's loss changes when one
// pre-activation of one layer changes by delta, all other parameters fixed.
//
// Only that unit of that layer changes, so its activation changes by
// act(a + delta) - act(a) (written without cancellation, activation.hpp), the next
// layer's pre-activations by that change times one row of its weights (a rank-one
// update), and each later layer by the change of its inputs times its weights.
// Changes are propagated as differences, never as differences of two full values,
// and the loss difference at the output is written in closed form where the loss
// has one:
//   cross-entropy  l' - l = -sum_k t_k log1p(dy_k / (y_k + eps))
//   squared error  l' - l = sum_k dy_k (y_k - t_k + dy_k / 2)
// with a softmax's output change dy_k = y_k expm1(da_k - log1p(sum_m y_m expm1(da_m))).
// Other losses get Loss::sample of the changed output row minus the cached l_n.
// Cost per call: one activation change, then O(sum of the later layers' weights).
#pragma once

#include <cstddef>

#include "batch_cache.hpp"

namespace xp::mlp {

class SampleChange {
 public:
  explicit SampleChange(const BatchCache& cache);

  // l_n(pre-activation (layer, unit) of sample n shifted by delta) - l_n.
  double operator()(std::size_t layer, std::size_t unit, std::size_t n, double delta);
  // Whether the last call moved a relu unit onto or across its kink (a + delta on the
  // other side of 0 than a, or a = 0): there the difference is not a derivative.
  bool crossed_kink() const { return crossed_kink_; }

 private:
  // The loss change of sample n from output_change_ (the change of its output
  // pre-activations).
  double output_loss_change(std::size_t n);

  // relu(a + delta) - relu(a), noting a crossing of the kink.
  double relu_change(double a, double delta);

  const BatchCache& cache_;
  bool crossed_kink_ = false;
  Eigen::RowVectorXd change_;  // change of the current layer's pre-activations
  Eigen::RowVectorXd activation_change_;
  Eigen::RowVectorXd output_change_;  // dy
  Eigen::RowVectorXd changed_output_;
};

}  // namespace xp::mlp
