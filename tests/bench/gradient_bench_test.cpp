// gradient_bench, run as a user runs it: its own checks pass (fast central against
// backprop, the same bits on one thread, on all and on every vector path; it exits 1
// when they disagree) and it reports what README quotes from it. A few runs each:
// the timings themselves are not checked, only that they are there and make sense.
#define BOOST_TEST_MODULE gradient_bench
#include <boost/test/unit_test.hpp>
#include <regex>
#include <string>

#include "test_support.hpp"

namespace {

// The number after `label` in the bench's output, or -1 when the line is missing.
double number_after(const std::string& output, const std::string& label) {
  const std::regex pattern(label + R"(\s*([0-9]+(\.[0-9]+)?))");
  std::smatch match;
  if (!std::regex_search(output, match, pattern)) return -1.0;
  return std::stod(match[1].str());
}

std::string bench(const std::string& arguments) {
  const auto result =
      xp::test::run_command(std::string(EXP_GRADIENT_BENCH) + " --repeat 3 " + arguments);
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  return result.output;
}

void check_report(const std::string& output) {
  BOOST_TEST_CONTEXT(output) {
    BOOST_TEST(output.find("processor: ") != std::string::npos);
    BOOST_TEST(number_after(output, R"(fast central \(1 thread\) / backprop \(1 thread\):)") > 0.0);
    // The thread gain: from the table's rows, round by round, and arithmetic alone.
    BOOST_TEST(number_after(output, R"(fast central, 1 thread / [0-9]+ threads?:)") > 0.0);
    BOOST_TEST(number_after(output, R"(\(the table's rows\);)") > 0.0);
    BOOST_TEST(number_after(output, R"(arithmetic alone, in the same rounds:)") > 0.0);
    BOOST_TEST(output.find("general path: ") != std::string::npos);
  }
}

}  // namespace

// The naive path is left out (about 13 s per gradient here); tests/mlp checks it.
BOOST_AUTO_TEST_CASE(books_network) {
  const std::string output = bench("--naive-repeat 0");
  BOOST_TEST(output.find("784-50-10 (sigmoid softmax") != std::string::npos, output);
  check_report(output);
}

BOOST_AUTO_TEST_CASE(deeper_relu_network) {
  const std::string output = bench("--naive-repeat 0 --hidden 30,20 --activation relu --init he");
  BOOST_TEST(output.find("784-30-20-10 (relu softmax") != std::string::npos, output);
  check_report(output);
}
