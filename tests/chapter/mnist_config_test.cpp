// configs/mnist.yaml (the book's train_neuralnet with central differences) run for
// real on the prepared digits, shortened to a few steps; fashion_mnist.yaml
// inheriting everything but the data from it; mnist_deep.yaml's two hidden layers.
#define BOOST_TEST_MODULE mnist config
#include <boost/property_tree/json_parser.hpp>
#include <boost/test/unit_test.hpp>
#include <algorithm>

#include "test_support.hpp"

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

void require_prepared_data() {
  BOOST_TEST_REQUIRE(fs::exists("data/mnist/train-images-idx3-ubyte.gz"),
                     "data/mnist is missing: run scripts/prepare_data.sh (the README's commands do)");
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_short_mnist_run_learns_and_prints_the_books_epoch_line) {
  require_prepared_data();
  const fs::path runs = xp::test::fresh_directory("exp-mnist");
  // 161 steps cross two epoch boundaries (80 steps per epoch with 8,000 images).
  const auto run = xp::test::run_experiment(runs, "configs/mnist.yaml train.iterations=161 train.threads=1");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  BOOST_TEST(run.output.find("train acc, test acc | ") != std::string::npos, run.output);

  pt::ptree summary;
  pt::read_json((run.dir / "summary.json").string(), summary);
  BOOST_TEST(summary.get<std::string>("status") == "completed");
  BOOST_TEST(summary.get<int>("steps") == 161);
  // After two epochs of the book's SGD the digits are clearly above chance (0.1); the
  // book's network starts slowly (0.35 here, 0.93 after 10,000 steps).
  BOOST_TEST(summary.get<double>("final_test_accuracy") > 0.25);
  const std::string epochs = xp::test::read_file(run.dir / "epochs.csv");
  BOOST_TEST(std::count(epochs.begin(), epochs.end(), '\n') == 1 + 3);  // header + steps 0, 80, 160

  // The same run on two threads gives the same bits.
  const auto two = xp::test::run_experiment(runs, "configs/mnist.yaml train.iterations=161 train.threads=2");
  BOOST_TEST_REQUIRE(two.status == 0, two.output);
  BOOST_TEST(xp::test::read_file(two.dir / "epochs.csv") == epochs);
  fs::remove_all(runs);
}

BOOST_AUTO_TEST_CASE(fashion_mnist_config_differs_from_mnist_only_in_its_data) {
  const auto mnist = xp::test::run_exp("validate configs/mnist.yaml");
  const auto fashion = xp::test::run_exp("validate configs/fashion_mnist.yaml");
  BOOST_TEST_REQUIRE(mnist.status == 0, mnist.output);
  BOOST_TEST_REQUIRE(fashion.status == 0, fashion.output);
  BOOST_TEST(fashion.output.find("path: /usr/share/datasets/fashion-mnist") != std::string::npos);
  const auto after_dataset = [](const std::string& text) { return text.substr(text.find("model:")); };
  BOOST_TEST(after_dataset(fashion.output) == after_dataset(mnist.output));
}

BOOST_AUTO_TEST_CASE(the_deep_config_trains_two_relu_layers_with_central_differences) {
  require_prepared_data();
  const fs::path runs = xp::test::fresh_directory("exp-mnist-deep");
  const std::string command = "configs/mnist_deep.yaml train.iterations=81";
  const auto one = xp::test::run_experiment(runs, command + " train.threads=1");
  BOOST_TEST_REQUIRE(one.status == 0, one.output);
  const std::string config = xp::test::read_file(one.dir / "config.yaml");
  BOOST_TEST(config.find("hidden: [100, 50]") != std::string::npos, config);
  BOOST_TEST(config.find("weight_init_std: he") != std::string::npos, config);
  BOOST_TEST(config.find("name: central_difference") != std::string::npos, config);
  pt::ptree summary;
  pt::read_json((one.dir / "summary.json").string(), summary);
  BOOST_TEST(summary.get<std::string>("status") == "completed");
  // He-initialised relu learns fast: one epoch is far above chance.
  BOOST_TEST(summary.get<double>("final_test_accuracy") > 0.8);
  // Two threads: the same bits (the deep series' setup runs on the pool too).
  const auto two = xp::test::run_experiment(runs, command + " train.threads=2");
  BOOST_TEST_REQUIRE(two.status == 0, two.output);
  BOOST_TEST(xp::test::read_file(two.dir / "epochs.csv") ==
             xp::test::read_file(one.dir / "epochs.csv"));
  for (const char* tensor : {"W1", "b1", "W2", "b2", "W3", "b3"}) {
    const fs::path file = fs::path("params") / (std::string(tensor) + ".npy");
    BOOST_TEST(xp::test::read_file(two.dir / file) == xp::test::read_file(one.dir / file), tensor);
  }
  fs::remove_all(runs);
}
