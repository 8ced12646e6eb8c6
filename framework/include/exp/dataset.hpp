// A dataset plugin gives a train and a test split. It keeps its data however it
// likes (compactly: MNIST pixels stay bytes) and fills batches on request.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <vector>

#include "exp/plugin.hpp"
#include "exp/tensor.hpp"

namespace xp {

enum class Split { train, test };

class Dataset : public PluginObject {
 public:
  ~Dataset() override;
  virtual std::size_t size(Split split) const = 0;
  virtual std::size_t input_size() const = 0;   // D
  virtual std::size_t output_size() const = 0;  // K: classes, or target width
  // Fills batch with the given rows of a split, in that order (rows may repeat).
  // Thread-safe: evaluations gather their chunks from several threads at once.
  virtual void gather(Split split, std::span<const std::size_t> rows, Batch& batch) const = 0;
  // The files the data was read from (none for generated data): the run records
  // each with its SHA-256, the data's identity.
  virtual std::vector<std::filesystem::path> files() const;
};

}  // namespace xp
