// exp gradcheck through the real binary: every gradient method against backprop on
// the first batch of the book's two-layer network, within the chapter issue's
// tolerance for central differences (|central - backprop| <= 1e-8 * max(1, max|g|)),
// forward differences visibly worse, and the command's refusals.
#define BOOST_TEST_MODULE exp gradcheck
#include <boost/test/unit_test.hpp>
#include <map>
#include <sstream>

#include "test_support.hpp"

using xp::test::fresh_directory;
using xp::test::read_file;
using xp::test::run_exp;

namespace {

// CSV rows keyed by "method/tensor", each a map from column name to value.
using Rows = std::map<std::string, std::map<std::string, std::string>>;

Rows read_errors(const std::filesystem::path& file) {
  std::istringstream text(read_file(file));
  std::vector<std::string> header;
  Rows rows;
  for (std::string line; std::getline(text, line);) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (header.empty()) {
      header = cells;
      continue;
    }
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < cells.size() && c < header.size(); ++c) row[header[c]] = cells[c];
    rows[row["method"] + "/" + row["tensor"]] = row;
  }
  return rows;
}

double value(const Rows& rows, const std::string& key, const std::string& column) {
  const auto row = rows.find(key);
  BOOST_TEST_REQUIRE((row != rows.end()), "no row " << key);
  return std::stod(row->second.at(column));
}

bool one_line(const std::string& output) {
  return !output.empty() && output.find('\n') == output.size() - 1;
}

// Central differences meet the chapter issue's agreement with backprop (the scale
// max(1, max|g|) is at least 1, so max abs <= 1e-8 is the criterion or stricter) and
// forward differences, first-order, are at least a hundred times worse per tensor.
void check_the_books_network(const std::string& arguments) {
  const auto csv = fresh_directory("gradcheck") / "errors.csv";
  const auto result = run_exp("gradcheck " + arguments + " --csv " + csv.string());
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  for (const char* word : {"backprop", "reference", "central_difference", "forward_difference",
                           "max abs", "mean abs", "max rel", "time ms"}) {
    BOOST_TEST(result.output.find(word) != std::string::npos, word << " in\n" << result.output);
  }
  const Rows rows = read_errors(csv);
  for (const char* tensor : {"W1", "b1", "W2", "b2", "all"}) {
    BOOST_TEST_CONTEXT(tensor) {
      const std::string central = std::string("central_difference/") + tensor;
      const std::string forward = std::string("forward_difference/") + tensor;
      BOOST_TEST(value(rows, central, "max_abs") <= 1e-8);
      BOOST_TEST(value(rows, central, "mean_abs") <= value(rows, central, "max_abs"));
      BOOST_TEST(value(rows, forward, "max_abs") > 100 * value(rows, central, "max_abs"));
      BOOST_TEST(value(rows, forward, "mean_abs") > 100 * value(rows, central, "mean_abs"));
      BOOST_TEST(rows.at(central).at("reference") == "backprop");
      BOOST_TEST(value(rows, central, "seconds") > 0.0);
      BOOST_TEST(value(rows, central, "cosine") > 1.0 - 1e-12);
    }
  }
  BOOST_TEST(rows.count("backprop/all") == 0u);  // the reference is not compared with itself
  // A random direction points anywhere: 39,760 or more parameters leave one estimate's
  // cosine with the gradient near sqrt(2 / (pi P)) ~ 0.004, far from an exact method's.
  BOOST_TEST(std::abs(value(rows, "spsa/all", "cosine")) < 0.05);
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_books_two_layer_net_on_random_data) {
  // TwoLayerNet 784-100-10, batch of 100 random rows, as the chapter's shape listing.
  check_the_books_network("configs/two_layer_net_shapes.yaml");
}

BOOST_AUTO_TEST_CASE(the_books_two_layer_net_on_mnist) {
  if (!std::filesystem::exists("data/mnist/train-images-idx3-ubyte.gz")) {
    BOOST_TEST_MESSAGE("data/mnist missing (scripts/prepare_data.sh): skipped");
    return;
  }
  check_the_books_network("configs/mnist.yaml train.threads=1 --batch 20");
}

BOOST_AUTO_TEST_CASE(the_configs_step_is_used_by_the_finite_differences) {
  const auto folder = fresh_directory("gradcheck_h");
  const auto book = folder / "book.csv", coarse = folder / "coarse.csv";
  BOOST_TEST_REQUIRE(run_exp("gradcheck configs/synthetic.yaml --csv " + book.string()).status ==
                     0);
  const auto result =
      run_exp("gradcheck configs/synthetic.yaml gradient.h=1e-2 --csv " + coarse.string());
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(result.output.find("h=0.01") != std::string::npos, result.output);
  // Truncation error: forward grows as h (x100), central as h^2 (x10,000).
  const double forward = value(read_errors(coarse), "forward_difference/all", "max_abs") /
                         value(read_errors(book), "forward_difference/all", "max_abs");
  const double central = value(read_errors(coarse), "central_difference/all", "max_abs") /
                         value(read_errors(book), "central_difference/all", "max_abs");
  BOOST_TEST(forward > 50.0);
  BOOST_TEST(forward < 200.0);
  BOOST_TEST(central > 5e3);
  BOOST_TEST(central < 2e4);
}

BOOST_AUTO_TEST_CASE(tolerance_makes_a_method_beyond_it_fail) {
  const auto within =
      run_exp("gradcheck configs/synthetic.yaml --methods central_difference --tolerance 1e-8");
  BOOST_TEST(within.status == 0, within.output);
  BOOST_TEST(within.output.find("forward_difference") == std::string::npos, within.output);
  const auto beyond = run_exp("gradcheck configs/synthetic.yaml --tolerance 1e-8");
  BOOST_TEST(beyond.status == 1, beyond.output);
  BOOST_TEST(beyond.output.find("tolerance exceeded: forward_difference") != std::string::npos,
             beyond.output);
  BOOST_TEST(beyond.output.find("tolerance exceeded: central_difference") == std::string::npos,
             beyond.output);
}

BOOST_AUTO_TEST_CASE(a_model_without_backprop_is_checked_against_central_differences) {
  // The mlp in single precision offers no analytic gradient.
  const auto result = run_exp("gradcheck configs/synthetic.yaml model.precision=single");
  BOOST_TEST(result.status == 0, result.output);
  BOOST_TEST(result.output.find("skipped backprop: gradient 'backprop': the model or the loss "
                                "has no analytic gradient") != std::string::npos,
             result.output);
  BOOST_TEST(result.output.find("against central_difference") != std::string::npos, result.output);
}

BOOST_AUTO_TEST_CASE(mistakes_are_one_line_errors_with_status_2,
                     *boost::unit_test::label("fault_config")) {
  for (const char* arguments :
       {"gradcheck configs/synthetic.yaml --methods central_difference,nope",
        "gradcheck configs/synthetic.yaml --tolerance 0",
        "gradcheck configs/synthetic.yaml --bogus",
        "gradcheck configs/synthetic.yaml gradient.h=-1", "gradcheck"}) {
    BOOST_TEST_CONTEXT(arguments) {
      const auto result = run_exp(arguments);
      BOOST_TEST(result.status == 2, result.output);
      BOOST_TEST(one_line(result.output), result.output);
      BOOST_TEST(result.output.rfind("exp gradcheck: ", 0) == 0u, result.output);
    }
  }
  const auto unknown = run_exp("gradcheck configs/synthetic.yaml --methods nope");
  BOOST_TEST(unknown.output.find("found: backprop, central_difference, forward_difference") !=
                 std::string::npos,
             unknown.output);
}
