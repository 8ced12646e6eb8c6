#include "single_precision.hpp"

namespace xp::mlp {

std::string_view to_string(Precision precision) {
  return precision == Precision::single_precision ? "single" : "double";
}

std::optional<Precision> precision_from_string(std::string_view word) {
  if (word == "double") return Precision::double_precision;
  if (word == "single") return Precision::single_precision;
  return std::nullopt;
}

void forward_in_single_precision(const Network& network, const Vector& theta, const Matrix& inputs,
                                 Matrix& outputs) {
  const Eigen::VectorXf parameters = theta.cast<float>();
  MatrixF below = inputs.cast<float>();
  MatrixF pre_activations, activations;
  for (std::size_t l = 0; l < network.layers(); ++l) {
    const Eigen::Map<const MatrixF> weights(parameters.data() + network.weight_offset(l),
                                            Eigen::Index(network.inputs_of(l)),
                                            Eigen::Index(network.units_of(l)));
    pre_activations.noalias() = below * weights;
    if (network.architecture().bias) {
      pre_activations.rowwise() +=
          parameters
              .segment(Eigen::Index(network.bias_offset(l)), Eigen::Index(network.units_of(l)))
              .transpose();
    }
    network.activate_layer(l, pre_activations, activations);
    below.swap(activations);
  }
  outputs = below.cast<double>();
}

}  // namespace xp::mlp
