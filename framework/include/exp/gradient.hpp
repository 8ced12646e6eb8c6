// A gradient-method plugin estimates dL/dtheta of an Objective: the batch loss of a
// model as a function of its flat parameter vector. The Objective counts what the
// estimate cost (loss evaluations, the passes actually run), so estimators can be
// compared at equal cost.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "exp/evaluation_counts.hpp"
#include "exp/model.hpp"
#include "exp/optimizer.hpp"
#include "exp/parallel.hpp"
#include "exp/plugin.hpp"
#include "exp/process_group.hpp"
#include "exp/random.hpp"
#include "exp/tensor.hpp"

namespace xp {

class Objective {
 public:
  // group: the processes that share per-parameter work (exp/process_group.hpp).
  Objective(const Model& model, const Loss& loss, const Batch& batch, ThreadPool& pool,
            ProcessGroup& group = single_process())
      : model_(model), loss_(loss), batch_(batch), pool_(pool), group_(group) {}

  // The batch loss at theta by a full forward pass. Thread-safe.
  double loss(const Vector& theta) const;
  // The model's analytic gradient; false if the model or loss offers none.
  bool analytic_gradient(const Vector& theta, Vector& gradient) const;
  // The exact directional derivative grad L(theta) . direction by the model's
  // forward mode; false if the model or loss offers none. Thread-safe.
  bool directional_derivative(const Vector& theta, const Vector& direction,
                              double& derivative) const;
  // The model's exact shortcut for single-parameter loss differences, or nullptr.
  // Its compute() calls are counted as the evaluations they stand for. The shortcut
  // may refer to theta: keep it alive and unchanged while the shortcut lives (a
  // temporary does not compile).
  std::unique_ptr<LossDifferences> differences(
      const Vector& theta, DifferenceSteps steps = DifferenceSteps::any()) const;
  std::unique_ptr<LossDifferences> differences(Vector&& theta,
                                               DifferenceSteps steps = {}) const = delete;

  // What the calls above have cost so far.
  EvaluationCounts counts() const;
  // Counts `evaluations` more (for a shortcut's points); thread-safe.
  void count_evaluations(std::uint64_t evaluations) const;
  // Counts what other processes of the group spent on this estimate.
  void count(const EvaluationCounts& more) const;

  std::size_t size() const { return model_.layout().size(); }
  const Model& model() const { return model_; }
  const Loss& loss_function() const { return loss_; }
  const Batch& batch() const { return batch_; }
  ThreadPool& pool() const { return pool_; }
  ProcessGroup& group() const { return group_; }

 private:
  const Model& model_;
  const Loss& loss_;
  const Batch& batch_;
  ThreadPool& pool_;
  ProcessGroup& group_;
  mutable std::atomic<std::uint64_t> evaluations_{0};
  mutable std::atomic<std::uint64_t> forward_passes_{0};
  mutable std::atomic<std::uint64_t> derivative_passes_{0};
};

// What a gradient method is given with each step of a run.
struct GradientStep {
  std::size_t step = 0;  // 0-based training step
  // A stream of this step alone, derived from the run's seed and the step number
  // (step_random_seed): a resumed run, or one with other threads, draws the same.
  Random& random;
};

// The seed of step `step`'s stream in a run seeded with `run_seed`.
std::uint64_t step_random_seed(std::uint64_t run_seed, std::size_t step);

class GradientMethod : public PluginObject {
 public:
  ~GradientMethod() override;
  // gradient is resized to objective.size(). Draws, if any, come from step.random
  // and only from there, in an order that does not depend on the threads.
  virtual void compute(const Objective& objective, const Vector& theta, const GradientStep& step,
                       Vector& gradient) = 0;
  // State carried from step to step (a gain schedule's memory, running estimates),
  // saved in checkpoints as optimizers' is.
  virtual NamedVectors state() const { return {}; }
  virtual void restore(const NamedVectors& state) { (void)state; }
};

}  // namespace xp
