// The random-direction estimators (spsa, random_direction) through the loader, on
// the polynomial test function: unbiased on a quadratic within a stated statistical
// tolerance, SPSA's gain schedule, draws that depend on the step alone (not on the
// threads), and their cost in loss evaluations.
#define BOOST_TEST_MODULE gradient estimators
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>

#include "chapter_support.hpp"

using xp::PluginKind;
using xp::test::FunctionSetting;
namespace tt = boost::test_tools;

namespace {

// f(x) = sum_i x_i^2 at x: gradient 2x, and every difference quotient along a
// direction u, (f(x + cu) - f(x - cu)) / 2c, is exactly grad f . u.
const std::string kQuadratic = "{coefficients: [0, 0, 1], start: [1.0, -2.0, 3.0, 0.5, -1.5]}";

xp::Vector estimate(FunctionSetting& setting, const std::string& method, const std::string& yaml,
                    std::size_t step = 0, xp::EvaluationCounts* counts = nullptr) {
  auto plugin = xp::test::make<xp::GradientMethod>(PluginKind::gradient, method, yaml);
  const xp::Objective objective = setting.objective();
  xp::Random random(xp::step_random_seed(42, step));
  xp::Vector gradient;
  plugin->compute(objective, setting.theta, {step, random}, gradient);
  if (counts) *counts = objective.counts();
  return gradient;
}

// The mean of q estimates lies within 5 standard errors of the true gradient g in
// every component, where variance_i is one estimate's variance of component i: a
// failure rate below 1e-6 per component for a correct estimator, while a biased one
// (off by more than 5 sqrt(variance_i / q)) fails.
void check_unbiased(const xp::Vector& mean, const xp::Vector& g, std::size_t q,
                    const std::function<double(Eigen::Index)>& variance) {
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    const double standard_error = std::sqrt(variance(i) / double(q));
    BOOST_TEST(standard_error > 0.0);
    BOOST_TEST(std::abs(mean[i] - g[i]) < 5.0 * standard_error,
               "component " << i << ": mean " << mean[i] << ", true " << g[i] << ", 5 SE "
                            << 5.0 * standard_error);
  }
}

constexpr std::size_t kDraws = 40000;

}  // namespace

BOOST_AUTO_TEST_CASE(spsa_averages_to_the_gradient_of_a_quadratic) {
  FunctionSetting setting(kQuadratic);
  const xp::Vector g = 2.0 * setting.theta;
  const xp::Vector mean = estimate(setting, "spsa", "{q: " + std::to_string(kDraws) + "}");
  // Component i of (g . D) D is g_i + sum_{j != i} g_j D_j D_i: variance sum_{j != i} g_j^2.
  check_unbiased(mean, g, kDraws, [&](Eigen::Index i) { return g.squaredNorm() - g[i] * g[i]; });
  // One direction is not the gradient: the test above measures an average.
  BOOST_TEST((estimate(setting, "spsa", "{q: 1}") - g).norm() > 0.1 * g.norm());
}

BOOST_AUTO_TEST_CASE(gaussian_smoothing_averages_to_the_gradient_one_and_two_sided) {
  FunctionSetting setting(kQuadratic);
  const xp::Vector g = 2.0 * setting.theta;
  const std::string q = "q: " + std::to_string(kDraws);
  // Component i of (g . u) u for u ~ N(0, I): variance |g|^2 + g_i^2. One-sided adds
  // mu |u|^2 u_i, of mean zero (odd in u) and variance O(mu^2 P): negligible here.
  const auto variance = [&](Eigen::Index i) { return g.squaredNorm() + g[i] * g[i]; };
  check_unbiased(estimate(setting, "random_direction", "{" + q + "}"), g, kDraws, variance);
  check_unbiased(estimate(setting, "random_direction", "{sided: one, " + q + "}"), g, kDraws,
                 variance);
  // On the unit sphere, scaled by P: variance at most P / (P + 2) (|g|^2 + 2 g_i^2).
  const double p = double(g.size());
  check_unbiased(
      estimate(setting, "random_direction", "{directions: sphere, " + q + "}"), g, kDraws,
      [&](Eigen::Index i) { return p / (p + 2.0) * (g.squaredNorm() + 2.0 * g[i] * g[i]); });
}

BOOST_AUTO_TEST_CASE(spsa_gain_schedule_shrinks_the_perturbation_with_the_step) {
  // f(x) = x^3 at 1: along D = +-1 the quotient is (f(1 + c) - f(1 - c)) / 2c = 3 + c^2
  // whichever sign D takes, so the estimate shows c_k = c / (k + 1)^gamma exactly.
  FunctionSetting setting("{coefficients: [0, 0, 0, 1], start: [1.0]}");
  const std::string yaml = "{c: 0.1, gamma: 1.0}";
  BOOST_TEST(estimate(setting, "spsa", yaml, 0)[0] == 3.0 + 1e-2, tt::tolerance(1e-12));
  BOOST_TEST(estimate(setting, "spsa", yaml, 99)[0] == 3.0 + 1e-6, tt::tolerance(1e-9));
  // gamma 0 (the default) keeps c.
  BOOST_TEST(estimate(setting, "spsa", "{c: 0.1}", 99)[0] == 3.0 + 1e-2, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(draws_depend_on_the_seed_and_step_alone_not_on_the_threads) {
  for (const std::string method : {"spsa", "random_direction"}) {
    FunctionSetting one_thread(kQuadratic, 1);
    FunctionSetting two_threads(kQuadratic, 2);
    const xp::Vector first = estimate(one_thread, method, "{q: 7}", 3);
    BOOST_TEST((first.array() == estimate(two_threads, method, "{q: 7}", 3).array()).all(), method);
    BOOST_TEST((first.array() == estimate(one_thread, method, "{q: 7}", 3).array()).all(), method);
    BOOST_TEST((first.array() != estimate(one_thread, method, "{q: 7}", 4).array()).any(), method);
  }
}

BOOST_AUTO_TEST_CASE(each_direction_costs_two_loss_evaluations_or_one_plus_the_base) {
  FunctionSetting setting(kQuadratic);
  xp::EvaluationCounts counts;
  estimate(setting, "spsa", "{q: 3}", 0, &counts);
  BOOST_TEST(counts.evaluations == 6u);
  BOOST_TEST(counts.forward_passes == 6u);
  BOOST_TEST(counts.derivative_passes == 0u);
  estimate(setting, "random_direction", "{q: 3, sided: one}", 0, &counts);
  BOOST_TEST(counts.evaluations == 4u);
  BOOST_TEST(counts.forward_passes == 4u);
}
