#include "exp/checked_forward.hpp"

#include <string>

#include "exp/error.hpp"

namespace xp {

void check_forward_shape(const Matrix& outputs, Eigen::Index rows) {
  if (outputs.rows() == rows && (rows == 0 || outputs.cols() > 0)) return;
  const std::string expected = outputs.cols() > 0
                                   ? std::to_string(rows) + " x " + std::to_string(outputs.cols())
                                   : std::to_string(rows) + " x K, K >= 1";
  throw Error("the model's forward pass returned " + std::to_string(outputs.rows()) + " x " +
              std::to_string(outputs.cols()) + " outputs for " + std::to_string(rows) +
              " input rows (expected " + expected + ": one row of outputs per row of inputs)");
}

void checked_forward(const Model& model, const Vector& theta, const Matrix& inputs,
                     Matrix& outputs) {
  model.forward(theta, inputs, outputs);
  check_forward_shape(outputs, inputs.rows());
}

}  // namespace xp
