// configs/mnist.yaml (the book's train_neuralnet with central differences) run for
// real on the prepared digits, shortened to a few steps; and fashion_mnist.yaml
// inheriting everything but the data from it.
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
