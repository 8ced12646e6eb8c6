// The chapter's network configs through the real `exp` binary (they need the mlp
// model plugin): simpleNet's gradient at the book's W, and TwoLayerNet's shapes.
#define BOOST_TEST_MODULE chapter network configs
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "exp_output.hpp"
#include "test_support.hpp"

namespace {

const std::string kConfigs = std::string(EXP_TEST_SOURCE_DIR) + "/configs/";
// The book's printed dW, 8 decimals.
const std::vector<double> kBookDW = {0.21924763, 0.14356247, -0.36281009,
                                     0.32887144, 0.2153437,  -0.54421514};

std::vector<double> simple_net_dW(const std::string& arguments) {
  const auto result = xp::test::run_exp("grad '" + kConfigs + "simple_net.yaml' " + arguments);
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  const auto dW = xp::test::printed_tensor(result.output, "W1");
  BOOST_TEST_REQUIRE(dW.size() == kBookDW.size(), result.output);
  return dW;
}

}  // namespace

BOOST_AUTO_TEST_CASE(simple_net_gradient_without_epsilon_is_the_books_dW) {
  for (const char* method : {"central_difference", "backprop"}) {
    const auto dW = simple_net_dW(std::string("loss.epsilon=0 --method ") + method);
    for (std::size_t i = 0; i < kBookDW.size(); ++i) {
      BOOST_TEST_CONTEXT(method << " dW[" << i << "]") {
        BOOST_TEST(std::abs(dW[i] - kBookDW[i]) < 5e-9);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(
    simple_net_gradient_with_the_books_epsilon_is_scaled_by_y_over_y_plus_epsilon) {
  // With -log(y_3 + 1e-7) every entry of dW is (y - t) x scaled by y_3 / (y_3 + 1e-7),
  // y_3 = 0.395 here: 2.5e-7 smaller, which is the 8th significant digit.
  for (const char* method : {"central_difference", "backprop"}) {
    const auto with = simple_net_dW(std::string("--method ") + method);
    const auto without = simple_net_dW(std::string("loss.epsilon=0 --method ") + method);
    for (std::size_t i = 0; i < kBookDW.size(); ++i) {
      BOOST_TEST_CONTEXT(method << " dW[" << i << "]") {
        const double shrink = 1.0 - with[i] / without[i];
        BOOST_TEST(shrink > 2.4e-7);
        BOOST_TEST(shrink < 2.6e-7);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(two_layer_net_has_the_books_shapes) {
  const auto result =
      xp::test::run_exp("grad '" + kConfigs + "two_layer_net_shapes.yaml' --method backprop");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(xp::test::printed_tensor(result.output, "W1").size() == 784u * 100u);
  BOOST_TEST(xp::test::printed_tensor(result.output, "b1").size() == 100u);
  BOOST_TEST(xp::test::printed_tensor(result.output, "W2").size() == 100u * 10u);
  BOOST_TEST(xp::test::printed_tensor(result.output, "b2").size() == 10u);
}

BOOST_AUTO_TEST_CASE(shapes_option_prints_numpy_shapes_as_the_book) {
  const auto result = xp::test::run_exp("grad '" + kConfigs + "two_layer_net_shapes.yaml' --shapes");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(result.output == "W1: (784, 100)\nb1: (100,)\nW2: (100, 10)\nb2: (10,)\n");
}

// The estimator study's configs (README, "Gradient estimators side by side") run on
// MNIST, each counting the loss evaluations its method costs per step on the book's
// 39,760 parameters, and measuring its gradient against backprop from step 0.
BOOST_AUTO_TEST_CASE(estimator_study_configs_run_and_count_their_evaluations) {
  constexpr std::size_t kParameters = 784 * 50 + 50 + 50 * 10 + 10;
  const std::vector<std::pair<std::string, std::size_t>> per_step = {
      {"central", 2 * kParameters}, {"forward", kParameters + 1},
      {"spsa_q1", 2},               {"spsa_q10", 20},
      {"random_direction_q1", 2},   {"random_direction_q10", 20},
      {"forward_gradient", 1},      {"backprop", 1},
      {"richardson", 0}};  // varies: at least two levels for every parameter
  const auto runs = xp::test::fresh_directory("exp-estimators");
  for (const auto& [name, evaluations] : per_step) {
    BOOST_TEST_CONTEXT(name) {
      const auto run = xp::test::run_experiment(
          runs, "'" + kConfigs + "estimators/" + name + ".yaml' train.iterations=3");
      BOOST_TEST_REQUIRE(run.status == 0, run.output);
      const std::string metrics = xp::test::read_file(run.dir / "metrics.csv");
      const auto first_row = metrics.substr(metrics.find('\n') + 1);
      const auto counted = std::stoull(first_row.substr(first_row.rfind(',', first_row.find('\n')) + 1));
      if (evaluations != 0) {
        BOOST_TEST(counted == evaluations);
      } else {
        BOOST_TEST(counted >= 4 * kParameters);
      }
      const std::string quality = xp::test::read_file(run.dir / "gradient_quality.csv");
      BOOST_TEST(quality.find("\n1,") != std::string::npos, quality);
    }
  }
}
