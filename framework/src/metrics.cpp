#include "exp/metrics.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <string>
#include <vector>

#include "exp/checked_forward.hpp"
#include "exp/error.hpp"

namespace xp {

namespace {

// Rows of [begin, end) of a split whose largest output is the label; none when the
// split has no labels.
std::optional<std::size_t> correct_in(const Model& model, const Vector& theta,
                                      const Dataset& dataset, Split split, std::size_t begin,
                                      std::size_t end) {
  std::vector<std::size_t> rows(end - begin);
  std::iota(rows.begin(), rows.end(), begin);
  Batch batch;
  dataset.gather(split, rows, batch);
  if (batch.labels.empty()) return std::nullopt;
  Matrix outputs;
  checked_forward(model, theta, batch.inputs, outputs);
  std::size_t correct = 0;
  for (Eigen::Index r = 0; r < outputs.rows(); ++r) {
    Eigen::Index predicted = 0;
    outputs.row(r).maxCoeff(&predicted);
    if (predicted == batch.labels[std::size_t(r)]) ++correct;
  }
  return correct;
}

}  // namespace

std::optional<double> accuracy(const Model& model, const Vector& theta, const Dataset& dataset,
                               Split split, std::size_t chunk_rows) {
  ThreadPool alone(1);
  return accuracy(model, theta, dataset, split, alone, chunk_rows);
}

std::optional<double> accuracy(const Model& model, const Vector& theta, const Dataset& dataset,
                               Split split, ThreadPool& pool, std::size_t chunk_rows) {
  const std::size_t size = dataset.size(split);
  if (size == 0) return std::nullopt;
  chunk_rows = std::max<std::size_t>(1, chunk_rows);
  // The chunks are fixed and each counted whole, so the result is the same on any
  // number of threads; one chunk at a time per thread.
  const std::size_t chunks = (size + chunk_rows - 1) / chunk_rows;
  std::atomic<std::size_t> correct{0};
  std::atomic<bool> labelled{true};
  pool.for_each_block(chunks, 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t chunk = first; chunk < last && labelled; ++chunk) {
      const auto counted = correct_in(model, theta, dataset, split, chunk * chunk_rows,
                                      std::min(size, (chunk + 1) * chunk_rows));
      if (counted) {
        correct += *counted;
      } else {
        labelled = false;
      }
    }
  });
  if (!labelled) return std::nullopt;
  return double(correct.load()) / double(size);
}

namespace {

// Rows of a batch per forward call of batch_loss. The loss after each step was one
// serial forward pass, an eighth of the book's run with the other core idle; in blocks
// it shares the pool. Where the blocks start depends on the batch alone, so the loss
// is the same on any number of threads (Eigen may round a row differently in a block
// than in a whole batch: its kernel depends on the rows around it). The last block
// takes the rows left over, up to 63: none is so small that a model must take it
// another way (Eigen multiplies a single row as a vector).
constexpr Eigen::Index kLossRows = 32;

void check_width(const Matrix& part, Eigen::Index width) {
  if (part.cols() == width) return;
  throw Error("the model's forward pass returned " + std::to_string(part.cols()) +
              " outputs per row for one block of a batch and " + std::to_string(width) +
              " for another (expected the same width for every row)");
}

}  // namespace

double batch_loss(const Model& model, const Loss& loss, const Vector& theta, const Batch& batch,
                  ThreadPool& pool) {
  const Eigen::Index rows = batch.inputs.rows();
  const Eigen::Index blocks = rows / kLossRows;
  if (blocks <= 1) {
    Matrix outputs;
    checked_forward(model, theta, batch.inputs, outputs);
    return loss.batch(outputs, batch);
  }
  const auto start = [&](Eigen::Index block) { return block == blocks ? rows : block * kLossRows; };
  std::vector<Matrix> parts(static_cast<std::size_t>(blocks));
  pool.for_each_block(std::size_t(blocks), 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t b = first; b < last; ++b) {
      const Eigen::Index begin = start(Eigen::Index(b));
      const Matrix inputs = batch.inputs.middleRows(begin, start(Eigen::Index(b) + 1) - begin);
      model.forward(theta, inputs, parts[b]);
    }
  });
  // Checked in block order, after the job: the same error whichever thread finished first.
  Matrix outputs(rows, parts.front().cols());
  for (Eigen::Index b = 0; b < blocks; ++b) {
    const Matrix& part = parts[std::size_t(b)];
    const Eigen::Index count = start(b + 1) - start(b);
    check_forward_shape(part, count);
    check_width(part, outputs.cols());
    outputs.middleRows(start(b), count) = part;
  }
  return loss.batch(outputs, batch);
}

}  // namespace xp
