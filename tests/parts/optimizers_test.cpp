// The optimizers through the loader, against steps computed by hand from the book's
// update rules (common/optimizer.py), with the book's defaults, and their state
// saved and restored mid-run.
#define BOOST_TEST_MODULE optimizers
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "exp/optimizer.hpp"
#include "test_support.hpp"

using xp::test::error_of;

using xp::PluginKind;
namespace tt = boost::test_tools;

namespace {

std::shared_ptr<xp::Optimizer> optimizer(const std::string& name, const std::string& yaml = "{}") {
  return xp::test::make<xp::Optimizer>(PluginKind::optimizer, name, yaml);
}

xp::Vector vector(std::initializer_list<double> values) {
  xp::Vector v(Eigen::Index(values.size()));
  Eigen::Index i = 0;
  for (double value : values) v[i++] = value;
  return v;
}

}  // namespace

BOOST_AUTO_TEST_CASE(momentum_accumulates_velocity) {
  auto momentum = optimizer("momentum", "{lr: 0.1, momentum: 0.5}");
  xp::Vector theta = vector({1.0, -1.0});
  momentum->step(theta, vector({2.0, 4.0}));  // v = (-0.2, -0.4)
  BOOST_TEST(theta[0] == 0.8, tt::tolerance(1e-15));
  BOOST_TEST(theta[1] == -1.4, tt::tolerance(1e-15));
  momentum->step(theta, vector({2.0, 0.0}));  // v = 0.5 v - 0.1 g = (-0.3, -0.2)
  BOOST_TEST(theta[0] == 0.5, tt::tolerance(1e-15));
  BOOST_TEST(theta[1] == -1.6, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(momentum_defaults_are_the_books) {
  auto momentum = optimizer("momentum");  // lr 0.01, momentum 0.9
  xp::Vector theta = vector({0.0});
  momentum->step(theta, vector({1.0}));  // v = -0.01
  momentum->step(theta, vector({1.0}));  // v = -0.009 - 0.01 = -0.019
  BOOST_TEST(theta[0] == -0.029, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(nesterov_looks_ahead) {
  auto nesterov = optimizer("nesterov", "{lr: 0.1, momentum: 0.5}");
  xp::Vector theta = vector({1.0});
  // v = 0.5*0 - 0.1*2 = -0.2; theta += 0.25 * -0.2; theta -= 1.5 * 0.1 * 2  ->  1 - 0.05 - 0.3
  nesterov->step(theta, vector({2.0}));
  BOOST_TEST(theta[0] == 0.65, tt::tolerance(1e-15));
  // v = -0.1 - 0.2 = -0.3; theta += 0.25 * -0.3; theta -= 0.3  ->  0.65 - 0.075 - 0.3
  nesterov->step(theta, vector({2.0}));
  BOOST_TEST(theta[0] == 0.275, tt::tolerance(1e-14));
  auto defaults = optimizer("nesterov");  // lr 0.01, momentum 0.9: -0.81*0.01 - 1.9*0.01
  xp::Vector zero = vector({0.0});
  defaults->step(zero, vector({1.0}));
  BOOST_TEST(zero[0] == -0.0271, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(adagrad_divides_by_the_root_of_the_summed_squares) {
  auto adagrad = optimizer("adagrad", "{lr: 0.5}");
  xp::Vector theta = vector({1.0});
  adagrad->step(theta, vector({3.0}));  // h = 9: theta -= 0.5 * 3 / (3 + 1e-7)
  BOOST_TEST(theta[0] == 1.0 - 1.5 / (3.0 + 1e-7), tt::tolerance(1e-15));
  adagrad->step(theta, vector({4.0}));  // h = 25: theta -= 0.5 * 4 / (5 + 1e-7)
  BOOST_TEST(theta[0] == 1.0 - 1.5 / (3.0 + 1e-7) - 2.0 / (5.0 + 1e-7), tt::tolerance(1e-15));
  auto defaults = optimizer("adagrad");  // lr 0.01
  xp::Vector zero = vector({0.0});
  defaults->step(zero, vector({2.0}));
  BOOST_TEST(zero[0] == -0.02 / (2.0 + 1e-7), tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(rmsprop_keeps_a_decaying_average_of_squares) {
  auto rmsprop = optimizer("rmsprop", "{lr: 0.1, decay_rate: 0.75}");
  xp::Vector theta = vector({0.0});
  rmsprop->step(theta, vector({2.0}));  // h = 0.25 * 4 = 1: theta -= 0.2 / (1 + 1e-7)
  BOOST_TEST(theta[0] == -0.2 / (1.0 + 1e-7), tt::tolerance(1e-15));
  rmsprop->step(theta, vector({4.0}));  // h = 0.75 + 0.25 * 16 = 4.75
  BOOST_TEST(theta[0] == -0.2 / (1.0 + 1e-7) - 0.4 / (std::sqrt(4.75) + 1e-7),
             tt::tolerance(1e-15));
  auto defaults = optimizer("rmsprop");  // lr 0.01, decay 0.99: h = 0.01 * 100 = 1
  xp::Vector zero = vector({0.0});
  defaults->step(zero, vector({10.0}));
  BOOST_TEST(zero[0] == -0.1 / (1.0 + 1e-7), tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(adam_follows_the_books_bias_corrected_step) {
  auto adam = optimizer("adam");  // lr 0.001, beta1 0.9, beta2 0.999
  xp::Vector theta = vector({0.0});
  adam->step(theta, vector({1.0}));
  // t = 1: lr_t = 0.001 * sqrt(0.001) / 0.1; m = 0.1; v = 0.001.
  const double step1 = 0.001 * std::sqrt(0.001) / 0.1 * 0.1 / (std::sqrt(0.001) + 1e-7);
  BOOST_TEST(theta[0] == -step1, tt::tolerance(1e-14));
  BOOST_TEST(std::abs(theta[0] + 0.001) < 1e-8);  // Adam's first step is about lr
  adam->step(theta, vector({-1.0}));
  // t = 2: lr_t = 0.001 * sqrt(1 - 0.999^2) / (1 - 0.81); m = 0.09 - 0.1 = -0.01;
  // v = 0.000999 + 0.001 = 0.001999.
  const double lr_t = 0.001 * std::sqrt(1 - 0.998001) / 0.19;
  const double step2 = lr_t * -0.01 / (std::sqrt(0.001999) + 1e-7);
  BOOST_TEST(theta[0] == -step1 - step2, tt::tolerance(1e-13));
  const auto state = adam->state();
  BOOST_TEST(state.size() == 3u);
  BOOST_TEST(state[2].first == "t");
  BOOST_TEST(state[2].second[0] == 2.0);
}

BOOST_AUTO_TEST_CASE(restored_state_continues_the_same_run) {
  const xp::Vector g1 = vector({0.5, -2.0, 3.0}), g2 = vector({-1.0, 0.25, 2.0}),
                   g3 = vector({4.0, 1.0, -0.5});
  for (const char* name : {"momentum", "nesterov", "adagrad", "rmsprop", "adam"}) {
    BOOST_TEST_CONTEXT(name) {
      auto original = optimizer(name, "{lr: 0.1}");
      xp::Vector theta = vector({1.0, 2.0, 3.0});
      original->step(theta, g1);
      original->step(theta, g2);
      const auto saved = original->state();
      const xp::Vector before_last_step = theta;
      xp::Vector resumed_theta = theta;
      original->step(theta, g3);

      auto resumed = optimizer(name, "{lr: 0.1}");
      resumed->restore(saved);
      resumed->step(resumed_theta, g3);
      for (Eigen::Index i = 0; i < 3; ++i) BOOST_TEST(resumed_theta[i] == theta[i]);

      // Without the state the same step lands elsewhere: the state mattered.
      auto fresh = optimizer(name, "{lr: 0.1}");
      xp::Vector fresh_theta = before_last_step;
      fresh->step(fresh_theta, g3);
      BOOST_TEST(fresh_theta[0] != theta[0]);
    }
  }
}

BOOST_AUTO_TEST_CASE(state_of_another_optimizer_or_size_is_refused,
                     *boost::unit_test::label("fault_checkpoint")) {
  auto adam = optimizer("adam");
  BOOST_TEST(error_of([&] {
               adam->restore({{"v", vector({1.0})}});
             }) == "adam optimizer: saved state has no 't' (found: v)");
  auto momentum = optimizer("momentum");
  momentum->restore({{"v", vector({1.0, 2.0})}});
  xp::Vector theta = vector({1.0, 2.0, 3.0});
  BOOST_TEST(error_of([&] { momentum->step(theta, theta); }) ==
             "momentum optimizer: state 'v' has 2 values, the parameters 3");
}

BOOST_AUTO_TEST_CASE(hyper_parameters_are_range_checked, *boost::unit_test::label("fault_config")) {
  BOOST_TEST(error_of([] {
               optimizer("momentum", "{momentum: 1.5}");
             }).find("optimizer.momentum") != std::string::npos);
  BOOST_TEST(error_of([] { optimizer("adam", "{beta2: 1.0}"); }).find("optimizer.beta2") !=
             std::string::npos);
  BOOST_TEST(error_of([] { optimizer("rmsprop", "{lr: 0}"); }).find("optimizer.lr") !=
             std::string::npos);
}
