// What training measures: the records a step and an evaluation produce, the loss of a
// batch and the accuracy of a model over a whole split.
//
//   std::optional<double> acc = xp::accuracy(model, theta, dataset, xp::Split::test);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "exp/dataset.hpp"
#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/parallel.hpp"
#include "exp/tensor.hpp"

namespace xp {

// After every step: the loss of the step's batch at the updated parameters.
// `step` counts from 0 (the book's loop index i); files and the console number steps
// from 1, as steps taken: metrics.csv's step k is the loss after k updates.
struct StepRecord {
  std::size_t step = 0;   // 0-based
  std::size_t epoch = 0;  // step / iterations_per_epoch
  double loss = 0.0;
  double seconds = 0.0;           // since training began
  std::uint64_t evaluations = 0;  // loss evaluations the gradients cost, up to this step
};

// After every evaluation of the full splits.
struct EvaluationRecord {
  // On the cadence, step / iterations_per_epoch: the book's epoch, a whole number
  // when evaluating every epoch. After a last step off the cadence, the epochs the
  // run completed, steps taken / iterations_per_epoch (125 for 10,000 steps of 80,
  // 3.125 for 250): the book's label, step / iterations_per_epoch rounded down, would
  // repeat the last epoch's.
  double epoch = 0.0;
  std::size_t step = 0;                  // 0-based, as StepRecord
  double train_loss = 0.0;               // mean of the step losses since the previous evaluation
  std::optional<double> train_accuracy;  // absent for data without labels
  std::optional<double> test_accuracy;
};

// Fraction of rows whose largest output (first on ties, as np.argmax) is the label.
// Rows are gathered in chunks so a large split never sits in memory twice.
// Absent when the split is empty or has no labels.
std::optional<double> accuracy(const Model& model, const Vector& theta, const Dataset& dataset,
                               Split split, std::size_t chunk_rows = 1000);
// The same with the chunks shared by the pool's threads (each gathers and evaluates
// its own): the same result for any number of threads.
std::optional<double> accuracy(const Model& model, const Vector& theta, const Dataset& dataset,
                               Split split, ThreadPool& pool, std::size_t chunk_rows = 1000);

// The loss of `batch` at theta (StepRecord::loss), its forward pass in blocks of rows
// shared by the pool's threads: the same for any number of threads.
double batch_loss(const Model& model, const Loss& loss, const Vector& theta, const Batch& batch,
                  ThreadPool& pool);

}  // namespace xp
