// Hooks into the training loop, in the manner of ensmallen's callbacks: printing,
// metric files and stopping on a signal are callbacks, not special cases in the loop.
//
//   xp::MetricFiles files(run);
//   xp::StopOnSignal stop;
//   trainer.run(theta, rng, {&files, &stop});
//
// What a run shows on the console is xp::ProgressDisplay (progress_display.hpp).
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <ostream>
#include <string>

#include "exp/metrics.hpp"
#include "exp/run_directory.hpp"
#include "exp/run_summary.hpp"
#include "exp/tensor.hpp"
#include "exp/training_state.hpp"

namespace xp {

// What a run is about to do.
struct TrainingPlan {
  std::size_t total_steps = 0;
  std::size_t iterations_per_epoch = 1;
  std::size_t train_size = 0;
  std::size_t batch_size = 0;
};

// How a run ended.
struct TrainingOutcome {
  RunStatus status = RunStatus::completed;  // completed, diverged or interrupted
  std::size_t steps = 0;                    // taken
  std::optional<std::size_t> diverged_step;  // the last one taken (metrics.csv's step)
  std::optional<double> final_loss;
  std::optional<double> final_train_accuracy;
  std::optional<double> final_test_accuracy;
  std::optional<double> best_test_accuracy;
  double wall_seconds = 0.0;
  EvaluationCounts spent;  // by the gradient method
  QualitySums quality;
  double steps_per_second() const { return wall_seconds > 0 ? double(steps) / wall_seconds : 0.0; }
  const Vector* parameters = nullptr;  // the final parameters
};

class TrainingCallback {
 public:
  virtual ~TrainingCallback();
  virtual void begin(const TrainingPlan& plan) { (void)plan; }
  // Returning true stops training once this step is complete.
  virtual bool step_taken(const StepRecord& record) {
    (void)record;
    return false;
  }
  virtual void evaluated(const EvaluationRecord& record) { (void)record; }
  // After a step whose gradient was measured against backprop
  // (train.gradient_quality_every), before step_taken.
  virtual void gradient_measured(const GradientQuality& quality) { (void)quality; }
  // After the step and its evaluation, unless the loss diverged: the whole state of
  // the loop, for checkpoints.
  virtual void step_completed(const TrainingSnapshot& snapshot) { (void)snapshot; }
  virtual void end(const TrainingOutcome& outcome) { (void)outcome; }
};

// Rows below the header of metrics.csv (one per step) and epochs.csv (one per
// evaluation): where a checkpoint's run continues its files.
struct MetricRows {
  std::size_t steps = 0;
  std::size_t evaluations = 0;
  std::size_t qualities = 0;  // gradient_quality.csv
};

// metrics.csv (step,epoch,loss,seconds,evaluations per step), epochs.csv
// (epoch,step,train_loss,train_accuracy,test_accuracy per evaluation) and, for runs
// that measure it, gradient_quality.csv (step,cosine,relative_error,sign_agreement,
// estimate_norm,true_norm; created with its first row). `step` is the number of steps
// taken (1 for the first), as the console counts; epochs.csv's `epoch` is the book's
// epoch for an evaluation on the cadence and the epochs completed (125, or 3.125 for
// a run that stops between two) for the evaluation after the last step (see
// EvaluationRecord). Flushed at every
// evaluation, every flush_every steps and at the end, so an interrupted run keeps
// its metrics. Only `seconds` (training time since the run began, summed over
// resumed sessions) differs between two runs of one config and seed.
class MetricFiles : public TrainingCallback {
 public:
  // Creates both files with their headers, or, given continue_after (exp resume),
  // cuts existing files to that many rows and appends after them; throws xp::Error
  // when a file has fewer rows than that.
  explicit MetricFiles(const RunDirectory& run, std::size_t flush_every = 1000,
                       std::optional<MetricRows> continue_after = std::nullopt);
  bool step_taken(const StepRecord& record) override;
  void evaluated(const EvaluationRecord& record) override;
  void gradient_measured(const GradientQuality& quality) override;
  void end(const TrainingOutcome& outcome) override;
  // Throws WriteError when either file could not be written (a full disk).
  void flush();
  MetricRows rows() const { return rows_; }  // written so far

 private:
  std::filesystem::path steps_file_, epochs_file_, quality_file_;
  std::ofstream steps_;
  std::ofstream epochs_;
  std::ofstream quality_;  // open once the run has measured a gradient
  std::size_t flush_every_;
  std::size_t unflushed_ = 0;
  MetricRows rows_;
};

// Keeps summary.json current (status running, steps and metrics so far) after
// evaluations, at most once per `interval` seconds: the calculus listings evaluate
// after every step, and rewriting the file each time would cost more than the step.
// The final status is written by whoever ran the trainer.
class SummaryUpdater : public TrainingCallback {
 public:
  SummaryUpdater(const RunDirectory& run, RunSummary& summary, double interval = 1.0)
      : run_(run), summary_(summary), interval_(interval) {}
  bool step_taken(const StepRecord& record) override;
  void evaluated(const EvaluationRecord& record) override;
  void gradient_measured(const GradientQuality& quality) override { summary_.quality.add(quality); }

 private:
  const RunDirectory& run_;
  RunSummary& summary_;
  double interval_;
  std::optional<double> written_at_;  // training seconds of the last write
};

// Stops at the end of the current step after SIGINT or SIGTERM. Installs its
// handlers on construction and restores the previous ones on destruction.
class StopOnSignal : public TrainingCallback {
 public:
  StopOnSignal();
  ~StopOnSignal() override;
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;
  bool step_taken(const StepRecord& record) override;
  static bool requested();     // a signal has arrived
  static int signal_number();  // which one (0 if none)
  // Seconds since the first signal arrived (0 if none): an MPI launcher that ends a
  // job sends SIGTERM and, a second later, SIGKILL.
  static double seconds_since_signal();

 private:
  struct Saved;
  std::unique_ptr<Saved> saved_;
};

}  // namespace xp
