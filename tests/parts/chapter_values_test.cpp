// The chapter's printed values, reproduced bit for bit through the real plugins
// (DESIGN.md, "Reference numbers"): numerical_diff, numerical_gradient and
// gradient_descent with the three learning rates.
#define BOOST_TEST_MODULE chapter values
#include <boost/test/unit_test.hpp>

#include "chapter_support.hpp"
#include "exp/optimizer.hpp"

using xp::PluginKind;
using xp::test::FunctionSetting;

namespace {

constexpr const char* kFunction1 = "coefficients: [0, 0.1, 0.01]";  // 0.01*x**2 + 0.1*x
constexpr const char* kFunction2 = "coefficients: [0, 0, 1]";       // x[0]**2 + x[1]**2

std::string model(const char* function, const std::string& start) {
  return std::string("{") + function + ", start: " + start + "}";
}

// The book's gradient_descent: step_num times x -= lr * numerical_gradient(f, x).
xp::Vector gradient_descent(const std::string& lr) {
  FunctionSetting setting(model(kFunction2, "[-3.0, 4.0]"));
  auto method = xp::test::make<xp::GradientMethod>(PluginKind::gradient, "central_difference",
                                                   "{h: 1.0e-4, strategy: naive}");
  auto sgd = xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lr: " + lr + "}");
  const auto objective = setting.objective();
  xp::Vector gradient;
  for (int step = 0; step < 100; ++step) {
    xp::Random random(xp::step_random_seed(42, std::size_t(step)));
    method->compute(objective, setting.theta, {std::size_t(step), random}, gradient);
    sgd->step(setting.theta, gradient);
  }
  return setting.theta;
}

}  // namespace

BOOST_AUTO_TEST_CASE(numerical_diff_of_function_1_at_5_and_10) {
  for (const char* strategy : {"naive", "fast"}) {
    const std::string yaml = std::string("{strategy: ") + strategy + "}";
    BOOST_TEST(FunctionSetting(model(kFunction1, "[5]")).gradient("central_difference", yaml)[0] ==
               0.1999999999990898);
    BOOST_TEST(FunctionSetting(model(kFunction1, "[10]")).gradient("central_difference", yaml)[0] ==
               0.2999999999986347);
  }
}

BOOST_AUTO_TEST_CASE(numerical_gradient_of_function_2) {
  const auto at_3_4 =
      FunctionSetting(model(kFunction2, "[3.0, 4.0]")).gradient("central_difference");
  BOOST_TEST(at_3_4[0] == 6.00000000000378);
  BOOST_TEST(at_3_4[1] == 7.999999999999119);
  const auto at_0_2 =
      FunctionSetting(model(kFunction2, "[0.0, 2.0]")).gradient("central_difference");
  BOOST_TEST(at_0_2[0] == 0.0);
  BOOST_TEST(at_0_2[1] == 4.000000000004);
  const auto at_3_0 =
      FunctionSetting(model(kFunction2, "[3.0, 0.0]")).gradient("central_difference");
  BOOST_TEST(at_3_0[0] == 6.000000000012662);
  BOOST_TEST(at_3_0[1] == 0.0);
}

BOOST_AUTO_TEST_CASE(gradient_descent_with_learning_rate_0_1_reaches_the_minimum) {
  const auto x = gradient_descent("0.1");
  BOOST_TEST(x[0] == -6.111107928998789e-10);
  BOOST_TEST(x[1] == 8.148143905314271e-10);
}

BOOST_AUTO_TEST_CASE(gradient_descent_with_learning_rate_10_diverges) {
  const auto x = gradient_descent("10.0");
  BOOST_TEST(x[0] == -25898374737328.363);
  BOOST_TEST(x[1] == -1295248616896.5398);
}

BOOST_AUTO_TEST_CASE(gradient_descent_with_learning_rate_1e_10_hardly_moves) {
  const auto x = gradient_descent("1.0e-10");
  BOOST_TEST(x[0] == -2.999999939999995);
  BOOST_TEST(x[1] == 3.9999999199999934);
}
