// The training loop, the book's train_neuralnet.py: at step i draw a batch, compute
// the gradient, take an optimizer step, then record the batch's loss at the new
// parameters; evaluate the full splits on the configured cadence.
//
//   xp::Experiment experiment(config);
//   xp::Random rng(config.train.seed);
//   xp::Vector theta = experiment.initial_parameters(rng);
//   xp::TrainingOutcome outcome = xp::Trainer(experiment).run(theta, rng, {&printer});
//
// Deterministic for a seed, bit-identical for any number of threads: the threads
// only split the gradient's per-parameter work, each parameter computed by one call.
#pragma once

#include <vector>

#include "exp/callbacks.hpp"
#include "exp/experiment.hpp"

namespace xp {

class Trainer {
 public:
  explicit Trainer(Experiment& experiment) : experiment_(experiment) {}

  // Trains theta in place, drawing batches from rng. Stops early when the loss
  // is not finite (status diverged) or a callback asks (status interrupted).
  TrainingOutcome run(Vector& theta, Random& rng, const std::vector<TrainingCallback*>& callbacks);

 private:
  Experiment& experiment_;
};

}  // namespace xp
