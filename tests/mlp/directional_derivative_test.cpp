// The mlp's forward mode (Model::directional_derivative) against backprop, and the
// forward_gradient plugin built on it: reproducible draws, unbiased on average,
// refused where there is no forward mode, and counted as what it costs.
// Tolerances, stated once: the tangent pass agrees with backprop . v to 1e-12 of
// sum_i |g_i v_i| (the size of the terms the dot product adds, so that cancellation
// in g . v does not make a rounding difference look large); the forward gradient's
// average over q directions lies within 5 standard errors of backprop (see below).
#define BOOST_TEST_MODULE mlp directional derivative
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "exp/error.hpp"
#include "network_setting.hpp"

using xp::PluginKind;
using xp::test::NetworkSetting;

namespace {

constexpr double kTangentTolerance = 1e-12;
constexpr std::uint64_t kSeed = 42;

std::shared_ptr<xp::Loss> loss(const std::string& name) {
  return xp::test::make<xp::Loss>(PluginKind::loss, name, "{}");
}

// The forward gradient of training step `step`, its draws from that step's stream.
xp::Vector forward_gradient(const NetworkSetting& setting, const std::string& yaml,
                            unsigned threads = 1, std::size_t step = 0) {
  xp::ThreadPool pool(threads);
  const xp::Objective objective(*setting.model, *setting.loss, setting.batch, pool);
  auto plugin = xp::test::make<xp::GradientMethod>(PluginKind::gradient, "forward_gradient", yaml);
  xp::Random random(xp::step_random_seed(kSeed, step));
  xp::Vector gradient;
  plugin->compute(objective, setting.theta, {step, random}, gradient);
  return gradient;
}

// 6 inputs, 5 hidden sigmoid units, 3 softmax outputs: 53 parameters.
NetworkSetting small_network() {
  return NetworkSetting("random", "{samples: 10, input_size: 6, output_size: 3}",
                        "{hidden: [5], weight_init_std: 0.5}", loss("cross_entropy"), 10);
}

}  // namespace

BOOST_AUTO_TEST_CASE(tangent_pass_is_backprop_dotted_with_the_direction) {
  // Random inputs and soft targets; every activation, both output functions with
  // their losses, with and without bias, no, one and two hidden layers.
  const std::string data = "{samples: 16, input_size: 12, output_size: 4}";
  for (const std::string hidden : {"[]", "[6]", "[7, 5]"}) {
    for (const std::string activation : {"sigmoid", "relu", "tanh"}) {
      for (const std::string bias : {"true", "false"}) {
        for (const std::string output_loss :
             {"softmax cross_entropy", "softmax mse", "identity mse"}) {
          const auto space = output_loss.find(' ');
          const std::string model =
              "{hidden: " + hidden + ", activation: " + activation + ", bias: " + bias +
              ", output: " + output_loss.substr(0, space) + ", weight_init_std: 0.4}";
          BOOST_TEST_CONTEXT(model << " " << output_loss) {
            const NetworkSetting setting("random", data, model, loss(output_loss.substr(space + 1)),
                                         16);
            const xp::Vector exact = setting.gradient("backprop");
            xp::Random random(7);
            for (int draw = 0; draw < 3; ++draw) {
              xp::Vector v(exact.size());
              for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = random.normal();
              double derivative = 0.0;
              BOOST_TEST_REQUIRE(setting.model->directional_derivative(
                  setting.theta, setting.batch, *setting.loss, v, derivative));
              const double scale = (exact.array() * v.array()).abs().sum();
              BOOST_TEST(std::abs(derivative - exact.dot(v)) <= kTangentTolerance * scale);
            }
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(forward_gradient_draws_its_directions_from_the_step_alone) {
  const NetworkSetting setting = small_network();
  // q = 13 is not a multiple of the directions run at once (4 per thread): the
  // chunks differ between 1, 2 and 3 threads, the bits do not.
  const xp::Vector one = forward_gradient(setting, "{q: 13}", 1);
  BOOST_TEST((one.array() == forward_gradient(setting, "{q: 13}", 2).array()).all());
  BOOST_TEST((one.array() == forward_gradient(setting, "{q: 13}", 3).array()).all());
  BOOST_TEST((one.array() == forward_gradient(setting, "{q: 13}", 1).array()).all());
  // Another step draws other directions.
  const xp::Vector later = forward_gradient(setting, "{q: 13}", 1, 1);
  BOOST_TEST((one.array() != later.array()).any());
  // The draws are the step's normals in parameter order, direction after direction:
  // the same mean of (g . v) v from backprop, each term within the tangent tolerance
  // of g . v times |v_i| (twice that, for the rounding of the sums).
  const xp::Vector exact = setting.gradient("backprop");
  xp::Random random(xp::step_random_seed(kSeed, 0));
  xp::Vector expected = xp::Vector::Zero(exact.size());
  xp::Vector bound = xp::Vector::Zero(exact.size());
  for (int j = 0; j < 13; ++j) {
    xp::Vector v(exact.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = random.normal();
    expected += exact.dot(v) * v;
    bound += 2 * kTangentTolerance * (exact.array() * v.array()).abs().sum() * v.cwiseAbs();
  }
  expected /= 13.0;
  bound /= 13.0;
  BOOST_TEST(((one - expected).cwiseAbs().array() <= bound.array()).all());
}

BOOST_AUTO_TEST_CASE(forward_gradient_averages_to_backprop) {
  // Component i of (g . v) v has mean g_i and variance |g|^2 + g_i^2 (v ~ N(0, I):
  // E[v_i^2 v_j^2] is 3 for i = j, 1 otherwise), so the mean over q directions has
  // standard error sqrt((|g|^2 + g_i^2) / q): every component is asked to lie within
  // 5 of them (a chance of ~6e-7 each to fail for a correct estimator, ~3e-5 for all
  // 53; the seed is fixed, so the outcome is too).
  const NetworkSetting setting = small_network();
  const xp::Vector g = setting.gradient("backprop");
  const double q = 4000;
  const xp::Vector estimate = forward_gradient(setting, "{q: 4000}", 2);
  const double n = double(g.size());
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    const double standard_error = std::sqrt((g.squaredNorm() + g[i] * g[i]) / q);
    BOOST_TEST_CONTEXT("parameter " << i) {
      BOOST_TEST(std::abs(estimate[i] - g[i]) <= 5 * standard_error);
    }
  }
  // Summed over components, E|estimate - g|^2 = (n + 1) |g|^2 / q. Allowing 4 times
  // that, |e| <= r |g| with r^2 = 4 (n + 1) / q, and the angle between g and g + e
  // is then at most asin(r): cosine >= sqrt(1 - r^2) (0.973 here).
  const double r2 = 4 * (n + 1) / q;
  BOOST_TEST((estimate - g).squaredNorm() <= r2 * g.squaredNorm());
  const double cosine = estimate.dot(g) / (estimate.norm() * g.norm());
  BOOST_TEST(cosine >= std::sqrt(1 - r2));
}

BOOST_AUTO_TEST_CASE(forward_gradient_is_counted_as_q_tangent_passes) {
  const NetworkSetting setting = small_network();
  xp::ThreadPool pool(2);
  const xp::Objective objective(*setting.model, *setting.loss, setting.batch, pool);
  auto plugin =
      xp::test::make<xp::GradientMethod>(PluginKind::gradient, "forward_gradient", "{q: 3}");
  xp::Random random(xp::step_random_seed(kSeed, 0));
  xp::Vector gradient;
  plugin->compute(objective, setting.theta, {0, random}, gradient);
  const xp::EvaluationCounts counts = objective.counts();
  BOOST_TEST(counts.evaluations == 3u);
  BOOST_TEST(counts.forward_passes == 3u);
  BOOST_TEST(counts.derivative_passes == 3u);
}

BOOST_AUTO_TEST_CASE(forward_gradient_refuses_a_model_without_forward_mode,
                     *boost::unit_test::label("fault_config")) {
  // In single precision the mlp offers only its forward pass.
  const NetworkSetting setting("random", "{samples: 4, input_size: 3, output_size: 2}",
                               "{hidden: [2], precision: single}", loss("cross_entropy"), 4);
  BOOST_TEST(xp::test::error_of([&] { forward_gradient(setting, "{q: 2}", 2); }) ==
             "gradient 'forward_gradient': the model or the loss has no forward-mode directional "
             "derivative (Model::directional_derivative); use central_difference or "
             "forward_difference, or backprop where the model has a backward pass");
  BOOST_TEST(xp::test::error_of([] {
               xp::test::make<xp::GradientMethod>(PluginKind::gradient, "forward_gradient",
                                                  "{q: 0}");
             }).find("gradient.q") != std::string::npos);
}
