#include "exp/tensor.hpp"

#include "exp/error.hpp"

namespace xp {

const TensorShape& ParameterLayout::add(std::string name, std::size_t rows, std::size_t cols,
                                        bool is_vector) {
  tensors_.push_back(TensorShape{std::move(name), size_, rows, cols, is_vector});
  size_ += rows * cols;
  return tensors_.back();
}

const TensorShape& ParameterLayout::find(const std::string& name) const {
  for (const auto& tensor : tensors_) {
    if (tensor.name == name) return tensor;
  }
  throw Error("no parameter tensor named '" + name + "'");
}

}  // namespace xp
