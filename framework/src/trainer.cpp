#include "exp/trainer.hpp"

#include <chrono>
#include <cmath>

#include "exp/batch_sampler.hpp"

namespace xp {

TrainingOutcome Trainer::run(Vector& theta, Random& rng,
                             const std::vector<TrainingCallback*>& callbacks) {
  const TrainSettings& settings = experiment_.config().train;
  const Dataset& dataset = experiment_.dataset();
  const std::size_t train_size = experiment_.train_size();
  const TrainingPlan plan{settings.total_steps(train_size),
                          settings.iterations_per_epoch(train_size), train_size,
                          settings.batch_size};
  for (auto* callback : callbacks) callback->begin(plan);

  TrainingOutcome outcome;
  outcome.parameters = &theta;
  BatchSampler sampler(settings.sampling, train_size, settings.batch_size, rng);
  Batch batch;
  Vector gradient;
  double loss_sum = 0.0;
  std::size_t losses = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  const auto evaluate = [&](std::size_t step) {
    EvaluationRecord record;
    record.step = step;
    record.epoch = step / plan.iterations_per_epoch;
    record.train_loss = losses == 0 ? 0.0 : loss_sum / double(losses);
    record.train_accuracy = accuracy(experiment_.model(), theta, dataset, Split::train);
    record.test_accuracy = accuracy(experiment_.model(), theta, dataset, Split::test);
    outcome.final_train_accuracy = record.train_accuracy;
    outcome.final_test_accuracy = record.test_accuracy;
    if (record.test_accuracy &&
        (!outcome.best_test_accuracy || *record.test_accuracy > *outcome.best_test_accuracy)) {
      outcome.best_test_accuracy = record.test_accuracy;
    }
    loss_sum = 0.0;
    losses = 0;
    for (auto* callback : callbacks) callback->evaluated(record);
  };

  bool evaluated_last = false;
  for (std::size_t step = 0; step < plan.total_steps; ++step) {
    dataset.gather(Split::train, sampler.next(), batch);
    const Objective objective(experiment_.model(), experiment_.loss(), batch, experiment_.pool());
    experiment_.gradient().compute(objective, theta, gradient);
    experiment_.optimizer().step(theta, gradient);
    const double loss = objective.loss(theta);

    const StepRecord record{step, step / plan.iterations_per_epoch, loss, seconds()};
    outcome.steps = step + 1;
    outcome.final_loss = loss;
    bool stop = false;
    for (auto* callback : callbacks) stop = callback->step_taken(record) || stop;
    if (!std::isfinite(loss)) {
      outcome.status = RunStatus::diverged;
      outcome.diverged_step = step;
      break;
    }
    loss_sum += loss;
    ++losses;
    evaluated_last = settings.evaluates_after(step, train_size);
    if (evaluated_last) evaluate(step);
    if (stop) {
      outcome.status = RunStatus::interrupted;
      break;
    }
  }
  // The final accuracy is always measured, unless evaluation is off or meaningless.
  const bool evaluates = settings.evaluate_every.kind != EvaluationCadence::Kind::never;
  if (evaluates && !evaluated_last && outcome.steps > 0 && outcome.status != RunStatus::diverged) {
    evaluate(outcome.steps - 1);
  }
  outcome.wall_seconds = seconds();
  for (auto* callback : callbacks) callback->end(outcome);
  return outcome;
}

}  // namespace xp
