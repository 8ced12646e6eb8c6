// Where the training loop stands after a complete step. With the parameters, the
// optimizer's state, the random stream and the batch order it is everything a run
// needs to continue exactly as if it had never stopped (with the gradient method's
// state: its random draws come from the seed and the step number alone) (exp/checkpoint.hpp saves it).
//
//   xp::ResumePoint from = checkpoint.point;
//   trainer.run(theta, rng, callbacks, &from);   // continues at step from.progress.steps
#pragma once

#include <cstddef>
#include <optional>

#include "exp/batch_sampler.hpp"
#include "exp/evaluation_counts.hpp"
#include "exp/gradient.hpp"
#include "exp/gradient_quality.hpp"
#include "exp/optimizer.hpp"
#include "exp/random.hpp"
#include "exp/tensor.hpp"

namespace xp {

struct TrainingProgress {
  std::size_t steps = 0;  // complete; the next step is this one (0-based)
  double seconds = 0.0;   // training time so far, summed over every session of the run
  // The step losses since the previous evaluation, whose mean an evaluation records.
  double loss_sum = 0.0;
  std::size_t losses = 0;
  bool evaluated_last = false;  // after the latest step: the end need not evaluate again
  std::optional<double> final_loss;
  std::optional<double> final_train_accuracy;
  std::optional<double> final_test_accuracy;
  std::optional<double> best_test_accuracy;
  EvaluationCounts spent;  // by the gradient method, over every step so far
  QualitySums quality;     // of the measurements train.gradient_quality_every asked for
};

struct ResumePoint {
  TrainingProgress progress;
  BatchSampler::State sampler;
};

// What a callback sees after every complete step (exp/callbacks.hpp,
// TrainingCallback::step_completed): references into the running loop, valid
// during the call only.
struct TrainingSnapshot {
  const TrainingProgress& progress;
  const Vector& theta;
  const Optimizer& optimizer;
  const GradientMethod& gradient_method;
  const Random& rng;
  const BatchSampler& sampler;
  bool stopping = false;  // the run stops after this step (a signal)
};

}  // namespace xp
