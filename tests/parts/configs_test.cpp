// The chapter's calculus configs through the real `exp` binary: each prints the
// value of the listing it reproduces, to the last bit (DESIGN.md reference numbers).
#define BOOST_TEST_MODULE chapter configs
#include <boost/test/unit_test.hpp>

#include "exp_output.hpp"
#include "test_support.hpp"

namespace {

const std::string kConfigs = std::string(EXP_TEST_SOURCE_DIR) + "/configs/";

std::vector<double> grad_x(const std::string& config, const std::string& overrides = "") {
  const auto result = xp::test::run_exp("grad '" + kConfigs + config + "' " + overrides);
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  return xp::test::printed_tensor(result.output, "x");
}

// The final x of `exp run`, which prints the parameters of models this small.
std::vector<double> run_x(const std::string& config) {
  const auto runs = xp::test::fresh_directory("exp-configs");
  const auto result =
      xp::test::run_exp("run '" + kConfigs + config + "' --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  return xp::test::printed_tensor(result.output, "x");
}

using Values = std::vector<double>;

}  // namespace

BOOST_AUTO_TEST_CASE(numerical_diff_prints_the_books_derivatives) {
  BOOST_TEST(grad_x("numerical_diff.yaml") == Values{0.1999999999990898},
             boost::test_tools::per_element());
  BOOST_TEST(grad_x("numerical_diff.yaml", "model.start=[10]") == Values{0.2999999999986347},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(numerical_gradient_prints_the_books_gradients) {
  BOOST_TEST(grad_x("numerical_gradient.yaml") == (Values{6.00000000000378, 7.999999999999119}),
             boost::test_tools::per_element());
  BOOST_TEST(
      grad_x("numerical_gradient.yaml", "model.start=[0,2]") == (Values{0.0, 4.000000000004}),
      boost::test_tools::per_element());
  BOOST_TEST(
      grad_x("numerical_gradient.yaml", "model.start=[3,0]") == (Values{6.000000000012662, 0.0}),
      boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(gradient_descent_configs_end_where_the_book_does) {
  BOOST_TEST(
      run_x("gradient_descent.yaml") == (Values{-6.111107928998789e-10, 8.148143905314271e-10}),
      boost::test_tools::per_element());
  BOOST_TEST(
      run_x("learning_rate_too_large.yaml") == (Values{-25898374737328.363, -1295248616896.5398}),
      boost::test_tools::per_element());
  BOOST_TEST(
      run_x("learning_rate_too_small.yaml") == (Values{-2.999999939999995, 3.9999999199999934}),
      boost::test_tools::per_element());
}
