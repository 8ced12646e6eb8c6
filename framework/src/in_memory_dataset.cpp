#include "exp/in_memory_dataset.hpp"

#include <string>

#include "exp/error.hpp"

namespace xp {

namespace {

void check_split(const Batch& split, const char* name, std::size_t input_size) {
  const auto rows = std::size_t(split.inputs.rows());
  if (std::size_t(split.inputs.cols()) != input_size || std::size_t(split.targets.rows()) != rows ||
      (!split.labels.empty() && split.labels.size() != rows)) {
    throw Error(std::string("in-memory dataset: the ") + name + " split has inputs " +
                std::to_string(split.inputs.rows()) + "x" + std::to_string(split.inputs.cols()) +
                ", targets " + std::to_string(split.targets.rows()) + "x" +
                std::to_string(split.targets.cols()) + " and " +
                std::to_string(split.labels.size()) + " labels; expected N x " +
                std::to_string(input_size) + " inputs, N target rows, N or 0 labels");
  }
}

}  // namespace

InMemoryDataset::InMemoryDataset(Batch train, Batch test, std::size_t input_size,
                                 std::size_t output_size)
    : train_(std::move(train)),
      test_(std::move(test)),
      input_size_(input_size),
      output_size_(output_size) {
  check_split(train_, "train", input_size_);
  check_split(test_, "test", input_size_);
}

InMemoryDataset::~InMemoryDataset() = default;

std::size_t InMemoryDataset::size(Split which) const { return split(which).size(); }

void InMemoryDataset::gather(Split which, std::span<const std::size_t> rows, Batch& batch) const {
  const Batch& source = split(which);
  const auto count = Eigen::Index(rows.size());
  batch.inputs.resize(count, source.inputs.cols());
  batch.targets.resize(count, source.targets.cols());
  batch.labels.resize(source.labels.empty() ? 0 : rows.size());
  for (Eigen::Index n = 0; n < count; ++n) {
    const std::size_t row = rows[std::size_t(n)];
    if (row >= source.size()) {
      throw Error("dataset: row " + std::to_string(row) + " requested from a split of " +
                  std::to_string(source.size()) + " samples");
    }
    batch.inputs.row(n) = source.inputs.row(Eigen::Index(row));
    batch.targets.row(n) = source.targets.row(Eigen::Index(row));
    if (!source.labels.empty()) batch.labels[std::size_t(n)] = source.labels[row];
  }
}

}  // namespace xp
