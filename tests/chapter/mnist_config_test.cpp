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
  // 170 steps cross two epoch boundaries (80 steps per epoch with 8,000 images) and
  // end between two: the book evaluates after steps 1, 81 and 161 (its i = 0, 80,
  // 160), exp once more after the last.
  const std::string command = "configs/mnist.yaml train.iterations=170";
  const auto run = xp::test::run_experiment(runs, command + " train.threads=1");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);

  pt::ptree summary;
  pt::read_json((run.dir / "summary.json").string(), summary);
  BOOST_TEST(summary.get<std::string>("status") == "completed");
  BOOST_TEST(summary.get<int>("steps") == 170);
  // After two epochs of the book's SGD the digits are clearly above chance (0.1); the
  // book's network starts slowly (0.35 here, 0.93 after 10,000 steps).
  BOOST_TEST(summary.get<double>("final_test_accuracy") > 0.25);
  const auto epochs = xp::test::lines_of(run.dir / "epochs.csv");
  BOOST_TEST_REQUIRE(epochs.size() == 1u + 4u);
  const auto label = [&](std::size_t row) { return epochs[row].substr(0, epochs[row].find(',', epochs[row].find(',') + 1)); };
  BOOST_TEST(label(1) == "0,1");
  BOOST_TEST(label(2) == "1,81");
  BOOST_TEST(label(3) == "2,161");
  BOOST_TEST(label(4) == "2.125,170");  // 170 / 80 epochs completed, not a second "2"

  // The book's line at every evaluation, each with that row's accuracies.
  for (std::size_t row = 1; row < epochs.size(); ++row) {
    const std::string accuracies = epochs[row].substr(epochs[row].rfind(',', epochs[row].rfind(',') - 1) + 1);
    const std::string line =
        "train acc, test acc | " + accuracies.substr(0, accuracies.find(',')) + ", " +
        accuracies.substr(accuracies.find(',') + 1) + "\n";
    BOOST_TEST(run.output.find(line) != std::string::npos, line);
  }
  std::size_t printed = 0;
  for (auto at = run.output.find("train acc, test acc | "); at != std::string::npos;
       at = run.output.find("train acc, test acc | ", at + 1)) {
    ++printed;
  }
  BOOST_TEST(printed == 4u);

  // The same run on two threads gives the same bits.
  const auto two = xp::test::run_experiment(runs, command + " train.threads=2");
  BOOST_TEST_REQUIRE(two.status == 0, two.output);
  BOOST_TEST(xp::test::read_file(two.dir / "epochs.csv") == xp::test::read_file(run.dir / "epochs.csv"));
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
