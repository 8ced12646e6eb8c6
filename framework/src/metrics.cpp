#include "exp/metrics.hpp"

#include <algorithm>
#include <numeric>
#include <vector>

namespace xp {

std::optional<double> accuracy(const Model& model, const Vector& theta, const Dataset& dataset,
                               Split split, std::size_t chunk_rows) {
  const std::size_t size = dataset.size(split);
  if (size == 0) return std::nullopt;
  std::vector<std::size_t> rows;
  Batch batch;
  Matrix outputs;
  std::size_t correct = 0;
  for (std::size_t begin = 0; begin < size; begin += chunk_rows) {
    rows.resize(std::min(chunk_rows, size - begin));
    std::iota(rows.begin(), rows.end(), begin);
    dataset.gather(split, rows, batch);
    if (batch.labels.empty()) return std::nullopt;
    model.forward(theta, batch.inputs, outputs);
    for (Eigen::Index r = 0; r < outputs.rows(); ++r) {
      Eigen::Index predicted = 0;
      outputs.row(r).maxCoeff(&predicted);
      if (predicted == batch.labels[std::size_t(r)]) ++correct;
    }
  }
  return double(correct) / double(size);
}

}  // namespace xp
