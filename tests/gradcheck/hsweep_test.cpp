// exp hsweep through the real binary: the error of forward and central differences
// against backprop across step sizes has the chapter's shape. Truncation error falls
// as h (forward) and h^2 (central), rounding error takes over at small h, and in
// single precision it does so at a much larger h and error. The sweep uses the
// naive strategy (full loss evaluations, the book's definition) on a small network.
#define BOOST_TEST_MODULE exp hsweep
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <map>
#include <sstream>

#include "test_support.hpp"

using xp::test::fresh_directory;
using xp::test::read_file;
using xp::test::run_exp;

namespace {

// Column name -> values, in row order.
using Columns = std::map<std::string, std::vector<double>>;

Columns read_columns(const std::filesystem::path& file) {
  std::istringstream text(read_file(file));
  std::vector<std::string> header;
  Columns columns;
  for (std::string line; std::getline(text, line);) {
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    if (header.empty()) {
      header = cells;
      continue;
    }
    for (std::size_t c = 0; c < cells.size() && c < header.size(); ++c) {
      columns[header[c]].push_back(std::stod(cells[c]));
    }
  }
  return columns;
}

// The error of `column` at step h (a grid point of the sweep).
double at(const Columns& columns, const std::string& column, double h) {
  const auto& steps = columns.at("h");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (std::abs(steps[i] - h) <= 1e-9 * h) return columns.at(column).at(i);
  }
  BOOST_FAIL("no step h = " << h << " in the sweep");
  return 0.0;
}

// log10 of the error ratio per decade of h between h = big and h = small.
double slope(const Columns& columns, const std::string& column, double big, double small) {
  return std::log10(at(columns, column, big) / at(columns, column, small)) /
         std::log10(big / small);
}

struct Minimum {
  double h = 0.0;
  double error = INFINITY;
};

Minimum minimum(const Columns& columns, const std::string& column) {
  Minimum best;
  for (std::size_t i = 0; i < columns.at("h").size(); ++i) {
    if (columns.at(column)[i] < best.error) best = {columns.at("h")[i], columns.at(column)[i]};
  }
  return best;
}

struct Sweep {
  std::string output;
  Columns columns;
  std::filesystem::path svg;
};

// One sweep shared by the tests: 1e-1 down to 1e-12, two points per decade.
const Sweep& sweep() {
  static const Sweep result = [] {
    const auto folder = fresh_directory("hsweep");
    Sweep sweep;
    sweep.svg = folder / "hsweep.svg";
    const auto csv = folder / "hsweep.csv";
    const auto run = run_exp(
        "hsweep configs/synthetic.yaml gradient.strategy=naive --from 1e-1 "
        "--to 1e-12 --points-per-decade 2 --csv " +
        csv.string() + " -o " + sweep.svg.string());
    BOOST_TEST_REQUIRE(run.status == 0, run.output);
    sweep.output = run.output;
    sweep.columns = read_columns(csv);
    return sweep;
  }();
  return result;
}

bool one_line(const std::string& output) {
  return !output.empty() && output.find('\n') == output.size() - 1;
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_sweep_covers_the_range_log_spaced) {
  const auto& steps = sweep().columns.at("h");
  BOOST_TEST_REQUIRE(steps.size() == 23u);  // 11 decades, two points each, both ends
  BOOST_TEST(steps.front() == 1e-1);
  BOOST_TEST(steps.back() == 1e-12);
  BOOST_TEST(steps[6] == 1e-4);  // whole decades are the doubles a config would hold
  for (std::size_t i = 1; i < steps.size(); ++i) {
    BOOST_TEST(steps[i - 1] / steps[i] == std::sqrt(10.0), boost::test_tools::tolerance(1e-9));
  }
  for (const char* column :
       {"forward_double", "central_double", "forward_single", "central_single"}) {
    BOOST_TEST(sweep().columns.at(column).size() == steps.size(), column);
  }
  BOOST_TEST(sweep().output.find("strategy=naive") != std::string::npos, sweep().output);
  BOOST_TEST(sweep().output.find("max |g - g_backprop| over all parameters") != std::string::npos,
             sweep().output);
}

BOOST_AUTO_TEST_CASE(truncation_error_falls_as_h_for_forward_and_h_squared_for_central) {
  const auto& columns = sweep().columns;
  // Central: error ~ h^2 f'''/6, a thousand-fold smaller h gives a million-fold smaller error.
  const double central = slope(columns, "central_double", 1e-1, 1e-4);
  BOOST_TEST(central >= 1.5);
  BOOST_TEST(central <= 2.5);
  BOOST_TEST(at(columns, "central_double", 1e-4) < 1e-4 * at(columns, "central_double", 1e-1));
  const double forward = slope(columns, "forward_double", 1e-1, 1e-4);
  BOOST_TEST(forward >= 0.5);
  BOOST_TEST(forward <= 1.5);
}

BOOST_AUTO_TEST_CASE(rounding_error_takes_over_at_small_h) {
  const auto& columns = sweep().columns;
  for (const char* column : {"forward_double", "central_double"}) {
    BOOST_TEST_CONTEXT(column) {
      const Minimum best = minimum(columns, column);
      BOOST_TEST(best.h < 1e-3);
      BOOST_TEST(best.h > 1e-12);
      // Rounding error grows as 1/h below the best step.
      BOOST_TEST(at(columns, column, 1e-12) > 100 * best.error);
      BOOST_TEST(slope(columns, column, 1e-9, 1e-12) < -0.5);
    }
  }
}

BOOST_AUTO_TEST_CASE(single_precision_bottoms_out_at_a_larger_h_and_error) {
  const auto& columns = sweep().columns;
  for (const char* method : {"forward", "central"}) {
    BOOST_TEST_CONTEXT(method) {
      const Minimum in_double = minimum(columns, std::string(method) + "_double");
      const Minimum in_single = minimum(columns, std::string(method) + "_single");
      BOOST_TEST(in_single.h >= 10 * in_double.h);
      BOOST_TEST(in_single.error >= 100 * in_double.error);
      // Where truncation dominates, float and double agree.
      BOOST_TEST(at(columns, std::string(method) + "_single", 1e-1) ==
                     at(columns, std::string(method) + "_double", 1e-1),
                 boost::test_tools::tolerance(0.05));
    }
  }
  // The chapter's h = 1e-50 in float32: a step below float's resolution leaves the
  // parameters unchanged, the difference is 0 and the error is the whole gradient.
  const auto& single = columns.at("central_single");
  BOOST_TEST(single.back() == single[single.size() - 2]);
}

BOOST_AUTO_TEST_CASE(the_plot_is_an_svg_file) {
  const std::string svg = read_file(sweep().svg);
  BOOST_TEST(svg.find("<svg") != std::string::npos);
  BOOST_TEST(svg.size() < 100'000u);
  BOOST_TEST(sweep().output.find("plot: " + sweep().svg.string()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_model_without_single_precision_is_swept_in_double) {
  const auto csv = fresh_directory("hsweep_polynomial") / "sweep.csv";
  const auto result =
      run_exp("hsweep configs/numerical_gradient.yaml --from 1e-2 --to 1e-6 --csv " + csv.string());
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(
      result.output.find("offers no model.precision: single; double only") != std::string::npos,
      result.output);
  const Columns columns = read_columns(csv);
  BOOST_TEST(columns.size() == 3u);  // h, forward_double, central_double
  BOOST_TEST(columns.at("h").size() == 17u);
  // x0^2 + x1^2: forward's error is exactly h per component, central's is rounding only.
  BOOST_TEST(at(columns, "forward_double", 1e-2) == 1e-2, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_one_line_errors_with_status_2,
                     *boost::unit_test::label("fault_config")) {
  for (const char* arguments :
       {"hsweep configs/synthetic.yaml --from 1e-12 --to 1e-1",
        "hsweep configs/synthetic.yaml --from 1e-3 --to 1e-3",
        "hsweep configs/synthetic.yaml --from 0", "hsweep configs/synthetic.yaml --to -1e-5",
        "hsweep configs/synthetic.yaml --points-per-decade 0",
        "hsweep configs/synthetic.yaml --precision half", "hsweep configs/synthetic.yaml --bogus",
        "hsweep configs/synthetic.yaml -o plot.txt", "hsweep configs/synthetic.yaml --from x"}) {
    BOOST_TEST_CONTEXT(arguments) {
      const auto result = run_exp(arguments);
      BOOST_TEST(result.status == 2, result.output);
      BOOST_TEST(one_line(result.output), result.output);
      BOOST_TEST(result.output.rfind("exp hsweep: ", 0) == 0u, result.output);
    }
  }
}
