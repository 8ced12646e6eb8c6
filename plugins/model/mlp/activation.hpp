// The hidden-layer activations of the mlp model and the output functions, with the
// pieces the backward pass and the loss-difference shortcut need from each.
#pragma once

#include <cmath>
#include <optional>
#include <string_view>

#include "exp/tensor.hpp"

namespace xp::mlp {

enum class Activation { sigmoid, relu, tanh };
enum class OutputFunction { softmax, identity };

std::string_view to_string(Activation activation);
std::optional<Activation> activation_from_string(std::string_view word);
std::string_view to_string(OutputFunction output);
std::optional<OutputFunction> output_function_from_string(std::string_view word);

// The book's sigmoid 1 / (1 + exp(-x)).
inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

inline double activate(Activation activation, double x) {
  switch (activation) {
    case Activation::sigmoid:
      return sigmoid(x);
    case Activation::relu:
      return x > 0.0 ? x : 0.0;
    case Activation::tanh:
      return std::tanh(x);
  }
  return x;
}

// act(a + delta) - act(a), written so that nothing cancels when delta is tiny:
//   sigmoid: s(a+d) - s(a) = -s(a+d) * s(-a) * expm1(-d)  (as s(x) e^-x = s(-x))
//   tanh:    t(a+d) - t(a) = tanh(d) * (1 - t(a+d) t(a))
// relu is piecewise linear: the plain difference is exact.
inline double activation_change(Activation activation, double a, double delta) {
  switch (activation) {
    case Activation::sigmoid:
      return -sigmoid(a + delta) * sigmoid(-a) * std::expm1(-delta);
    case Activation::relu:
      return activate(Activation::relu, a + delta) - activate(Activation::relu, a);
    case Activation::tanh:
      return std::tanh(delta) * (1.0 - std::tanh(a + delta) * std::tanh(a));
  }
  return 0.0;
}

// Row-major float matrices: the single-precision forward pass (model.precision).
using MatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Applies the activation to every element of pre-activations (B x H), in the
// matrices' own precision (Matrix or MatrixF).
template <typename M>
void activate(Activation activation, const M& pre_activations, M& activations);

// Multiplies upstream (dL/dz) by act'(a) in place, from the cached z = act(a) (and a
// for relu, whose derivative at 0 is taken as 0).
void multiply_by_derivative(Activation activation, const Matrix& pre_activations,
                            const Matrix& activations, Matrix& upstream);

// The book's softmax, row by row: subtract the row maximum, exp, normalise (in the
// matrices' own precision, Matrix or MatrixF).
template <typename M>
void softmax(const M& inputs, M& outputs);

}  // namespace xp::mlp
