// A gradient-method plugin computes dL/dtheta of an Objective: the batch loss of a
// model as a function of its flat parameter vector.
#pragma once

#include <memory>

#include "exp/model.hpp"
#include "exp/parallel.hpp"
#include "exp/plugin.hpp"
#include "exp/tensor.hpp"

namespace xp {

class Objective {
 public:
  Objective(const Model& model, const Loss& loss, const Batch& batch, ThreadPool& pool)
      : model_(model), loss_(loss), batch_(batch), pool_(pool) {}

  // The batch loss at theta by a full forward pass. Thread-safe.
  double loss(const Vector& theta) const;
  // The model's analytic gradient; false if the model or loss offers none.
  bool analytic_gradient(const Vector& theta, Vector& gradient) const;
  // The model's exact shortcut for single-parameter loss differences, or nullptr.
  std::unique_ptr<LossDifferences> differences(const Vector& theta,
                                               DifferenceSteps steps = DifferenceSteps::any()) const;

  std::size_t size() const { return model_.layout().size(); }
  const Model& model() const { return model_; }
  const Loss& loss_function() const { return loss_; }
  const Batch& batch() const { return batch_; }
  ThreadPool& pool() const { return pool_; }

 private:
  const Model& model_;
  const Loss& loss_;
  const Batch& batch_;
  ThreadPool& pool_;
};

class GradientMethod : public PluginObject {
 public:
  ~GradientMethod() override;
  // gradient is resized to objective.size().
  virtual void compute(const Objective& objective, const Vector& theta, Vector& gradient) const = 0;
};

}  // namespace xp
