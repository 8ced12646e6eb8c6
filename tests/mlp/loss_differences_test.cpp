// The mlp's exact loss-difference shortcut against full evaluations (the naive
// strategy of the gradient plugins: the definition), and the central difference
// against backprop, on real MNIST digits and on random data for deeper networks.
// Tolerances, stated once: shortcut vs full evaluation 1e-9, central difference vs
// backprop 1e-8, both times max(1, max |g|).
#define BOOST_TEST_MODULE mlp loss differences
#include <boost/test/unit_test.hpp>

#include "exp/error.hpp"
#include "network_setting.hpp"

using xp::PluginKind;
using xp::test::NetworkSetting;

namespace {

constexpr double kShortcutTolerance = 1e-9;
constexpr double kBackpropTolerance = 1e-8;

std::shared_ptr<xp::Loss> loss(const std::string& name, const std::string& yaml = "{}") {
  return xp::test::make<xp::Loss>(PluginKind::loss, name, yaml);
}

std::shared_ptr<xp::Loss> generic_loss() {
  static xp::PluginRegistry registry({EXP_MLP_TEST_PLUGIN_DIR});
  return xp::PluginRegistry::create<xp::Loss>(registry.find(PluginKind::loss, "log_cosh"), {});
}

// Fast against naive for central and forward differences; central against backprop.
void check_gradients(const NetworkSetting& setting, const std::string& h = "1.0e-4",
                     bool against_backprop = true) {
  for (const std::string method : {"central_difference", "forward_difference"}) {
    const auto fast = setting.gradient(method, "{h: " + h + ", strategy: fast}");
    const auto naive = setting.gradient(method, "{h: " + h + ", strategy: naive}");
    BOOST_TEST_CONTEXT(method << " fast vs naive") {
      BOOST_TEST(xp::test::max_difference(fast, naive) <=
                 kShortcutTolerance * xp::test::scale_of(naive));
    }
    if (method == "central_difference" && against_backprop) {
      const auto exact = setting.gradient("backprop");
      BOOST_TEST_CONTEXT("central vs backprop") {
        BOOST_TEST(xp::test::max_difference(fast, exact) <=
                   kBackpropTolerance * xp::test::scale_of(exact));
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(books_network_on_mnist_agrees_with_full_evaluations) {
  // 784-50-10 sigmoid softmax, cross-entropy, a batch of 100 digits. Full evaluations
  // of all 39,760 parameters would take ~10 s, so they are checked for a spread of
  // parameters (every 53rd weight of W1, all of b1, W2 and b2), by the definition.
  const NetworkSetting setting("mnist", xp::test::mnist_yaml(), "{}", loss("cross_entropy"), 100);
  const xp::Model& model = *setting.model;
  xp::ThreadPool pool(1);
  const xp::Objective objective(model, *setting.loss, setting.batch, pool);
  const auto differences = objective.differences(setting.theta, xp::DifferenceSteps::any());
  BOOST_TEST_REQUIRE(differences != nullptr);
  // Series carried for symmetric steps only (degree 3): as close for central steps,
  // and still exact for any other steps (which take the general path).
  const auto symmetric = objective.differences(setting.theta, xp::DifferenceSteps::central(1e-4));
  BOOST_TEST_REQUIRE(symmetric != nullptr);
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < 784 * 50; i += 53) indices.push_back(i);
  for (std::size_t i = 784 * 50; i < model.layout().size(); ++i) indices.push_back(i);
  const double h = 1e-4;
  for (const auto& [steps, b] :
       {std::pair{differences.get(), -h}, std::pair{differences.get(), 0.0},
        std::pair{symmetric.get(), -h}, std::pair{symmetric.get(), 0.0}}) {
    double worst = 0.0;
    double scale = 1.0;
    xp::Vector shifted = setting.theta;
    for (const std::size_t i : indices) {
      double fast = 0.0;
      steps->compute(i, i + 1, h, b, &fast);
      const auto k = Eigen::Index(i);
      shifted[k] = setting.theta[k] + h;
      const double upper = objective.loss(shifted);
      shifted[k] = setting.theta[k] + b;
      const double lower = objective.loss(shifted);
      shifted[k] = setting.theta[k];
      const double naive = (upper - lower) / (h - b);
      worst = std::max(worst, std::abs(fast / (h - b) - naive));
      scale = std::max(scale, std::abs(naive));
    }
    BOOST_TEST_CONTEXT((b == 0.0 ? "forward" : "central")
                       << (steps == symmetric.get() ? ", series for symmetric steps" : "")) {
      BOOST_TEST(worst <= kShortcutTolerance * scale);
    }
  }
  // Only the steps the series were not carried for took the general path.
  BOOST_TEST(differences->counts().general_pairs == 0u);
  BOOST_TEST(symmetric->counts().general_pairs > 0u);
  // Any split of the parameters into ranges gives the same bits (here: ranges of 7,
  // which cut rows and blocks of units anywhere), for central and forward steps.
  for (const auto& [steps, b] :
       {std::pair{differences.get(), -h}, std::pair{differences.get(), 0.0},
        std::pair{symmetric.get(), -h}}) {
    const std::size_t count = model.layout().size();
    std::vector<double> whole(count), pieces(count);
    steps->compute(0, count, h, b, whole.data());
    for (std::size_t begin = 0; begin < count; begin += 7) {
      steps->compute(begin, std::min(count, begin + 7), h, b, pieces.data() + begin);
    }
    BOOST_TEST((whole == pieces));
  }
  // The whole gradient against backprop, and thread independence.
  const auto central = setting.gradient("central_difference", "{}", 1);
  const auto exact = setting.gradient("backprop");
  BOOST_TEST(xp::test::max_difference(central, exact) <=
             kBackpropTolerance * xp::test::scale_of(exact));
  // The chapter's own claim on this network, in absolute terms: the central
  // difference and the analytic gradient of the same loss agree to 1e-9.
  BOOST_TEST(xp::test::max_difference(central, exact) <= 1e-9);
  const auto two_threads = setting.gradient("central_difference", "{}", 2);
  BOOST_TEST((central.array() == two_threads.array()).all());
  const auto forward = setting.gradient("forward_difference", "{}", 1);
  BOOST_TEST((forward.array() == setting.gradient("forward_difference", "{}", 2).array()).all());
}

BOOST_AUTO_TEST_CASE(smaller_networks_on_mnist_agree_everywhere) {
  const auto data = xp::test::mnist_yaml();
  for (const std::string model : {"{hidden: [6]}", "{hidden: [6], bias: false}", "{hidden: []}",
                                  "{hidden: [5, 4], activation: tanh, weight_init_std: 0.3}"}) {
    BOOST_TEST_CONTEXT(model) {
      check_gradients(NetworkSetting("mnist", data, model, loss("cross_entropy"), 12));
    }
  }
}

BOOST_AUTO_TEST_CASE(deeper_networks_on_random_data_agree) {
  // Random inputs and soft random targets (the book's TwoLayerNet listing data), two
  // hidden layers, every activation, both closed-form losses, with and without bias.
  const std::string data = "{samples: 16, input_size: 12, output_size: 4}";
  for (const std::string activation : {"sigmoid", "relu", "tanh"}) {
    for (const std::string bias : {"true", "false"}) {
      for (const std::string output_loss :
           {"softmax cross_entropy", "softmax mse", "identity mse"}) {
        const auto space = output_loss.find(' ');
        const std::string model = "{hidden: [7, 5], activation: " + activation + ", bias: " + bias +
                                  ", output: " + output_loss.substr(0, space) +
                                  ", weight_init_std: 0.4}";
        BOOST_TEST_CONTEXT(model << " " << output_loss) {
          check_gradients(
              NetworkSetting("random", data, model, loss(output_loss.substr(space + 1)), 16));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(three_hidden_layers_propagate_exactly) {
  check_gradients(NetworkSetting("random", "{samples: 10, input_size: 6, output_size: 3}",
                                 "{hidden: [5, 4, 4], weight_init_std: 0.5}", loss("cross_entropy"),
                                 10));
}

// The share of (parameter, sample) pairs a central difference of the whole network
// computed on the general path, and the differences themselves.
struct ShortcutRun {
  xp::ShortcutCounts counts;
  std::vector<double> differences;
};

// piece: parameters per compute() call (0: all at once), as the pool's blocks cut them.
ShortcutRun run_shortcut(const NetworkSetting& setting, double h, unsigned threads = 1,
                         std::size_t piece = 0) {
  xp::ThreadPool pool(threads);
  const xp::Objective objective(*setting.model, *setting.loss, setting.batch, pool);
  const auto differences = objective.differences(setting.theta, xp::DifferenceSteps::central(h));
  BOOST_TEST_REQUIRE(differences != nullptr);
  ShortcutRun run;
  const std::size_t count = objective.size();
  run.differences.resize(count);
  const std::size_t step = piece == 0 ? count : piece;
  for (std::size_t begin = 0; begin < count; begin += step) {
    differences->compute(begin, std::min(count, begin + step), h, -h,
                         run.differences.data() + begin);
  }
  run.counts = differences->counts();
  return run;
}

BOOST_AUTO_TEST_CASE(every_layer_of_a_deep_network_takes_the_series) {
  // Depth 1, 2 and 3 on real digits, sigmoid and tanh with both output/loss pairs:
  // every (parameter, sample) pair is certified by its series, none falls back, and
  // the gradient still equals full evaluations (and backprop). (Series of degree 3
  // alone would send thousands of the tanh nets' pairs to the general path here: the
  // shortcut must see that and carry degree 5.)
  const auto data = xp::test::mnist_yaml();
  for (const std::string hidden : {"[9]", "[9, 7]", "[9, 7, 6]"}) {
    for (const std::string activation : {"sigmoid", "tanh"}) {
      for (const std::string output_loss : {"softmax cross_entropy", "identity mse"}) {
        const auto space = output_loss.find(' ');
        const std::string model = "{hidden: " + hidden + ", activation: " + activation +
                                  ", output: " + output_loss.substr(0, space) +
                                  ", weight_init_std: xavier}";
        BOOST_TEST_CONTEXT(model << " " << output_loss) {
          const NetworkSetting setting("mnist", data, model, loss(output_loss.substr(space + 1)),
                                       12);
          const auto run = run_shortcut(setting, 1e-4);
          BOOST_TEST(run.counts.pairs > 0u);
          BOOST_TEST(run.counts.general_pairs == 0u);
          check_gradients(setting);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(loss_differences_of_the_deep_series_equal_full_evaluations) {
  // A gradient divides each difference by 2h, so its 1e-9 tolerance lets a
  // difference be wrong by 1e-13 at h = 1e-4. The differences themselves, for the
  // first layer of a 3-hidden-layer net (carried through every later layer,
  // deep_series.cpp), must equal L(theta + h e_i) - L(theta - h e_i) from two full
  // evaluations to a few roundings of the loss, with the cross-entropy's epsilon far
  // from 0 as well. (The top degree's share is below that rounding in these nets:
  // when it moved from the matrix products to the later layers' gradients, the two
  // ways' coefficients were compared directly and agreed to 4e-14 of themselves.)
  const auto data = xp::test::mnist_yaml();
  for (const std::string activation : {"sigmoid", "tanh"}) {
    for (const std::string output_loss : {"softmax cross_entropy", "identity mse"}) {
      const auto space = output_loss.find(' ');
      const std::string model = "{hidden: [9, 7, 6], activation: " + activation +
                                ", output: " + output_loss.substr(0, space) +
                                ", weight_init_std: xavier}";
      const std::string loss_name = output_loss.substr(space + 1);
      BOOST_TEST_CONTEXT(model << " " << output_loss) {
        const NetworkSetting setting(
            "mnist", data, model,
            loss(loss_name, loss_name == "cross_entropy" ? "{epsilon: 0.01}" : "{}"), 12);
        const double h = 1e-3;
        const auto run = run_shortcut(setting, h);
        BOOST_TEST(run.counts.general_pairs * 2 < run.counts.pairs);
        xp::ThreadPool pool(1);
        const xp::Objective objective(*setting.model, *setting.loss, setting.batch, pool);
        const double scale = std::max(1.0, std::abs(objective.loss(setting.theta)));
        double largest = 0.0;
        double farthest = 0.0;
        xp::Vector shifted = setting.theta;
        for (std::size_t i = 0; i < 784 * 9; i += 7) {  // the first layer's weights
          shifted[Eigen::Index(i)] = setting.theta[Eigen::Index(i)] + h;
          const double up = objective.loss(shifted);
          shifted[Eigen::Index(i)] = setting.theta[Eigen::Index(i)] - h;
          const double full = up - objective.loss(shifted);
          shifted[Eigen::Index(i)] = setting.theta[Eigen::Index(i)];
          largest = std::max(largest, std::abs(full));
          farthest = std::max(farthest, std::abs(run.differences[i] - full));
        }
        BOOST_TEST(largest > 1e-6);
        BOOST_TEST(farthest <= 1e-14 * scale);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(relu_steps_across_a_kink_fall_back_and_stay_exact) {
  // With h = 0.05 some steps move a relu unit (of this or a later layer) across 0:
  // those pairs take the general path, the rest the series, and the whole gradient
  // equals full evaluations. At h = 1e-4 almost every pair takes the series.
  const auto data = xp::test::mnist_yaml();
  for (const std::string output_loss : {"softmax cross_entropy", "identity mse"}) {
    const auto space = output_loss.find(' ');
    const std::string model =
        "{hidden: [9, 7, 6], activation: relu, output: " + output_loss.substr(0, space) +
        ", weight_init_std: he}";
    BOOST_TEST_CONTEXT(model << " " << output_loss) {
      const NetworkSetting setting("mnist", data, model, loss(output_loss.substr(space + 1)), 12);
      const auto wide = run_shortcut(setting, 0.05);
      BOOST_TEST(wide.counts.general_pairs > 0u);
      BOOST_TEST(wide.counts.general_pairs < wide.counts.pairs);
      check_gradients(setting, "0.05", false);
      BOOST_TEST(wide.counts.kink_parameters > 0u);
      const auto narrow = run_shortcut(setting, 1e-4);
      BOOST_TEST(narrow.counts.general_pairs * 100 < narrow.counts.pairs);
      check_gradients(setting, "1.0e-4", false);
      // Away from kinks the central difference is backprop's derivative: only the
      // parameters whose steps crossed one may differ.
      const auto central = setting.gradient("central_difference");
      const auto exact = setting.gradient("backprop");
      const auto differing =
          ((central - exact).array().abs() > kBackpropTolerance * xp::test::scale_of(exact))
              .count();
      BOOST_TEST(std::uint64_t(differing) <= narrow.counts.kink_parameters);
    }
  }
}

BOOST_AUTO_TEST_CASE(setup_on_any_number_of_threads_gives_the_same_bits) {
  // The last two layers' pieces share one pool job with the input lists (a block
  // waits there for its layer's bounds); earlier layers run jobs of their own; tanh
  // nets here retry at degree 5 (truncation.hpp).
  for (const std::string hidden : {"[]", "[9]", "[9, 7, 6]"}) {
    for (const std::string activation : {"sigmoid", "tanh", "relu"}) {
      for (const std::string output_loss : {"softmax cross_entropy", "identity mse"}) {
        const auto space = output_loss.find(' ');
        const std::string model = "{hidden: " + hidden + ", activation: " + activation +
                                  ", output: " + output_loss.substr(0, space) +
                                  ", weight_init_std: xavier}";
        const NetworkSetting setting("mnist", xp::test::mnist_yaml(), model,
                                     loss(output_loss.substr(space + 1)), 24);
        BOOST_TEST_CONTEXT(model << " " << output_loss) {
          const auto one = run_shortcut(setting, 1e-4, 1).differences;
          BOOST_TEST((one == run_shortcut(setting, 1e-4, 2).differences));
          BOOST_TEST((one == run_shortcut(setting, 1e-4, 3).differences));
          BOOST_TEST((one == run_shortcut(setting, 1e-4, 2, 5).differences));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_vector_path_gives_the_same_bits) {
  // The hot loop runs as AVX-512, AVX2+FMA or baseline code, chosen at run time: each
  // path this processor has must give the same bits (the auto choice among them),
  // for central and forward differences, on the book's shape and a deep relu net.
  const auto data = xp::test::mnist_yaml();
  for (const std::string shape : {"hidden: [12]", "hidden: [9, 7, 6], activation: relu"}) {
    std::vector<std::vector<double>> results;
    for (const std::string simd : {"auto", "avx512", "avx2", "baseline"}) {
      std::unique_ptr<NetworkSetting> setting;
      try {
        setting = std::make_unique<NetworkSetting>(
            "mnist", data, "{" + shape + ", weight_init_std: xavier, simd: " + simd + "}",
            loss("cross_entropy"), 24);
      } catch (const xp::Error& e) {
        // Only a path this processor lacks may be refused, and it says so.
        BOOST_TEST(std::string(e.what()).find("this processor has no " + simd) !=
                   std::string::npos);
        continue;
      }
      BOOST_TEST_CONTEXT(shape << ", simd " << simd) {
        auto run = run_shortcut(*setting, 1e-4);
        xp::ThreadPool pool(1);
        const xp::Objective objective(*setting->model, *setting->loss, setting->batch, pool);
        const auto forward = objective.differences(setting->theta);
        std::vector<double> one_sided(objective.size());
        forward->compute(0, objective.size(), 1e-4, 0.0, one_sided.data());
        run.differences.insert(run.differences.end(), one_sided.begin(), one_sided.end());
        if (!results.empty()) BOOST_TEST((run.differences == results.front()));
        results.push_back(std::move(run.differences));
      }
    }
    BOOST_TEST(results.size() >= 3u);  // auto, baseline and at least the one auto chose
  }
}

BOOST_AUTO_TEST_CASE(a_loss_without_closed_form_agrees) {
  check_gradients(
      NetworkSetting("mnist", xp::test::mnist_yaml(), "{hidden: [6]}", generic_loss(), 12));
  check_gradients(NetworkSetting("random", "{samples: 16, input_size: 12, output_size: 4}",
                                 "{hidden: [7, 5], output: identity, weight_init_std: 0.4}",
                                 generic_loss(), 16));
}

BOOST_AUTO_TEST_CASE(the_epsilon_inside_the_log_is_honoured) {
  // Without the 1e-7 (and with a huge one) the loss differs by far more than the
  // tolerance; the shortcut follows the loss as implemented.
  // The same for a net whose first layer takes the deep series (deep_series.cpp).
  for (const std::string epsilon : {"0", "0.01"}) {
    for (const std::string model :
         {"{hidden: [6]}", "{hidden: [6, 5, 4], weight_init_std: xavier}"}) {
      BOOST_TEST_CONTEXT("epsilon " << epsilon << " " << model) {
        check_gradients(NetworkSetting("mnist", xp::test::mnist_yaml(), model,
                                       loss("cross_entropy", "{epsilon: " + epsilon + "}"), 12));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(steps_beyond_the_certified_series_take_the_exact_general_path) {
  // A large step, and raw pixels (0..255), put d * x outside the series' certified
  // radius: the general path must give the same as full evaluations.
  check_gradients(NetworkSetting("mnist", xp::test::mnist_yaml(),
                                 "{hidden: [6], weight_init_std: 1.0}", loss("cross_entropy"), 12),
                  "0.5", false);
  check_gradients(NetworkSetting("random", "{samples: 16, input_size: 12, output_size: 4}",
                                 "{hidden: [7, 5], activation: tanh, output: identity, "
                                 "weight_init_std: 1.0}",
                                 loss("mse"), 16),
                  "0.5", false);
  check_gradients(
      NetworkSetting("mnist", xp::test::mnist_yaml(false), "{hidden: [6], weight_init_std: 0.001}",
                     loss("cross_entropy"), 12),
      "1.0e-4", false);
}

BOOST_AUTO_TEST_CASE(backprop_matches_a_naive_central_difference) {
  const NetworkSetting setting("mnist", xp::test::mnist_yaml(), "{hidden: [8]}",
                               loss("cross_entropy"), 20);
  const auto naive = setting.gradient("central_difference", "{strategy: naive}");
  const auto exact = setting.gradient("backprop");
  BOOST_TEST(xp::test::max_difference(naive, exact) <=
             kBackpropTolerance * xp::test::scale_of(exact));
}
