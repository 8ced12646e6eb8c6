// The mlp model plugin through the real loader: its parameter layout, the book's
// initialisation, a user-given parameter vector, and the forward pass against hand
// computation and, on MNIST's digits (where it sums over the non-zero pixels only),
// against the full matrix product.
#define BOOST_TEST_MODULE mlp model
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <utility>

#include "exp/error.hpp"
#include "exp/model.hpp"
#include "network_setting.hpp"
#include "test_support.hpp"

using xp::test::error_of;

using xp::PluginKind;
namespace tt = boost::test_tools;

namespace {

std::shared_ptr<xp::Model> mlp(const std::string& yaml, std::size_t inputs, std::size_t outputs) {
  xp::Context context;
  context.input_size = inputs;
  context.output_size = outputs;
  return xp::test::make<xp::Model>(PluginKind::model, "mlp", yaml, context);
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

BOOST_AUTO_TEST_CASE(the_books_two_layer_net_has_its_layout) {
  const auto model = mlp("{}", 784, 10);  // defaults: hidden [50], sigmoid, softmax, bias
  const auto& tensors = model->layout().tensors();
  BOOST_TEST_REQUIRE(tensors.size() == 4u);
  const std::string names[] = {"W1", "b1", "W2", "b2"};
  const std::size_t rows[] = {784, 1, 50, 1};
  const std::size_t cols[] = {50, 50, 10, 10};
  const bool vectors[] = {false, true, false, true};
  std::size_t offset = 0;
  for (std::size_t t = 0; t < 4; ++t) {
    BOOST_TEST_CONTEXT(names[t]) {
      BOOST_TEST(tensors[t].name == names[t]);
      BOOST_TEST(tensors[t].rows == rows[t]);
      BOOST_TEST(tensors[t].cols == cols[t]);
      BOOST_TEST(tensors[t].is_vector == vectors[t]);
      BOOST_TEST(tensors[t].offset == offset);
      offset += rows[t] * cols[t];
    }
  }
  BOOST_TEST(model->layout().size() == 39760u);
}

BOOST_AUTO_TEST_CASE(deeper_networks_and_networks_without_bias_or_hidden_layer) {
  const auto deep = mlp("{hidden: [5, 4], bias: false}", 3, 2);
  const auto& tensors = deep->layout().tensors();
  BOOST_TEST_REQUIRE(tensors.size() == 3u);
  BOOST_TEST(tensors[2].name == "W3");
  BOOST_TEST(tensors[1].rows == 5u);
  BOOST_TEST(tensors[1].cols == 4u);
  BOOST_TEST(deep->layout().size() == 15u + 20u + 8u);
  const auto regression = mlp("{hidden: []}", 3, 2);  // softmax regression: W1 3x2, b1
  BOOST_TEST(regression->layout().size() == 8u);
  BOOST_TEST(regression->layout().tensors()[0].name == "W1");
}

BOOST_AUTO_TEST_CASE(initialisation_is_the_books_weight_init_std_times_normal_in_layout_order) {
  const auto model = mlp("{hidden: [3], weight_init_std: 0.5}", 4, 2);
  xp::Vector theta(Eigen::Index(model->layout().size()));
  xp::Random rng(7);
  model->initialize(theta, rng);
  xp::Random expected(7);
  const auto& layout = model->layout();
  for (const auto& tensor : layout.tensors()) {
    for (std::size_t k = 0; k < tensor.size(); ++k) {
      const double value = theta[Eigen::Index(tensor.offset + k)];
      if (tensor.name[0] == 'b') {
        BOOST_TEST(value == 0.0);
      } else {
        BOOST_TEST(value == 0.5 * expected.normal());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(he_and_xavier_scale_each_layer_by_its_fan_in) {
  // 4 inputs, 3 hidden units, 2 outputs: W1 drawn with sqrt(k / 4), W2 with sqrt(k / 3).
  for (const auto& [word, k] : {std::pair<std::string, double>{"he", 2.0}, {"xavier", 1.0}}) {
    const auto model = mlp("{hidden: [3], weight_init_std: " + word + "}", 4, 2);
    xp::Vector theta(Eigen::Index(model->layout().size()));
    xp::Random rng(7);
    model->initialize(theta, rng);
    xp::Random expected(7);
    for (const auto& tensor : model->layout().tensors()) {
      if (tensor.name[0] == 'b') continue;
      const double std = std::sqrt(k / double(tensor.rows));
      for (std::size_t i = 0; i < tensor.size(); ++i) {
        BOOST_TEST_CONTEXT(word << " " << tensor.name) {
          BOOST_TEST(theta[Eigen::Index(tensor.offset + i)] == std * expected.normal());
        }
      }
    }
  }
  for (const std::string bad : {"-0.1", "kaiming", "0.1x", "nan"}) {
    const std::string message = error_of([&] { mlp("{weight_init_std: '" + bad + "'}", 4, 2); });
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(message.find("weight_init_std") != std::string::npos);
      BOOST_TEST(message.find("expected a number >= 0, he or xavier") != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(initial_gives_the_parameters_and_its_size_is_checked) {
  const auto model = mlp("{hidden: [], bias: false, initial: [1, 2, 3, 4, 5, 6]}", 2, 3);
  xp::Vector theta(6);
  xp::Random rng(1);
  model->initialize(theta, rng);
  for (Eigen::Index i = 0; i < 6; ++i) BOOST_TEST(theta[i] == double(i + 1));
  const std::string message = error_of([] { mlp("{hidden: [2], initial: [1, 2, 3]}", 2, 3); });
  BOOST_TEST(message.find("initial") != std::string::npos, message);
  BOOST_TEST(message.find("expected 15 values") != std::string::npos, message);
  BOOST_TEST(message.find("W1 2x2, b1 2, W2 2x3, b2 3") != std::string::npos, message);
  BOOST_TEST(message.find("found 3") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(unknown_words_are_refused_by_the_declared_choices) {
  const std::string message = error_of([] { mlp("{activation: softplus}", 2, 2); });
  BOOST_TEST(message.find("sigmoid") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(forward_of_a_sigmoid_softmax_network_by_hand) {
  // 2 inputs, 2 hidden (sigmoid), 2 outputs (softmax); W1, b1, W2, b2.
  const auto model =
      mlp("{hidden: [2], initial: [0.1, -0.2, 0.3, 0.4, 0.05, -0.05, 1.0, -1.0, 0.5, 2.0, "
          "0.1, -0.1]}",
          2, 2);
  xp::Matrix inputs(2, 2);
  inputs << 1.0, 2.0, -0.5, 0.25;
  xp::Matrix outputs;
  model->forward(xp::Vector::Map(std::vector<double>{0.1, -0.2, 0.3, 0.4, 0.05, -0.05, 1.0, -1.0,
                                                     0.5, 2.0, 0.1, -0.1}
                                     .data(),
                                 12),
                 inputs, outputs);
  BOOST_TEST_REQUIRE(outputs.rows() == 2);
  BOOST_TEST_REQUIRE(outputs.cols() == 2);
  for (Eigen::Index n = 0; n < 2; ++n) {
    const double x0 = inputs(n, 0), x1 = inputs(n, 1);
    const double z0 = sigmoid(x0 * 0.1 + x1 * 0.3 + 0.05);
    const double z1 = sigmoid(x0 * -0.2 + x1 * 0.4 - 0.05);
    const double a0 = z0 * 1.0 + z1 * 0.5 + 0.1;
    const double a1 = z0 * -1.0 + z1 * 2.0 - 0.1;
    const double y0 = 1.0 / (1.0 + std::exp(a1 - a0));
    BOOST_TEST(outputs(n, 0) == y0, tt::tolerance(1e-14));
    BOOST_TEST(outputs(n, 1) == 1.0 - y0, tt::tolerance(1e-14));
  }
}

BOOST_AUTO_TEST_CASE(forward_of_relu_and_tanh_networks_with_identity_output_by_hand) {
  xp::Matrix inputs(3, 1);
  inputs << 1.0, -2.0, 0.3;
  for (const std::string activation : {"relu", "tanh"}) {
    const auto model = mlp("{hidden: [2], activation: " + activation +
                               ", output: identity, initial: [0.5, -1.0, 0.2, 0, 1.5, -0.7, 0.25]}",
                           1, 1);
    xp::Matrix outputs;
    xp::Vector parameters(7);
    parameters << 0.5, -1.0, 0.2, 0.0, 1.5, -0.7, 0.25;
    model->forward(parameters, inputs, outputs);
    for (Eigen::Index n = 0; n < 3; ++n) {
      const double x = inputs(n, 0);
      const auto act = [&](double a) {
        return activation == "relu" ? std::max(a, 0.0) : std::tanh(a);
      };
      const double expected = act(0.5 * x + 0.2) * 1.5 + act(-1.0 * x) * -0.7 + 0.25;
      BOOST_TEST_CONTEXT(activation << " sample " << n) {
        BOOST_TEST(outputs(n, 0) == expected, tt::tolerance(1e-14));
      }
    }
  }
}

namespace {

// The network by full matrix products, layer after layer (tensors W1, b1, W2, ...):
// the hidden activation on every layer but the last, softmax on the last.
xp::Matrix full_products(const xp::Model& model, const xp::Vector& theta, const xp::Matrix& x,
                         double (*activation)(double)) {
  const auto& layout = model.layout();
  const auto tensor = [&](const std::string& name) {
    return layout.view(theta, layout.find(name));
  };
  const std::size_t layers = layout.tensors().size() / 2;
  xp::Matrix a = x;
  for (std::size_t l = 1; l <= layers; ++l) {
    const std::string k = std::to_string(l);
    a = (a * tensor("W" + k)).rowwise() + tensor("b" + k).row(0);
    if (l < layers) a = a.unaryExpr(activation);
  }
  for (Eigen::Index n = 0; n < a.rows(); ++n) {
    const double largest = a.row(n).maxCoeff();
    a.row(n) = (a.row(n).array() - largest).exp().matrix();
    a.row(n) /= a.row(n).sum();
  }
  return a;
}

double relu(double a) { return std::max(a, 0.0); }

// Whether at most a quarter of the first 8 rows of x are non-zero: the model's
// forward pass then sums that layer over non-zero inputs.
bool first_block_mostly_zero(const xp::Matrix& x) {
  const xp::Matrix block = x.topRows(std::min<Eigen::Index>(8, x.rows()));
  return 4 * (block.array() != 0.0).count() <= block.size();
}

}  // namespace

BOOST_AUTO_TEST_CASE(forward_on_mnist_digits_skips_zero_pixels_yet_is_the_full_product) {
  const auto cross_entropy = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
  const xp::test::NetworkSetting setting("mnist", xp::test::mnist_yaml(), "{hidden: [50]}",
                                         cross_entropy, 100);
  const xp::Matrix& x = setting.batch.inputs;
  BOOST_TEST_REQUIRE(first_block_mostly_zero(x));
  xp::Matrix whole;
  setting.model->forward(setting.theta, x, whole);
  BOOST_TEST_REQUIRE(whole.rows() == 100);
  const xp::Matrix reference = full_products(*setting.model, setting.theta, x, sigmoid);
  BOOST_TEST((whole - reference).cwiseAbs().maxCoeff() <= 1e-15);
  // In pieces (exp's blocks of 32 rows for a step's loss): the same up to rounding.
  for (const auto& [begin, end] : {std::pair{0, 32}, std::pair{32, 64}, std::pair{64, 100}}) {
    xp::Matrix part;
    setting.model->forward(setting.theta, x.middleRows(begin, end - begin), part);
    BOOST_TEST((part - whole.middleRows(begin, end - begin)).cwiseAbs().maxCoeff() <= 1e-15,
               begin << " to " << end);
  }
}

BOOST_AUTO_TEST_CASE(a_later_layer_of_mostly_dead_relu_units_is_summed_the_same_way) {
  // Units 5 to 49 of the first hidden layer never fire (a bias of -1000): the second
  // layer's inputs are mostly zero, so it is summed over the live units.
  const auto cross_entropy = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
  xp::test::NetworkSetting setting("mnist", xp::test::mnist_yaml(),
                                   "{hidden: [50, 20], activation: relu}", cross_entropy, 64);
  const auto& layout = setting.model->layout();
  layout.view(setting.theta, layout.find("b1")).rightCols(45).setConstant(-1000.0);
  const xp::Matrix& x = setting.batch.inputs;
  const xp::Matrix hidden = ((x * layout.view(setting.theta, layout.find("W1"))).rowwise() +
                             layout.view(setting.theta, layout.find("b1")).row(0))
                                .unaryExpr(&relu);
  BOOST_TEST_REQUIRE(first_block_mostly_zero(hidden));
  xp::Matrix outputs;
  setting.model->forward(setting.theta, x, outputs);
  BOOST_TEST(
      (outputs - full_products(*setting.model, setting.theta, x, relu)).cwiseAbs().maxCoeff() <=
      1e-15);
  // A non-finite weight of a dead unit: never read by a sum over live inputs, yet
  // every output is NaN, as in the full product.
  for (const double weight : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    layout.view(setting.theta, layout.find("W2"))(10, 0) = weight;
    setting.model->forward(setting.theta, x, outputs);
    BOOST_TEST(outputs.array().isNaN().all(), weight);
  }
}

BOOST_AUTO_TEST_CASE(a_non_finite_weight_on_a_zero_pixel_still_makes_every_output_nan) {
  // Pixel 0 is zero in every digit: a sum over non-zero inputs would never read its
  // weights, where the full product (the definition) gives 0 * NaN = NaN, and a run
  // stops on the NaN loss. Both kinds of non-finite weight keep the definition.
  const auto cross_entropy = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
  xp::test::NetworkSetting setting("mnist", xp::test::mnist_yaml(), "{hidden: [50]}", cross_entropy,
                                   16);
  BOOST_TEST_REQUIRE((setting.batch.inputs.col(0).array() == 0.0).all());
  for (const double weight : {std::nan(""), std::numeric_limits<double>::infinity()}) {
    setting.theta[0] = weight;  // W1(0, 0)
    xp::Matrix outputs;
    setting.model->forward(setting.theta, setting.batch.inputs, outputs);
    BOOST_TEST(outputs.array().isNaN().all(), weight);
  }
}
