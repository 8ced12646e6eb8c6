#include "exp/trainer.hpp"

#include <chrono>
#include <cmath>

#include "exp/batch_sampler.hpp"
#include "exp/error.hpp"

namespace xp {

namespace {

// The estimate against the backprop gradient at the same parameters and batch,
// through a second Objective so that the reference costs the method nothing.
GradientQuality measure_quality(const Objective& objective, const Vector& theta,
                                const Vector& estimate, Vector& true_gradient) {
  const Objective reference(objective.model(), objective.loss_function(), objective.batch(),
                            objective.pool());
  if (!reference.analytic_gradient(theta, true_gradient)) {
    throw Error(
        "train.gradient_quality_every: the model or the loss has no analytic gradient "
        "(backprop) to measure the estimate against; set it to 0");
  }
  return compare_gradients(estimate, true_gradient);
}

}  // namespace

TrainingOutcome Trainer::run(Vector& theta, Random& rng,
                             const std::vector<TrainingCallback*>& callbacks,
                             const ResumePoint* from) {
  const TrainSettings& settings = experiment_.config().train;
  const Dataset& dataset = experiment_.dataset();
  const std::size_t train_size = experiment_.train_size();
  const TrainingPlan plan{settings.total_steps(train_size),
                          settings.iterations_per_epoch(train_size), train_size,
                          settings.batch_size};
  for (auto* callback : callbacks) callback->begin(plan);

  // Everything the loop carries from one step to the next lives in `progress`, so a
  // checkpoint of it (with theta, the optimizer, rng and the sampler) is complete.
  TrainingProgress progress = from ? from->progress : TrainingProgress{};
  BatchSampler sampler(settings.sampling, train_size, settings.batch_size, rng);
  if (from) sampler.restore(from->sampler);
  Batch batch;
  Vector gradient;
  Vector true_gradient;
  const double seconds_before = progress.seconds;
  const auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    return seconds_before +
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  // epoch: where the evaluation lies, in epochs; see EvaluationRecord.
  const auto evaluate = [&](std::size_t step, double epoch) {
    EvaluationRecord record;
    record.step = step;
    record.epoch = epoch;
    record.train_loss = progress.losses == 0 ? 0.0 : progress.loss_sum / double(progress.losses);
    record.train_accuracy =
        accuracy(experiment_.model(), theta, dataset, Split::train, experiment_.pool());
    record.test_accuracy =
        accuracy(experiment_.model(), theta, dataset, Split::test, experiment_.pool());
    progress.final_train_accuracy = record.train_accuracy;
    progress.final_test_accuracy = record.test_accuracy;
    if (record.test_accuracy &&
        (!progress.best_test_accuracy || *record.test_accuracy > *progress.best_test_accuracy)) {
      progress.best_test_accuracy = record.test_accuracy;
    }
    progress.loss_sum = 0.0;
    progress.losses = 0;
    for (auto* callback : callbacks) callback->evaluated(record);
  };

  RunStatus status = RunStatus::completed;
  std::optional<std::size_t> diverged_step;
  for (std::size_t step = progress.steps; step < plan.total_steps; ++step) {
    dataset.gather(Split::train, sampler.next(), batch);
    const Objective objective(experiment_.model(), experiment_.loss(), batch, experiment_.pool(),
                              experiment_.group());
    Random step_random(step_random_seed(settings.seed, step));
    experiment_.gradient().compute(objective, theta, {step, step_random}, gradient);
    progress.spent += objective.counts();
    if (settings.measures_quality_at(step)) {
      GradientQuality quality = measure_quality(objective, theta, gradient, true_gradient);
      quality.step = step;
      progress.quality.add(quality);
      for (auto* callback : callbacks) callback->gradient_measured(quality);
    }
    experiment_.optimizer().step(theta, gradient);
    const double loss =
        batch_loss(experiment_.model(), experiment_.loss(), theta, batch, experiment_.pool());

    const StepRecord record{step, step / plan.iterations_per_epoch, loss, seconds(),
                            progress.spent.evaluations};
    progress.steps = step + 1;
    progress.final_loss = loss;
    bool stop = false;
    for (auto* callback : callbacks) stop = callback->step_taken(record) || stop;
    if (!std::isfinite(loss)) {
      status = RunStatus::diverged;
      diverged_step = step + 1;  // counted as steps are, from 1
      break;
    }
    progress.loss_sum += loss;
    ++progress.losses;
    progress.evaluated_last = settings.evaluates_after(step, train_size);
    if (progress.evaluated_last) evaluate(step, double(step) / double(plan.iterations_per_epoch));
    // A stop after the last step changes nothing: the run is complete. A signal may
    // reach one process of a group only: all stop, after the same step.
    stop = experiment_.group().any(stop) && progress.steps < plan.total_steps;
    progress.seconds = seconds();
    const TrainingSnapshot snapshot{
        progress, theta, experiment_.optimizer(), experiment_.gradient(), rng, sampler, stop};
    for (auto* callback : callbacks) callback->step_completed(snapshot);
    if (stop) {
      status = RunStatus::interrupted;
      break;
    }
  }
  // The final accuracy is always measured, unless evaluation is off or meaningless.
  const bool evaluates = settings.evaluate_every.kind != EvaluationCadence::Kind::never;
  if (evaluates && !progress.evaluated_last && progress.steps > 0 &&
      status != RunStatus::diverged) {
    evaluate(progress.steps - 1, double(progress.steps) / double(plan.iterations_per_epoch));
  }

  TrainingOutcome outcome;
  outcome.status = status;
  outcome.steps = progress.steps;
  outcome.diverged_step = diverged_step;
  outcome.final_loss = progress.final_loss;
  outcome.final_train_accuracy = progress.final_train_accuracy;
  outcome.final_test_accuracy = progress.final_test_accuracy;
  outcome.best_test_accuracy = progress.best_test_accuracy;
  outcome.wall_seconds = seconds();
  outcome.spent = progress.spent;
  outcome.quality = progress.quality;
  outcome.parameters = &theta;
  for (auto* callback : callbacks) callback->end(outcome);
  return outcome;
}

}  // namespace xp
