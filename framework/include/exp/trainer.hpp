// The training loop, the book's train_neuralnet.py: at step i draw a batch, compute
// the gradient, take an optimizer step, then record the batch's loss at the new
// parameters; evaluate the full splits on the configured cadence.
//
//   xp::Experiment experiment(config);
//   xp::Random rng(config.train.seed);
//   xp::Vector theta = experiment.initial_parameters(rng);
//   xp::TrainingOutcome outcome = xp::Trainer(experiment).run(theta, rng, {&printer});
//
// The gradient method gets, at each step, a random stream of its own seeded from the
// run's seed and the step number (step_random_seed), and its cost is counted.
//
// To continue a run, restore theta, the optimizer's and the gradient method's state
// and rng from a checkpoint
// and pass its ResumePoint: the loop goes on at the next step with the same batch
// order and running means, so the rest of the run is bit-identical.
//
// Deterministic for a seed, bit-identical for any number of threads: the threads
// only split the gradient's per-parameter work, each parameter computed by one call.
#pragma once

#include <vector>

#include "exp/callbacks.hpp"
#include "exp/experiment.hpp"
#include "exp/training_state.hpp"

namespace xp {

class Trainer {
 public:
  explicit Trainer(Experiment& experiment) : experiment_(experiment) {}

  // Trains theta in place, drawing batches from rng. Stops early when the loss
  // is not finite (status diverged) or a callback asks (status interrupted) before
  // the last step. Starts at step 0, or where `from` says.
  TrainingOutcome run(Vector& theta, Random& rng, const std::vector<TrainingCallback*>& callbacks,
                      const ResumePoint* from = nullptr);

 private:
  Experiment& experiment_;
};

}  // namespace xp
