// A fully connected network: layer sizes [D, H1, ..., K], one activation for the
// hidden layers, softmax or identity at the output. Its parameters are laid out as
// W1 (D x H1), b1 (H1), W2 (H1 x H2), b2, ... in one flat vector (biases left out
// when the network has none); [784, 50, 10] with sigmoid and softmax is the book's
// TwoLayerNet.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "activation.hpp"
#include "exp/loss.hpp"
#include "exp/random.hpp"
#include "exp/tensor.hpp"

namespace xp::mlp {

// The standard deviation of the initial weights: one number for every layer (the
// book's TwoLayerNet: 0.01), or from each layer's fan-in as the book's MultiLayerNet
// offers: He, sqrt(2 / fan-in), for relu; Xavier, sqrt(1 / fan-in), for sigmoid and tanh.
struct WeightInit {
  enum class Rule { fixed, he, xavier };
  Rule rule = Rule::fixed;
  double std = 0.01;  // for Rule::fixed
  // A number >= 0, "he" or "xavier"; nullopt for anything else.
  static std::optional<WeightInit> from_string(std::string_view text);
  double std_for(std::size_t fan_in) const;
};

struct Architecture {
  std::vector<std::size_t> sizes;  // D, H1, ..., K: at least two entries
  Activation activation = Activation::sigmoid;
  OutputFunction output = OutputFunction::softmax;
  bool bias = true;
};

// Everything a forward pass computed for one batch, kept for the backward pass and
// for the loss-difference shortcut. Layer l (0-based) maps activations of layer
// l - 1 (the inputs for l = 0) to pre_activations[l]; activations[l] applies the
// hidden activation, or the output function for the last layer.
struct ForwardPass {
  std::vector<Matrix> pre_activations;
  std::vector<Matrix> activations;
  const Matrix& outputs() const { return activations.back(); }
};

class Network {
 public:
  explicit Network(Architecture architecture);

  const Architecture& architecture() const { return architecture_; }
  const ParameterLayout& layout() const { return layout_; }
  std::size_t layers() const { return architecture_.sizes.size() - 1; }
  std::size_t inputs_of(std::size_t layer) const { return architecture_.sizes[layer]; }
  std::size_t units_of(std::size_t layer) const { return architecture_.sizes[layer + 1]; }

  // Where layer l's weights and bias sit in the flat vector; bias_offset is only
  // meaningful with architecture().bias.
  std::size_t weight_offset(std::size_t layer) const { return weight_offsets_[layer]; }
  std::size_t bias_offset(std::size_t layer) const { return bias_offsets_[layer]; }
  ConstMatrixMap weights(const Vector& theta, std::size_t layer) const;

  // W ~ std * N(0, 1) drawn in layout order, biases 0 (the book's).
  void initialize(Vector& theta, Random& rng, const WeightInit& init) const;

  void forward(const Vector& theta, const Matrix& inputs, ForwardPass& pass) const;
  // Pre-activation of layer l from the activations below it: z W + b.
  void affine(const Vector& theta, std::size_t layer, const Matrix& below, Matrix& out) const;
  // out += b, row by row (nothing without biases): the last step of affine.
  void add_bias(const Vector& theta, std::size_t layer, Matrix& out) const;
  // Applies layer l's activation (or the output function) to its pre-activations, in
  // the matrices' own precision (Matrix, or MatrixF for model.precision: single).
  template <typename M>
  void activate_layer(std::size_t layer, const M& pre_activations, M& out) const;

  // dL/dtheta of loss.batch(outputs, batch); false if the loss has no output gradient.
  bool backprop(const Vector& theta, const Batch& batch, const Loss& loss, Vector& gradient) const;
  // derivative = dL/dtheta . direction for the same loss by forward mode (a tangent
  // pass alongside the forward pass, no backward pass); false if the loss has no
  // output gradient.
  bool directional_derivative(const Vector& theta, const Batch& batch, const Loss& loss,
                              const Vector& direction, double& derivative) const;

 private:
  Architecture architecture_;
  ParameterLayout layout_;
  std::vector<std::size_t> weight_offsets_;
  std::vector<std::size_t> bias_offsets_;
};

}  // namespace xp::mlp
