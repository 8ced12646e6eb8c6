#include "exp/gradient.hpp"

namespace xp {

double Objective::loss(const Vector& theta) const {
  Matrix outputs;
  model_.forward(theta, batch_.inputs, outputs);
  return loss_.batch(outputs, batch_);
}

bool Objective::analytic_gradient(const Vector& theta, Vector& gradient) const {
  gradient.resize(Eigen::Index(size()));
  return model_.backprop(theta, batch_, loss_, gradient);
}

std::unique_ptr<LossDifferences> Objective::differences(const Vector& theta,
                                                        DifferenceSteps steps) const {
  return model_.loss_differences(theta, batch_, loss_, steps, pool_);
}

}  // namespace xp
