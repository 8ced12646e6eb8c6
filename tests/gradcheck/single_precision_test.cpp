// The mlp's `precision: single` through the real loader: a real float forward pass
// (every output is a float, close to the double result but not equal to it), steps
// below float's resolution vanish, and no backprop or shortcut is offered in float.
// `precision: double` is the default and changes nothing.
#define BOOST_TEST_MODULE mlp single precision
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "exp/gradient.hpp"
#include "exp/model.hpp"
#include "exp/random.hpp"
#include "test_support.hpp"

using xp::PluginKind;

namespace {

constexpr std::size_t kInputs = 4;
constexpr std::size_t kOutputs = 3;

std::shared_ptr<xp::Model> mlp(const std::string& yaml) {
  xp::Context context;
  context.input_size = kInputs;
  context.output_size = kOutputs;
  return xp::test::make<xp::Model>(PluginKind::model, "mlp", yaml, context);
}

struct Setting {
  xp::Batch batch;
  Setting() {
    xp::Random rng(7);
    batch.inputs = xp::Matrix(5, kInputs);
    batch.targets = xp::Matrix::Zero(5, kOutputs);
    for (Eigen::Index n = 0; n < 5; ++n) {
      for (Eigen::Index d = 0; d < Eigen::Index(kInputs); ++d) batch.inputs(n, d) = rng.normal();
      batch.targets(n, n % Eigen::Index(kOutputs)) = 1.0;
      batch.labels.push_back(int(n % Eigen::Index(kOutputs)));
    }
  }
  xp::Vector initial(const xp::Model& model) const {
    xp::Random rng(42);
    xp::Vector parameters = xp::Vector::Zero(Eigen::Index(model.layout().size()));
    model.initialize(parameters, rng);
    return parameters;
  }
};

const std::string kNetwork = "hidden: [6, 5], weight_init_std: 0.5";

}  // namespace

BOOST_AUTO_TEST_CASE(the_forward_pass_is_computed_in_float) {
  for (const char* activation : {"sigmoid", "relu", "tanh"}) {
    for (const char* output : {"softmax", "identity"}) {
      BOOST_TEST_CONTEXT(activation << " " << output) {
        const std::string options =
            kNetwork + ", activation: " + activation + ", output: " + output;
        const auto in_double = mlp("{" + options + "}");
        const auto in_single = mlp("{" + options + ", precision: single}");
        const Setting setting;
        const xp::Vector theta = setting.initial(*in_double);
        xp::Matrix exact, rounded;
        in_double->forward(theta, setting.batch.inputs, exact);
        in_single->forward(theta, setting.batch.inputs, rounded);
        BOOST_TEST_REQUIRE(rounded.rows() == exact.rows());
        BOOST_TEST_REQUIRE(rounded.cols() == exact.cols());
        bool all_floats = true, any_different = false;
        double largest = 0.0;
        for (Eigen::Index i = 0; i < exact.size(); ++i) {
          const double value = rounded.data()[i];
          all_floats = all_floats && double(float(value)) == value;
          any_different = any_different || value != exact.data()[i];
          largest = std::max(largest, std::abs(value - exact.data()[i]) /
                                          std::max(1.0, std::abs(exact.data()[i])));
        }
        BOOST_TEST(all_floats);     // a float computation, widened
        BOOST_TEST(any_different);  // not the double result rounded at the end
        BOOST_TEST(largest < 1e-5);
        BOOST_TEST(largest > 1e-12);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_step_below_float_resolution_changes_nothing_in_float_only) {
  const auto in_double = mlp("{" + kNetwork + "}");
  const auto in_single = mlp("{" + kNetwork + ", precision: single}");
  const Setting setting;
  xp::Vector theta = setting.initial(*in_double);
  theta[0] = 0.5;  // ulp(0.5) in float is 2^-24 ~ 6e-8
  xp::Vector stepped = theta;
  stepped[0] += 1e-9;
  xp::Matrix before, after;
  in_single->forward(theta, setting.batch.inputs, before);
  in_single->forward(stepped, setting.batch.inputs, after);
  BOOST_TEST((before.array() == after.array()).all());
  in_double->forward(theta, setting.batch.inputs, before);
  in_double->forward(stepped, setting.batch.inputs, after);
  BOOST_TEST(!(before.array() == after.array()).all());
}

BOOST_AUTO_TEST_CASE(float_offers_no_backprop_and_no_shortcut) {
  const auto in_single = mlp("{" + kNetwork + ", precision: single}");
  const auto loss = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
  const Setting setting;
  const xp::Vector theta = setting.initial(*in_single);
  xp::Vector gradient;
  xp::ThreadPool pool(1);
  BOOST_TEST(!in_single->backprop(theta, setting.batch, *loss, gradient));
  BOOST_TEST(in_single->loss_differences(theta, setting.batch, *loss, xp::DifferenceSteps::any(),
                                         pool, xp::single_process()) == nullptr);
  // Finite differences still work, through full float evaluations, and land near
  // the double backprop (float rounding limits them to about 1e-3 at h = 1e-2).
  const auto in_double = mlp("{" + kNetwork + "}");
  xp::Vector exact;
  BOOST_TEST_REQUIRE(in_double->backprop(theta, setting.batch, *loss, exact));
  const xp::Objective objective(*in_single, *loss, setting.batch, pool);
  const auto central =
      xp::test::make<xp::GradientMethod>(PluginKind::gradient, "central_difference", "{h: 1e-2}");
  xp::Random random(xp::step_random_seed(42, 0));
  central->compute(objective, theta, {0, random}, gradient);
  BOOST_TEST((gradient - exact).cwiseAbs().maxCoeff() < 1e-3);
  BOOST_TEST((gradient - exact).cwiseAbs().maxCoeff() > 0.0);
}

BOOST_AUTO_TEST_CASE(double_is_the_default_and_changes_nothing) {
  const auto plain = mlp("{" + kNetwork + "}");
  const auto in_double = mlp("{" + kNetwork + ", precision: double}");
  const auto loss = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
  const Setting setting;
  const xp::Vector theta = setting.initial(*plain);
  xp::ThreadPool pool(1);
  xp::Matrix a, b;
  plain->forward(theta, setting.batch.inputs, a);
  in_double->forward(theta, setting.batch.inputs, b);
  BOOST_TEST((a.array() == b.array()).all());
  xp::Vector ga, gb;
  BOOST_TEST_REQUIRE(plain->backprop(theta, setting.batch, *loss, ga));
  BOOST_TEST_REQUIRE(in_double->backprop(theta, setting.batch, *loss, gb));
  BOOST_TEST((ga.array() == gb.array()).all());
  BOOST_TEST(in_double->loss_differences(theta, setting.batch, *loss, xp::DifferenceSteps::any(),
                                         pool, xp::single_process()) != nullptr);
  BOOST_TEST(xp::test::error_of([] { mlp("{precision: half}"); }).find("model.precision") !=
             std::string::npos);
}
