// The gradient methods and the polynomial test function through the loader: error
// orders of forward and central differences, backprop as the reference, thread
// independence, and the polynomial's own behaviour.
#define BOOST_TEST_MODULE gradient methods
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "chapter_support.hpp"

using xp::test::error_of;

using xp::PluginKind;
using xp::test::FunctionSetting;
namespace tt = boost::test_tools;

namespace {

// |numerical - exact| of f(x) = x^3 + x^2 at x = 1 (f' = 5) with step h.
double error_at(const std::string& method, const std::string& h) {
  FunctionSetting setting("{coefficients: [0, 0, 1, 1], start: [1.0]}");
  return std::abs(setting.gradient(method, "{h: " + h + "}")[0] - 5.0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(forward_difference_error_is_first_order_central_second_order) {
  // Forward: error = h f''/2 + ... = 4h: ten times smaller h, ten times smaller error.
  const double forward_ratio =
      error_at("forward_difference", "1.0e-2") / error_at("forward_difference", "1.0e-3");
  BOOST_TEST(forward_ratio > 9.0);
  BOOST_TEST(forward_ratio < 11.0);
  // Central: error = h^2 f'''/6 = h^2: ten times smaller h, a hundred times smaller error.
  const double central_ratio =
      error_at("central_difference", "1.0e-2") / error_at("central_difference", "1.0e-3");
  BOOST_TEST(central_ratio > 90.0);
  BOOST_TEST(central_ratio < 110.0);
  BOOST_TEST(error_at("forward_difference", "1.0e-3") == 4e-3, tt::tolerance(1e-3));
  BOOST_TEST(error_at("central_difference", "1.0e-3") == 1e-6, tt::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(forward_difference_of_function_1_has_the_expected_bias) {
  // 0.01 x^2 + 0.1 x at 5: (f(5 + h) - f(5)) / h = 0.2 + 0.01 h exactly in real numbers.
  FunctionSetting setting("{coefficients: [0, 0.1, 0.01], start: [5]}");
  BOOST_TEST(setting.gradient("forward_difference", "{h: 0.5}")[0] == 0.205, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(backprop_is_the_analytic_derivative) {
  // f = 0.5 x^2 + 2 x^3 summed over (1, -2, 0.5): f'(x) = x + 6 x^2.
  FunctionSetting setting("{coefficients: [7, 0, 0.5, 2], start: [1.0, -2.0, 0.5]}");
  const auto exact = setting.gradient("backprop");
  BOOST_TEST(exact[0] == 7.0);
  BOOST_TEST(exact[1] == 22.0);
  BOOST_TEST(exact[2] == 2.0);
  const auto central = setting.gradient("central_difference");
  for (Eigen::Index i = 0; i < 3; ++i) BOOST_TEST(central[i] == exact[i], tt::tolerance(1e-8));
}

BOOST_AUTO_TEST_CASE(backprop_refuses_a_loss_without_a_derivative,
                     *boost::unit_test::label("fault_config")) {
  FunctionSetting setting("{start: [1.0]}");
  xp::PluginRegistry registry({EXP_PARTS_TEST_PLUGIN_DIR});
  const auto& plugin = registry.find(PluginKind::loss, "without_gradient");
  auto loss = xp::PluginRegistry::create<xp::Loss>(plugin, {});
  const xp::Objective objective(*setting.model, *loss, setting.batch, setting.pool);
  auto backprop = xp::test::make<xp::GradientMethod>(PluginKind::gradient, "backprop");
  xp::Vector gradient;
  xp::Random random(xp::step_random_seed(42, 0));
  BOOST_TEST(error_of([&] { backprop->compute(objective, setting.theta, {0, random}, gradient); }) ==
             "gradient 'backprop': the model or the loss has no analytic gradient; use "
             "central_difference or forward_difference");
  // The finite differences need no derivative: d(x^2)^2/dx = 4 x^3 = 4 at 1.
  auto central = xp::test::make<xp::GradientMethod>(PluginKind::gradient, "central_difference");
  central->compute(objective, setting.theta, {0, random}, gradient);
  BOOST_TEST(gradient[0] == 4.0, tt::tolerance(1e-7));
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_number_of_threads) {
  const std::string model =
      "{coefficients: [1, -0.5, 0.25, 0.125], start: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]}";
  for (const char* method : {"central_difference", "forward_difference"}) {
    const auto one = FunctionSetting(model, 1).gradient(method, "{strategy: naive}");
    const auto three = FunctionSetting(model, 3).gradient(method, "{strategy: naive}");
    for (Eigen::Index i = 0; i < one.size(); ++i) BOOST_TEST(one[i] == three[i]);
  }
}

BOOST_AUTO_TEST_CASE(finite_difference_parameters_are_checked,
                     *boost::unit_test::label("fault_config")) {
  BOOST_TEST(error_of([] {
               xp::test::make<xp::GradientMethod>(PluginKind::gradient, "central_difference",
                                                  "{h: 0}");
             }).find("gradient.h") != std::string::npos);
  BOOST_TEST(error_of([] {
               xp::test::make<xp::GradientMethod>(PluginKind::gradient, "forward_difference",
                                                  "{strategy: slow}");
             }).find("gradient.strategy") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(polynomial_is_a_function_of_its_parameters) {
  FunctionSetting setting("{coefficients: [1, 0, 1], start: [3.0, 4.0]}");
  const auto& tensors = setting.model->layout().tensors();
  BOOST_TEST(tensors.size() == 1u);
  BOOST_TEST(tensors[0].name == "x");
  BOOST_TEST(tensors[0].is_vector);
  BOOST_TEST(tensors[0].rows == 1u);
  BOOST_TEST(tensors[0].cols == 2u);
  BOOST_TEST(setting.theta[0] == 3.0);
  BOOST_TEST(setting.theta[1] == 4.0);
  // (1 + 9) + (1 + 16), once per batch row, whatever the inputs.
  xp::Matrix inputs = xp::Matrix::Ones(3, 5), outputs;
  setting.model->forward(setting.theta, inputs, outputs);
  BOOST_TEST(outputs.rows() == 3);
  BOOST_TEST(outputs.cols() == 1);
  for (Eigen::Index n = 0; n < 3; ++n) BOOST_TEST(outputs(n, 0) == 27.0);
  BOOST_TEST(setting.objective().loss(setting.theta) == 27.0);
}

BOOST_AUTO_TEST_CASE(polynomial_needs_coefficients_and_a_start,
                     *boost::unit_test::label("fault_config")) {
  BOOST_TEST(error_of([] { FunctionSetting("{coefficients: []}"); }) ==
             "<test>:1:16: model.coefficients: expected at least one coefficient (c_0)");
  BOOST_TEST(error_of([] { FunctionSetting("{start: []}"); }) ==
             "<test>:1:9: model.start: expected at least one value (the number of variables)");
}
