// The chapter's network configs through the real `exp` binary (they need the mlp
// model plugin): simpleNet's gradient at the book's W, and TwoLayerNet's shapes.
#define BOOST_TEST_MODULE chapter network configs
#include <boost/test/unit_test.hpp>

#include "exp_output.hpp"
#include "test_support.hpp"

namespace {
const std::string kConfigs = std::string(EXP_TEST_SOURCE_DIR) + "/configs/";
}

BOOST_AUTO_TEST_CASE(simple_net_gradient_is_the_books_dW) {
  // The book prints dW to 8 decimals.
  const std::vector<double> book = {0.21924763, 0.14356247, -0.36281009,
                                    0.32887144, 0.2153437,  -0.54421514};
  for (const char* method : {"central_difference", "backprop"}) {
    const auto result =
        xp::test::run_exp("grad '" + kConfigs + "simple_net.yaml' --method " + method);
    BOOST_TEST_REQUIRE(result.status == 0, result.output);
    const auto dW = xp::test::printed_tensor(result.output, "W1");
    BOOST_TEST_REQUIRE(dW.size() == book.size(), result.output);
    for (std::size_t i = 0; i < book.size(); ++i) {
      BOOST_TEST_CONTEXT(method << " dW[" << i << "]") {
        BOOST_TEST(std::abs(dW[i] - book[i]) < 5e-9);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(two_layer_net_has_the_books_shapes) {
  const auto result =
      xp::test::run_exp("grad '" + kConfigs + "two_layer_net_shapes.yaml' --method backprop");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(xp::test::printed_tensor(result.output, "W1").size() == 784u * 100u);
  BOOST_TEST(xp::test::printed_tensor(result.output, "b1").size() == 100u);
  BOOST_TEST(xp::test::printed_tensor(result.output, "W2").size() == 100u * 10u);
  BOOST_TEST(xp::test::printed_tensor(result.output, "b2").size() == 10u);
}
