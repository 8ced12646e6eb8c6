#include "sample_change.hpp"

#include <cmath>

namespace xp::mlp {

SampleChange::SampleChange(const BatchCache& cache) : cache_(cache) {}

double SampleChange::relu_change(double a, double delta) {
  if (a == 0.0 || (a > 0.0) != (a + delta > 0.0)) crossed_kink_ = true;
  return activation_change(Activation::relu, a, delta);
}

double SampleChange::operator()(std::size_t layer, std::size_t unit, std::size_t n, double delta) {
  crossed_kink_ = false;
  const Network& network = cache_.network;
  const std::size_t last = network.layers() - 1;
  const auto row = Eigen::Index(n);
  if (layer == last) {
    change_.setZero(Eigen::Index(network.units_of(last)));
    change_[Eigen::Index(unit)] = delta;
    return output_loss_change(n);
  }
  const Activation activation = network.architecture().activation;
  const bool relu = activation == Activation::relu;
  const double a_unit = cache_.pass.pre_activations[layer](row, Eigen::Index(unit));
  const double dz =
      relu ? relu_change(a_unit, delta) : activation_change(activation, a_unit, delta);
  if (dz == 0.0) return 0.0;
  change_ = dz * network.weights(cache_.theta, layer + 1).row(Eigen::Index(unit));
  for (std::size_t l = layer + 1; l < last; ++l) {
    const auto& a = cache_.pass.pre_activations[l];
    activation_change_.resize(change_.size());
    for (Eigen::Index k = 0; k < change_.size(); ++k) {
      activation_change_[k] = change_[k] == 0.0 ? 0.0
                              : relu
                                  ? relu_change(a(row, k), change_[k])
                                  : xp::mlp::activation_change(activation, a(row, k), change_[k]);
    }
    change_.noalias() = activation_change_ * network.weights(cache_.theta, l + 1);
  }
  return output_loss_change(n);
}

double SampleChange::output_loss_change(std::size_t n) {
  const Network& network = cache_.network;
  const auto row = Eigen::Index(n);
  const auto y = cache_.pass.outputs().row(row);
  const auto& a = cache_.pass.pre_activations.back();
  const bool softmax = network.architecture().output == OutputFunction::softmax;
  const auto width = y.size();

  if (cache_.form == ClosedForm::none) {
    // Generic loss: the changed output row itself, through Loss::sample.
    changed_output_ = a.row(row) + change_;
    if (softmax) {
      changed_output_.array() -= changed_output_.maxCoeff();
      changed_output_ = changed_output_.array().exp().matrix();
      changed_output_ /= changed_output_.sum();
    }
    const int label = cache_.batch.labels.empty() ? -1 : cache_.batch.labels[n];
    const auto& targets = cache_.batch.targets;
    return cache_.loss.sample({changed_output_.data(), std::size_t(width)},
                              {targets.row(row).data(), std::size_t(targets.cols())}, label) -
           cache_.sample_losses[n];
  }

  if (!softmax) {
    output_change_ = change_;
  } else if (change_.cwiseAbs().maxCoeff() <= 1.0) {
    // y'_k = y_k exp(da_k) / sum_m y_m exp(da_m): with Q = sum_m y_m expm1(da_m) (> -1
    // for |da| <= 1), dy_k = y_k expm1(da_k - log1p(Q)); nothing cancels.
    double q = 0.0;
    for (Eigen::Index k = 0; k < width; ++k) q += y[k] * std::expm1(change_[k]);
    const double log_normaliser = std::log1p(q);
    output_change_.resize(width);
    for (Eigen::Index k = 0; k < width; ++k) {
      output_change_[k] = y[k] * std::expm1(change_[k] - log_normaliser);
    }
  } else {
    // A large change: the changed softmax directly (the book's, max subtracted).
    changed_output_ = a.row(row) + change_;
    changed_output_.array() -= changed_output_.maxCoeff();
    changed_output_ = changed_output_.array().exp().matrix();
    changed_output_ /= changed_output_.sum();
    output_change_ = changed_output_ - y;
  }

  double sum = 0.0;
  if (cache_.form == ClosedForm::cross_entropy) {
    for (const auto& [k, t] : cache_.target_entries[n]) {
      const auto column = Eigen::Index(k);
      sum -= t * std::log1p(output_change_[column] / (y[column] + cache_.epsilon));
    }
  } else {
    for (Eigen::Index k = 0; k < width; ++k) {
      const double dy = output_change_[k];
      sum += dy * ((y[k] - cache_.targets(row, k)) + 0.5 * dy);
    }
  }
  return sum;
}

}  // namespace xp::mlp
