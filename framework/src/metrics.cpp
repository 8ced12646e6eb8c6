#include "exp/metrics.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <vector>

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
  model.forward(theta, batch.inputs, outputs);
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

}  // namespace xp
