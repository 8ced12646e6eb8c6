// The mlp model plugin: a fully connected network (see network.hpp) with its
// analytic backward pass, its forward mode (directional derivatives) and an exact
// loss-difference shortcut for finite differences (see loss_differences.hpp). With
// `precision: single` the forward pass runs in float instead (see
// single_precision.hpp), for step-size studies.
#include <string>

#include "block_forward.hpp"
#include "exp/error.hpp"
#include "exp/model.hpp"
#include "loss_differences.hpp"
#include "network.hpp"
#include "single_precision.hpp"

namespace {

constexpr xp::ParameterSpec kParameters[] = {
    {.name = "hidden",
     .type = xp::ParameterType::integers,
     .default_value = "[50]",
     .meaning = "units of each hidden layer; [] for none (softmax regression)",
     .minimum = 1.0},
    {.name = "activation",
     .type = xp::ParameterType::text,
     .default_value = "sigmoid",
     .meaning = "activation of the hidden layers (the book's TwoLayerNet: sigmoid)",
     .choices = "sigmoid|relu|tanh"},
    {.name = "output",
     .type = xp::ParameterType::text,
     .default_value = "softmax",
     .meaning = "output function: softmax (probabilities, for cross_entropy) or identity",
     .choices = "softmax|identity"},
    {.name = "weight_init_std",
     .type = xp::ParameterType::text,
     .default_value = "0.01",
     .meaning = "standard deviation of the initial weights: a number >= 0 (the book's 0.01), he "
                "(sqrt(2 / fan-in), for relu) or xavier (sqrt(1 / fan-in), for sigmoid and "
                "tanh); biases start at 0"},
    {
        .name = "bias",
        .type = xp::ParameterType::boolean,
        .default_value = "true",
        .meaning = "whether each layer adds a bias vector",
    },
    {.name = "initial",
     .type = xp::ParameterType::reals,
     .default_value = "[]",
     .meaning = "the full flat parameter vector W1, b1, W2, ... to start from; [] for random "
                "initialisation"},
    {.name = "precision",
     .type = xp::ParameterType::text,
     .default_value = "double",
     .meaning = "arithmetic of the forward pass; single: float throughout (to study how "
                "rounding limits finite differences, exp hsweep), without backprop, forward "
                "mode or the loss-difference shortcut",
     .choices = "double|single"},
    {.name = "simd",
     .type = xp::ParameterType::text,
     .default_value = "auto",
     .meaning = "vector instructions of the finite-difference shortcut's hot loop: auto takes "
                "the widest this processor has; results are bit-identical whichever runs",
     .choices = "auto|avx512|avx2|baseline"},
};

using xp::mlp::Precision;

class Mlp final : public xp::Model {
 public:
  Mlp(xp::mlp::Network network, xp::mlp::WeightInit weight_init, std::vector<double> initial,
      Precision precision, xp::mlp::VectorPath path)
      : network_(std::move(network)),
        weight_init_(weight_init),
        initial_(std::move(initial)),
        precision_(precision),
        path_(path) {}

  const xp::ParameterLayout& layout() const override { return network_.layout(); }

  void initialize(xp::Vector& theta, xp::Random& rng) const override {
    if (!initial_.empty()) {
      theta = Eigen::Map<const xp::Vector>(initial_.data(), Eigen::Index(initial_.size()));
      return;
    }
    network_.initialize(theta, rng, weight_init_);
  }

  void forward(const xp::Vector& theta, const xp::Matrix& inputs,
               xp::Matrix& outputs) const override {
    if (precision_ == Precision::single_precision) {
      xp::mlp::forward_in_single_precision(network_, theta, inputs, outputs);
      return;
    }
    xp::mlp::forward_skipping_zeros(network_, theta, inputs, outputs);
  }

  bool backprop(const xp::Vector& theta, const xp::Batch& batch, const xp::Loss& loss,
                xp::Vector& gradient) const override {
    // The backward pass, the tangent pass and the shortcut below are double-precision
    // algorithms; in single precision only the forward pass is offered (finite
    // differences then use full evaluations of it).
    if (precision_ == Precision::single_precision) return false;
    return network_.backprop(theta, batch, loss, gradient);
  }

  bool directional_derivative(const xp::Vector& theta, const xp::Batch& batch, const xp::Loss& loss,
                              const xp::Vector& direction, double& derivative) const override {
    if (precision_ == Precision::single_precision) return false;
    return network_.directional_derivative(theta, batch, loss, direction, derivative);
  }

  std::unique_ptr<xp::LossDifferences> loss_differences(const xp::Vector& theta,
                                                        const xp::Batch& batch,
                                                        const xp::Loss& loss,
                                                        xp::DifferenceSteps steps,
                                                        xp::ThreadPool& pool,
                                                        xp::ProcessGroup& group) const override {
    if (precision_ == Precision::single_precision) return nullptr;
    return std::make_unique<xp::mlp::MlpLossDifferences>(network_, theta, batch, loss, steps, pool,
                                                         group, path_);
  }

 private:
  xp::mlp::Network network_;
  xp::mlp::WeightInit weight_init_;
  std::vector<double> initial_;
  Precision precision_;
  xp::mlp::VectorPath path_;
};

xp::mlp::VectorPath vector_path(const std::string& word) {
  if (word == "auto") return xp::mlp::widest_vector_path();
  const xp::mlp::VectorPath path = *xp::mlp::vector_path_from_string(word);
  if (!xp::mlp::processor_supports(path)) {
    throw xp::ParameterError(
        "simd", "this processor has no " + word + " instructions; use auto (" +
                    std::string(xp::mlp::to_string(xp::mlp::widest_vector_path())) + " here)");
  }
  return path;
}

std::string describe_layout(const xp::ParameterLayout& layout) {
  std::string text;
  for (const auto& tensor : layout.tensors()) {
    if (!text.empty()) text += ", ";
    text += tensor.name + " " +
            (tensor.is_vector ? std::to_string(tensor.cols)
                              : std::to_string(tensor.rows) + "x" + std::to_string(tensor.cols));
  }
  return text;
}

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters,
                                         const xp::Context& context) {
  if (context.output_size == 0) {
    throw xp::Error("model 'mlp': the dataset gives 0 outputs per sample; an mlp needs at least 1");
  }
  xp::mlp::Architecture architecture;
  architecture.sizes.push_back(context.input_size);
  for (const auto units : parameters.integers("hidden"))
    architecture.sizes.push_back(std::size_t(units));
  architecture.sizes.push_back(context.output_size);
  architecture.activation = *xp::mlp::activation_from_string(parameters.text("activation"));
  architecture.output = *xp::mlp::output_function_from_string(parameters.text("output"));
  architecture.bias = parameters.boolean("bias");
  xp::mlp::Network network(std::move(architecture));

  auto initial = parameters.reals("initial");
  if (!initial.empty() && initial.size() != network.layout().size()) {
    throw xp::ParameterError("initial", "expected " + std::to_string(network.layout().size()) +
                                            " values (the flat parameter vector " +
                                            describe_layout(network.layout()) + "), found " +
                                            std::to_string(initial.size()));
  }
  const auto weight_init = xp::mlp::WeightInit::from_string(parameters.text("weight_init_std"));
  if (!weight_init) {
    throw xp::ParameterError("weight_init_std", "expected a number >= 0, he or xavier, found '" +
                                                    parameters.text("weight_init_std") + "'");
  }
  return std::make_unique<Mlp>(std::move(network), *weight_init, std::move(initial),
                               *xp::mlp::precision_from_string(parameters.text("precision")),
                               vector_path(parameters.text("simd")));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::model,
                                     .name = "mlp",
                                     .version = "1.0.0",
                                     .summary =
                                         "fully connected network, sigmoid/relu/tanh hidden "
                                         "layers, softmax or identity output ([784, 50, 10] "
                                         "sigmoid softmax is the book's TwoLayerNet)",
                                     .parameters = kParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
