#include "activation.hpp"

namespace xp::mlp {

namespace {
constexpr std::string_view kActivationWords[] = {"sigmoid", "relu", "tanh"};
constexpr std::string_view kOutputWords[] = {"softmax", "identity"};
}  // namespace

std::string_view to_string(Activation activation) {
  return kActivationWords[static_cast<std::size_t>(activation)];
}

std::optional<Activation> activation_from_string(std::string_view word) {
  for (std::size_t i = 0; i < std::size(kActivationWords); ++i) {
    if (kActivationWords[i] == word) return static_cast<Activation>(i);
  }
  return std::nullopt;
}

std::string_view to_string(OutputFunction output) {
  return kOutputWords[static_cast<std::size_t>(output)];
}

std::optional<OutputFunction> output_function_from_string(std::string_view word) {
  for (std::size_t i = 0; i < std::size(kOutputWords); ++i) {
    if (kOutputWords[i] == word) return static_cast<OutputFunction>(i);
  }
  return std::nullopt;
}

template <typename M>
void activate(Activation activation, const M& pre_activations, M& activations) {
  using Scalar = typename M::Scalar;
  activations.resize(pre_activations.rows(), pre_activations.cols());
  const auto a = pre_activations.array();
  switch (activation) {
    case Activation::sigmoid:
      activations.array() = Scalar(1) / (Scalar(1) + (-a).exp());
      break;
    case Activation::relu:
      activations.array() = a.max(Scalar(0));
      break;
    case Activation::tanh:
      activations.array() = a.tanh();
      break;
  }
}

void multiply_by_derivative(Activation activation, const Matrix& pre_activations,
                            const Matrix& activations, Matrix& upstream) {
  const auto z = activations.array();
  switch (activation) {
    case Activation::sigmoid:
      upstream.array() *= z * (1.0 - z);
      break;
    case Activation::relu:
      upstream.array() *= (pre_activations.array() > 0.0).cast<double>();
      break;
    case Activation::tanh:
      upstream.array() *= 1.0 - z * z;
      break;
  }
}

template <typename M>
void softmax(const M& inputs, M& outputs) {
  outputs.resize(inputs.rows(), inputs.cols());
  for (Eigen::Index n = 0; n < inputs.rows(); ++n) {
    const typename M::Scalar largest = inputs.row(n).maxCoeff();
    outputs.row(n) = (inputs.row(n).array() - largest).exp().matrix();
    outputs.row(n) /= outputs.row(n).sum();
  }
}

template void activate<Matrix>(Activation, const Matrix&, Matrix&);
template void activate<MatrixF>(Activation, const MatrixF&, MatrixF&);
template void softmax<Matrix>(const Matrix&, Matrix&);
template void softmax<MatrixF>(const MatrixF&, MatrixF&);

}  // namespace xp::mlp
