#include "network.hpp"

#include <charconv>
#include <cmath>
#include <string>

namespace xp::mlp {

Network::Network(Architecture architecture) : architecture_(std::move(architecture)) {
  for (std::size_t l = 0; l < layers(); ++l) {
    const std::string number = std::to_string(l + 1);
    weight_offsets_.push_back(layout_.add("W" + number, inputs_of(l), units_of(l)).offset);
    bias_offsets_.push_back(architecture_.bias
                                ? layout_.add("b" + number, 1, units_of(l), true).offset
                                : layout_.size());
  }
}

ConstMatrixMap Network::weights(const Vector& theta, std::size_t layer) const {
  return ConstMatrixMap(theta.data() + weight_offsets_[layer], Eigen::Index(inputs_of(layer)),
                        Eigen::Index(units_of(layer)));
}

std::optional<WeightInit> WeightInit::from_string(std::string_view text) {
  if (text == "he") return WeightInit{Rule::he, 0.0};
  if (text == "xavier") return WeightInit{Rule::xavier, 0.0};
  double value = 0.0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value) ||
      value < 0.0) {
    return std::nullopt;
  }
  return WeightInit{Rule::fixed, value};
}

double WeightInit::std_for(std::size_t fan_in) const {
  switch (rule) {
    case Rule::he:
      return std::sqrt(2.0 / double(fan_in));
    case Rule::xavier:
      return std::sqrt(1.0 / double(fan_in));
    case Rule::fixed:
      break;
  }
  return std;
}

void Network::initialize(Vector& theta, Random& rng, const WeightInit& init) const {
  for (std::size_t l = 0; l < layers(); ++l) {
    const std::size_t weights = inputs_of(l) * units_of(l);
    const double std = init.std_for(inputs_of(l));
    for (std::size_t k = 0; k < weights; ++k) {
      theta[Eigen::Index(weight_offsets_[l] + k)] = std * rng.normal();
    }
    if (architecture_.bias) {
      theta.segment(Eigen::Index(bias_offsets_[l]), Eigen::Index(units_of(l))).setZero();
    }
  }
}

void Network::affine(const Vector& theta, std::size_t layer, const Matrix& below,
                     Matrix& out) const {
  out.noalias() = below * weights(theta, layer);
  add_bias(theta, layer, out);
}

void Network::add_bias(const Vector& theta, std::size_t layer, Matrix& out) const {
  if (architecture_.bias) {
    out.rowwise() +=
        theta.segment(Eigen::Index(bias_offsets_[layer]), Eigen::Index(units_of(layer)))
            .transpose();
  }
}

template <typename M>
void Network::activate_layer(std::size_t layer, const M& pre_activations, M& out) const {
  if (layer + 1 < layers()) {
    activate(architecture_.activation, pre_activations, out);
  } else if (architecture_.output == OutputFunction::softmax) {
    softmax(pre_activations, out);
  } else {
    out = pre_activations;
  }
}

template void Network::activate_layer<Matrix>(std::size_t, const Matrix&, Matrix&) const;
template void Network::activate_layer<MatrixF>(std::size_t, const MatrixF&, MatrixF&) const;

void Network::forward(const Vector& theta, const Matrix& inputs, ForwardPass& pass) const {
  pass.pre_activations.resize(layers());
  pass.activations.resize(layers());
  for (std::size_t l = 0; l < layers(); ++l) {
    affine(theta, l, l == 0 ? inputs : pass.activations[l - 1], pass.pre_activations[l]);
    activate_layer(l, pass.pre_activations[l], pass.activations[l]);
  }
}

namespace {

// m = J m row by row, J the softmax's Jacobian at outputs y: J = diag(y) - y y^T is
// symmetric, so the backward pass (J^T m) and the tangent pass (J m) share it.
void apply_softmax_jacobian(const Matrix& y, Matrix& m) {
  const Eigen::VectorXd weighted = (y.array() * m.array()).rowwise().sum();
  m = (y.array() * (m.colwise() - weighted).array()).matrix();
}

}  // namespace

bool Network::backprop(const Vector& theta, const Batch& batch, const Loss& loss,
                       Vector& gradient) const {
  ForwardPass pass;
  forward(theta, batch.inputs, pass);
  Matrix upstream;  // dL/d(pre-activations) of the current layer
  if (!loss.output_gradient(pass.outputs(), batch, upstream)) return false;
  if (architecture_.output == OutputFunction::softmax) {
    // dL/da_k = y_k (dL/dy_k - sum_m y_m dL/dy_m).
    apply_softmax_jacobian(pass.outputs(), upstream);
  }
  gradient.resize(Eigen::Index(layout_.size()));
  for (std::size_t l = layers(); l-- > 0;) {
    const Matrix& below = l == 0 ? batch.inputs : pass.activations[l - 1];
    MatrixMap(gradient.data() + weight_offsets_[l], Eigen::Index(inputs_of(l)),
              Eigen::Index(units_of(l)))
        .noalias() = below.transpose() * upstream;
    if (architecture_.bias) {
      gradient.segment(Eigen::Index(bias_offsets_[l]), Eigen::Index(units_of(l))) =
          upstream.colwise().sum().transpose();
    }
    if (l > 0) {
      Matrix next = upstream * weights(theta, l).transpose();
      multiply_by_derivative(architecture_.activation, pass.pre_activations[l - 1],
                             pass.activations[l - 1], next);
      upstream = std::move(next);
    }
  }
  return true;
}

bool Network::directional_derivative(const Vector& theta, const Batch& batch, const Loss& loss,
                                     const Vector& direction, double& derivative) const {
  // Forward mode: next to each layer's forward pass, its tangent d(.) = d/dt (.) at
  // theta + t v. Exact (the chain rule, not a difference quotient), with no backward
  // pass; it costs up to two more products per layer (a dW and da W) than the forward
  // pass and gives one number, grad L . v, per direction: what forward gradients need.
  ForwardPass pass;
  pass.pre_activations.resize(layers());
  pass.activations.resize(layers());
  Matrix tangent;  // d(activations) of the layer below; the inputs have none
  for (std::size_t l = 0; l < layers(); ++l) {
    const Matrix& below = l == 0 ? batch.inputs : pass.activations[l - 1];
    affine(theta, l, below, pass.pre_activations[l]);
    activate_layer(l, pass.pre_activations[l], pass.activations[l]);
    // dz = da_below W + a_below dW + db, the last two being the affine map of v.
    Matrix dz;
    affine(direction, l, below, dz);
    if (l > 0) dz.noalias() += tangent * weights(theta, l);
    if (l + 1 < layers()) {
      multiply_by_derivative(architecture_.activation, pass.pre_activations[l], pass.activations[l],
                             dz);
    } else if (architecture_.output == OutputFunction::softmax) {
      // dy_k = y_k (dz_k - sum_m y_m dz_m).
      apply_softmax_jacobian(pass.activations[l], dz);
    }
    tangent = std::move(dz);
  }
  Matrix upstream;  // dL/d(outputs)
  if (!loss.output_gradient(pass.outputs(), batch, upstream)) return false;
  derivative = (upstream.array() * tangent.array()).sum();
  return true;
}

}  // namespace xp::mlp
