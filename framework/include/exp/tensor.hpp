// The tensor types every part of an experiment speaks: double precision,
// row-major (one sample per row, as in the book's NumPy code).
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

namespace xp {

using Matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using Vector = Eigen::VectorXd;
using MatrixMap = Eigen::Map<Matrix>;
using ConstMatrixMap = Eigen::Map<const Matrix>;

// A named view into the flat parameter vector: W1 is rows x cols starting at offset.
// A vector-shaped tensor (a bias) has rows == 1.
struct TensorShape {
  std::string name;
  std::size_t offset = 0;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t size() const { return rows * cols; }
  // True for tensors the book prints as 1-D arrays (biases, the calculus listings' x).
  bool is_vector = false;
};

// The parameters of a model as named tensors laid out back to back in one vector.
class ParameterLayout {
 public:
  // Appends a tensor after the last one and returns its shape.
  const TensorShape& add(std::string name, std::size_t rows, std::size_t cols, bool is_vector = false);
  const std::vector<TensorShape>& tensors() const { return tensors_; }
  const TensorShape& find(const std::string& name) const;  // throws xp::Error if absent
  std::size_t size() const { return size_; }

  MatrixMap view(Vector& theta, const TensorShape& t) const {
    return MatrixMap(theta.data() + t.offset, Eigen::Index(t.rows), Eigen::Index(t.cols));
  }
  ConstMatrixMap view(const Vector& theta, const TensorShape& t) const {
    return ConstMatrixMap(theta.data() + t.offset, Eigen::Index(t.rows), Eigen::Index(t.cols));
  }

 private:
  std::vector<TensorShape> tensors_;
  std::size_t size_ = 0;
};

// One mini-batch (or a whole split). Classification data fills both targets
// (one-hot rows) and labels; regression data leaves labels empty.
struct Batch {
  Matrix inputs;            // B x D
  Matrix targets;           // B x K
  std::vector<int> labels;  // B class indices, or empty
  std::size_t size() const { return std::size_t(inputs.rows()); }
};

}  // namespace xp
