// The richardson gradient plugin (Richardson extrapolation of central differences,
// Ridders' error estimate) through the loader: the error order per extrapolation,
// the accuracy it reaches from a step where the plain central difference is poor,
// the loss evaluations its first comment promises, thread independence, and, where
// the mlp is built, fast against naive on a small network.
//
// Test function: the degree-20 Taylor polynomial of exp, f(x) = sum_{k<=20} x^k / k!.
// At x = 1 every derivative up to well past the 7th is e (to 1e-11), so the error
// term each extrapolation leaves is visible and known: with shrink t = 2, n levels
// leave (relative to f')
//   n = 1: h^2 / 3! = h^2 / 6
//   n = 2: h^4 / 5! x 1/4 = h^4 / 480            (the h^4 term times (4/16 - 1)/3)
//   n = 3: h^6 / 7! x 1/64 = h^6 / 322560         (times (4/64 - 1)/3 and (16/64 - 1)/15)
// Tolerances, stated once: those leading terms and their ratios at h and h/2 within
// 3 % (the next term is below 1 % at h = 0.4); full extrapolation 1e-12 relative
// (1e-12 times max(1, max |g|) for several variables); fast against naive on the
// network 1e-10 times max(1, max |g|).
#define BOOST_TEST_MODULE richardson
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <iomanip>
#include <limits>
#include <numeric>
#include <sstream>

#include "chapter_support.hpp"

using xp::PluginKind;
using xp::test::error_of;
using xp::test::FunctionSetting;

namespace {

constexpr double kLeadingTermTolerance = 0.03;
constexpr double kExtrapolatedTolerance = 1e-12;
constexpr double kFastNaiveTolerance = 1e-10;

// The polynomial model's parameters for exp's Taylor polynomial at `start`.
std::string exp_polynomial(const std::string& start) {
  std::ostringstream yaml;
  yaml << std::setprecision(17) << "{coefficients: [";
  double coefficient = 1.0;
  for (int k = 0; k <= 20; ++k) {
    if (k > 0) coefficient /= k;
    yaml << (k > 0 ? ", " : "") << coefficient;
  }
  yaml << "], start: " << start << "}";
  return yaml.str();
}

// max_i |g_i - exact_i| / |exact_i| against backprop (the analytic derivative).
double relative_error(FunctionSetting& setting, const std::string& method,
                      const std::string& yaml) {
  const auto exact = setting.gradient("backprop");
  const auto estimate = setting.gradient(method, yaml);
  return ((estimate - exact).array() / exact.array()).abs().maxCoeff();
}

// Runs `method` on a fresh Objective and returns the loss evaluations it counted.
std::uint64_t evaluations(const FunctionSetting& setting, const std::string& method,
                          const std::string& yaml, xp::Vector& gradient) {
  const xp::Objective objective = setting.objective();
  auto plugin = xp::test::make<xp::GradientMethod>(PluginKind::gradient, method, yaml);
  xp::Random random(xp::step_random_seed(42, 0));
  plugin->compute(objective, setting.theta, {0, random}, gradient);
  return objective.counts().evaluations;
}

std::string options(double h, int extrapolations, const std::string& more = "") {
  std::ostringstream yaml;
  yaml << std::setprecision(17) << "{h: " << h << ", extrapolations: " << extrapolations
       << ", epsilon: 0" << more << "}";
  return yaml.str();
}

}  // namespace

BOOST_AUTO_TEST_CASE(each_extrapolation_raises_the_error_order_by_two) {
  FunctionSetting setting(exp_polynomial("[1.0]"));
  const double h = 0.4;
  const double leading[] = {h * h / 6, std::pow(h, 4) / 480, std::pow(h, 6) / 322560};
  double previous = std::numeric_limits<double>::infinity();
  for (int n = 1; n <= 3; ++n) {
    BOOST_TEST_CONTEXT("extrapolations " << n) {
      const double coarse = relative_error(setting, "richardson", options(h, n));
      const double fine = relative_error(setting, "richardson", options(h / 2, n));
      BOOST_TEST_MESSAGE("levels " << n << ": relative error " << coarse << " at h = " << h << ", "
                                   << fine << " at h/2, ratio " << coarse / fine);
      // O(h^2n): halving h divides the error by 4^n.
      BOOST_TEST(std::abs(coarse / fine / std::pow(4.0, n) - 1.0) <= kLeadingTermTolerance);
      BOOST_TEST(std::abs(coarse / leading[n - 1] - 1.0) <= kLeadingTermTolerance);
      BOOST_TEST(coarse < previous / 100);  // each level gains orders of magnitude here
      previous = coarse;
    }
  }
  // One level is the plain central difference, up to the denominator (the actual
  // span of the points: exactly 2h for a binary step at x = 1).
  BOOST_TEST(setting.gradient("richardson", options(0.5, 1))[0] ==
             setting.gradient("central_difference", "{h: 0.5}")[0]);
}

BOOST_AUTO_TEST_CASE(extrapolation_reaches_full_accuracy_from_a_poor_step) {
  // At h = 1e-2 the central difference is off by h^2/6 ~ 1.7e-5; Ceres documents the
  // same effect (1e-5 for central differences, 1e-13 for Ridders).
  FunctionSetting single(exp_polynomial("[1.0]"));
  const double central = relative_error(single, "central_difference", "{h: 1.0e-2}");
  BOOST_TEST(central >= 1e-5);
  for (const char* strategy : {"fast", "naive"}) {
    const double extrapolated = relative_error(
        single, "richardson", std::string("{h: 1.0e-2, strategy: ") + strategy + "}");
    BOOST_TEST_MESSAGE("h = 1e-2: central " << central << ", richardson (" << strategy << ") "
                                            << extrapolated);
    BOOST_TEST(extrapolated <= kExtrapolatedTolerance);
  }
  // The defaults, and from a coarse step.
  BOOST_TEST(relative_error(single, "richardson", "{}") <= kExtrapolatedTolerance);
  BOOST_TEST(relative_error(single, "richardson", "{h: 0.5}") <= kExtrapolatedTolerance);
  // Several variables: the loss sums them all, so the rounding of each difference is
  // ~eps |L| / h_k, relative to the largest derivative (the mlp tests' measure).
  FunctionSetting several(exp_polynomial("[1.0, -0.5, 2.0, 0.25]"));
  const auto exact = several.gradient("backprop");
  const double scale = std::max(1.0, exact.cwiseAbs().maxCoeff());
  for (const char* yaml : {"{h: 1.0e-2}", "{}", "{h: 0.5}"}) {
    BOOST_TEST_CONTEXT(yaml) {
      const auto estimate = several.gradient("richardson", yaml);
      BOOST_TEST((estimate - exact).cwiseAbs().maxCoeff() <= kExtrapolatedTolerance * scale);
    }
  }
}

BOOST_AUTO_TEST_CASE(evaluations_are_two_per_parameter_per_level) {
  xp::Vector gradient;
  // No early stop (epsilon 0, truncation dominating): 2 x P x extrapolations.
  const FunctionSetting smooth(exp_polynomial("[1.0, -0.5, 2.0]"));
  BOOST_TEST(evaluations(smooth, "richardson", options(0.4, 4), gradient) == 2u * 3u * 4u);
  BOOST_TEST(evaluations(smooth, "richardson", options(0.4, 4, ", strategy: naive"), gradient) ==
             2u * 3u * 4u);
  // One level: the central difference's 2 x P.
  BOOST_TEST(evaluations(smooth, "richardson", options(0.4, 1), gradient) == 2u * 3u);
  // x^3 with binary steps: every difference is exact, D(h) = 3x^2 + h^2, so the
  // first extrapolation is exact, the second agrees with it exactly (error estimate
  // 0), and every parameter stops after 3 of its 10 levels: 2 x P x 3.
  const FunctionSetting cubic("{coefficients: [0, 0, 0, 1], start: [0.0, 1.0, -2.0, 3.0]}");
  BOOST_TEST(evaluations(cubic, "richardson", "{h: 0.5, epsilon: 0}", gradient) == 2u * 4u * 3u);
  for (Eigen::Index i = 0; i < 4; ++i) {
    BOOST_TEST(gradient[i] == 3.0 * cubic.theta[i] * cubic.theta[i]);
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_number_of_threads) {
  std::string start = "[";
  for (int i = 0; i < 23; ++i) start += (i > 0 ? ", " : "") + std::to_string(-1.1 + 0.1 * i);
  start += "]";
  xp::Vector one, three;
  const auto count_one =
      evaluations(FunctionSetting(exp_polynomial(start), 1), "richardson", "{}", one);
  const auto count_three =
      evaluations(FunctionSetting(exp_polynomial(start), 3), "richardson", "{}", three);
  BOOST_TEST(count_one == count_three);
  for (Eigen::Index i = 0; i < one.size(); ++i) BOOST_TEST(one[i] == three[i]);
}

// Unlabelled: a fault_config label would change README's generated fault table
// (scripts/fault_table.sh), which is regenerated separately.
BOOST_AUTO_TEST_CASE(parameters_are_checked) {
  for (const auto& [yaml, key] :
       {std::pair{"{h: 0}", "gradient.h"}, std::pair{"{shrink: 1}", "gradient.shrink"},
        std::pair{"{extrapolations: 0}", "gradient.extrapolations"},
        std::pair{"{extrapolations: 101}", "gradient.extrapolations"},
        std::pair{"{epsilon: -1}", "gradient.epsilon"},
        std::pair{"{strategy: slow}", "gradient.strategy"}}) {
    BOOST_TEST_CONTEXT(yaml) {
      const auto message = error_of(
          [&] { xp::test::make<xp::GradientMethod>(PluginKind::gradient, "richardson", yaml); });
      BOOST_TEST(message.find(key) != std::string::npos, message);
    }
  }
  // A step that does not move a parameter is refused, naming it.
  FunctionSetting huge("{coefficients: [0, 0, 1], start: [1.0, 1.0e300]}");
  const auto message = error_of([&] { huge.gradient("richardson", "{h: 1.0e-2}"); });
  BOOST_TEST(message.find("parameter 1") != std::string::npos, message);
}

#ifdef EXP_RICHARDSON_TEST_MLP

namespace {

// A small network on the synthetic blobs (the quick config's), one batch of 50.
struct NetworkCase {
  NetworkCase() {
    xp::Context data_context;
    data_context.seed = 42;
    dataset = xp::test::make<xp::Dataset>(
        PluginKind::dataset, "synthetic",
        "{kind: blobs, samples: 200, classes: 3, dimensions: 2, noise: 0.5}", data_context);
    std::vector<std::size_t> rows(50);
    std::iota(rows.begin(), rows.end(), std::size_t(0));
    dataset->gather(xp::Split::train, rows, batch);
    xp::Context context;
    context.input_size = dataset->input_size();
    context.output_size = dataset->output_size();
    model = xp::test::make<xp::Model>(PluginKind::model, "mlp",
                                      "{hidden: [10], activation: tanh, weight_init_std: 0.5}",
                                      context);
    loss = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
    theta.resize(Eigen::Index(model->layout().size()));
    xp::Random rng(42);
    model->initialize(theta, rng);
  }
  xp::Vector gradient(const std::string& method, const std::string& yaml, unsigned threads,
                      std::uint64_t* evaluations = nullptr) const {
    xp::ThreadPool pool(threads);
    const xp::Objective objective(*model, *loss, batch, pool);
    auto plugin = xp::test::make<xp::GradientMethod>(PluginKind::gradient, method, yaml);
    xp::Random random(xp::step_random_seed(42, 0));
    xp::Vector result;
    plugin->compute(objective, theta, {0, random}, result);
    if (evaluations != nullptr) *evaluations = objective.counts().evaluations;
    return result;
  }
  std::shared_ptr<xp::Dataset> dataset;
  std::shared_ptr<xp::Model> model;
  std::shared_ptr<xp::Loss> loss;
  xp::Batch batch;
  xp::Vector theta;
};

double scale_of(const xp::Vector& g) { return std::max(1.0, g.cwiseAbs().maxCoeff()); }

}  // namespace

BOOST_AUTO_TEST_CASE(network_fast_and_naive_agree_and_threads_do_not_matter) {
  const NetworkCase network;
  const auto size = std::uint64_t(network.theta.size());
  std::uint64_t fast_count = 0, naive_count = 0;
  const auto fast = network.gradient("richardson", "{strategy: fast}", 1, &fast_count);
  const auto naive = network.gradient("richardson", "{strategy: naive}", 1, &naive_count);
  const auto exact = network.gradient("backprop", "{}", 1);
  const auto central = network.gradient("central_difference", "{h: 1.0e-4}", 1);
  const double fast_naive = (fast - naive).cwiseAbs().maxCoeff() / scale_of(naive);
  BOOST_TEST_MESSAGE(
      "mlp (" << size << " parameters): |fast - naive| " << fast_naive << ", |fast - backprop| "
              << (fast - exact).cwiseAbs().maxCoeff() / scale_of(exact)
              << ", |central(1e-4) - backprop| "
              << (central - exact).cwiseAbs().maxCoeff() / scale_of(exact) << "; evaluations fast "
              << fast_count << ", naive " << naive_count << " ("
              << double(fast_count) / double(2 * size) << " levels per parameter)");
  BOOST_TEST(fast_naive <= kFastNaiveTolerance);
  BOOST_TEST((fast - exact).cwiseAbs().maxCoeff() <= kFastNaiveTolerance * scale_of(exact));
  // Between 2 and 10 levels per parameter, 2 evaluations each.
  for (const auto count : {fast_count, naive_count}) {
    BOOST_TEST(count % 2 == 0u);
    BOOST_TEST(count >= 2 * 2 * size);
    BOOST_TEST(count <= 2 * 10 * size);
  }
  // Two levels, epsilon 0: no rule can stop a parameter before its second level.
  std::uint64_t two_levels = 0;
  network.gradient("richardson", "{extrapolations: 2, epsilon: 0}", 1, &two_levels);
  BOOST_TEST(two_levels == 2 * 2 * size);
  // Bit-identical whichever the number of threads, counts included.
  std::uint64_t fast_two = 0;
  const auto two = network.gradient("richardson", "{strategy: fast}", 2, &fast_two);
  BOOST_TEST(fast_two == fast_count);
  for (Eigen::Index i = 0; i < fast.size(); ++i) BOOST_TEST(fast[i] == two[i]);
}

#endif
