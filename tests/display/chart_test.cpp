// The chart API through the real gnuplot, and a run's pictures drawn from metrics
// files written here in the run's format.
#define BOOST_TEST_MODULE chart
#include "exp/chart.hpp"

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <sstream>

#include "exp/error.hpp"
#include "exp/run_plots.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::error_of;
using xp::test::read_file;

namespace {

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("text does not contain '" << part << "'");
  return false;
}

bool is_svg(const std::string& text) {
  return text.rfind("<?xml", 0) == 0 || text.rfind("<svg", 0) == 0;
}

xp::Chart falling_curve() {
  xp::Chart chart;
  chart.title = "it's learning_rate";
  chart.x_label = "step";
  chart.y_label = "loss";
  xp::Series series{.label = "optimizer.lr=0.1"};
  for (int i = 0; i < 100; ++i) {
    series.x.push_back(i);
    series.y.push_back(std::exp(-0.05 * i));
  }
  chart.series.push_back(series);
  return chart;
}

// Restores EXP_GNUPLOT when a test is done with it.
struct GnuplotProgram {
  explicit GnuplotProgram(const char* program) { setenv("EXP_GNUPLOT", program, 1); }
  ~GnuplotProgram() { unsetenv("EXP_GNUPLOT"); }
};

void write(const fs::path& file, const std::string& text) {
  std::ofstream out(file);
  out << text;
}

// A run's metrics: steps 0..n-1 with a falling loss, evaluations every `every` steps.
fs::path fake_run(std::size_t steps, std::size_t every, bool accuracy) {
  const auto dir = xp::test::fresh_directory("exp-chart-run");
  std::ostringstream metrics, epochs;
  metrics << "step,epoch,loss,seconds\n";
  epochs << "epoch,step,train_loss,train_accuracy,test_accuracy\n";
  for (std::size_t step = 0; step < steps; ++step) {
    metrics << step << ',' << step / every << ',' << 2.0 / double(step + 1) << ",0.01\n";
    if ((step + 1) % every == 0) {
      epochs << (step + 1) / every << ',' << step << ",0.5,";
      if (accuracy)
        epochs << 0.5 + 0.01 * double(step / every) << ',' << 0.45;
      else
        epochs << ',';
      epochs << '\n';
    }
  }
  write(dir / "metrics.csv", metrics.str());
  write(dir / "epochs.csv", epochs.str());
  return dir;
}

}  // namespace

BOOST_AUTO_TEST_CASE(svg_has_title_axis_labels_and_legend) {
  const auto file = xp::test::fresh_directory("exp-chart") / "curve.svg";
  xp::draw_chart(falling_curve(), file);
  const std::string svg = read_file(file);
  BOOST_TEST(is_svg(svg));
  BOOST_TEST(contains(svg, "</svg>"));
  // Underscores stay underscores (no enhanced-text subscripts), quotes survive.
  BOOST_TEST(contains(svg, "it's learning_rate"));
  BOOST_TEST(contains(svg, ">step<"));
  BOOST_TEST(contains(svg, ">loss<"));
  BOOST_TEST(contains(svg, "optimizer.lr=0.1"));
}

BOOST_AUTO_TEST_CASE(png_by_extension_and_log_axes) {
  auto chart = falling_curve();
  chart.log_y = true;
  chart.series[0].y.push_back(0.0);  // cannot be shown on a log axis: left out, no failure
  chart.series[0].x.push_back(100);
  const auto file = xp::test::fresh_directory("exp-chart") / "curve.PNG";
  xp::draw_chart(chart, file);
  BOOST_TEST(read_file(file).rfind("\x89PNG", 0) == 0);
}

BOOST_AUTO_TEST_CASE(failures_are_one_line_errors_naming_the_file,
                     *boost::unit_test::label("fault_disk") *
                         boost::unit_test::label("fault_no_gnuplot") *
                         boost::unit_test::label("fault_diverged")) {
  const auto folder = xp::test::fresh_directory("exp-chart");
  const std::string wrong_extension =
      error_of([&] { xp::draw_chart(falling_curve(), folder / "c.pdf"); });
  BOOST_TEST(contains(wrong_extension, "c.pdf"));
  BOOST_TEST(contains(wrong_extension, ".svg or .png"));

  const std::string no_folder =
      error_of([&] { xp::draw_chart(falling_curve(), folder / "missing" / "c.svg"); });
  BOOST_TEST(contains(no_folder, "missing/c.svg"));
  BOOST_TEST(contains(no_folder, "cannot open file"));
  BOOST_TEST(no_folder.find('\n') == std::string::npos);

  xp::Chart empty = falling_curve();
  for (auto& y : empty.series[0].y) y = std::nan("");
  BOOST_TEST(contains(error_of([&] { xp::draw_chart(empty, folder / "e.svg"); }), "no finite"));

  GnuplotProgram missing("/nonexistent/gnuplot");
  const std::string not_found =
      error_of([&] { xp::draw_chart(falling_curve(), folder / "c.svg"); });
  BOOST_TEST(contains(not_found, "/nonexistent/gnuplot not found"));
  BOOST_TEST(!fs::exists(folder / "c.svg"));
}

BOOST_AUTO_TEST_CASE(a_failing_gnuplot_leaves_no_half_picture,
                     *boost::unit_test::label("fault_disk")) {
  const auto folder = xp::test::fresh_directory("exp-chart");
  GnuplotProgram failing("false");
  const std::string failed = error_of([&] { xp::draw_chart(falling_curve(), folder / "c.svg"); });
  BOOST_TEST(contains(failed, "c.svg: cannot draw the chart: false failed (exit 1)"));
  BOOST_TEST(!fs::exists(folder / "c.svg"));
}

BOOST_AUTO_TEST_CASE(thinning_keeps_the_ends_and_a_bounded_number_of_points) {
  xp::Series series{.label = "loss"};
  for (int i = 0; i < 10000; ++i) {
    series.x.push_back(i);
    series.y.push_back(-i);
  }
  const auto thin = xp::thinned(series, 1500);
  BOOST_TEST(thin.x.size() <= 1500u);
  BOOST_TEST(thin.x.size() >= 1000u);
  BOOST_TEST(thin.x.back() == 9999.0);
  BOOST_TEST(thin.y.back() == -9999.0);
  BOOST_TEST(thin.label == "loss");
  // Evenly spaced.
  const double stride = thin.x[1] - thin.x[0];
  for (std::size_t i = 1; i < thin.x.size(); ++i) BOOST_TEST(thin.x[i] - thin.x[i - 1] == stride);
  BOOST_TEST(xp::thinned(series, 20000).x.size() == 10000u);
}

BOOST_AUTO_TEST_CASE(moving_average_skips_values_that_are_not_finite,
                     *boost::unit_test::label("fault_diverged")) {
  const auto average = xp::exponential_moving_average({std::nan(""), 1.0, 3.0, INFINITY, 5.0}, 0.5);
  BOOST_TEST(std::isnan(average[0]));
  BOOST_TEST(average[1] == 1.0);
  BOOST_TEST(average[2] == 2.0);
  BOOST_TEST(std::isnan(average[3]));
  BOOST_TEST(average[4] == 3.5);
}

BOOST_AUTO_TEST_CASE(run_curves_come_from_the_metric_files,
                     *boost::unit_test::label("fault_killed")) {
  const auto dir = fake_run(100, 25, true);
  // A crash cut the last row short: it is left out.
  {
    std::ofstream out(dir / "metrics.csv", std::ios::app);
    out << "100,4,0.0";
  }
  const auto curves = xp::read_run_curves(dir);
  BOOST_TEST(curves.steps.size() == 100u);
  BOOST_TEST(curves.losses.front() == 2.0);
  BOOST_TEST(curves.epochs.size() == 4u);
  BOOST_TEST(curves.test_accuracy.back() == 0.45);
  BOOST_TEST(curves.train_accuracy.back() == 0.53);

  const auto loss = xp::loss_chart(curves, "synthetic");
  BOOST_TEST(loss.series.size() == 2u);
  BOOST_TEST(!loss.log_y);  // 2.0 down to 0.02: two decades
  BOOST_TEST(contains(loss.title, "synthetic"));

  BOOST_TEST(contains(error_of([] { xp::read_run_curves("/nonexistent/run"); }),
                      "/nonexistent/run/metrics.csv: cannot read"));
}

BOOST_AUTO_TEST_CASE(curves_lie_on_steps_seconds_or_evaluations) {
  const auto dir = xp::test::fresh_directory("exp-chart-run");
  // Four steps of a method costing 20 evaluations each, a second apart; accuracy
  // after steps 1 and 3; the gradient measured at steps 0 and 2.
  write(dir / "metrics.csv",
        "step,epoch,loss,seconds,evaluations\n0,0,2,1,20\n1,0,1.5,2,40\n2,1,1,3,60\n"
        "3,1,0.5,4,80\n");
  write(dir / "epochs.csv",
        "epoch,step,train_loss,train_accuracy,test_accuracy\n0,1,1.7,0.5,0.4\n1,3,0.7,0.8,0.7\n");
  write(dir / "gradient_quality.csv",
        "step,cosine,relative_error,sign_agreement,estimate_norm,true_norm\n"
        "0,0.25,3,0.6,4,1\n2,0.5,2,0.7,3,1\n");
  const auto curves = xp::read_run_curves(dir);
  using Values = std::vector<double>;
  BOOST_TEST(curves.on_axis(curves.evaluation_steps, xp::CurveAxis::step) == (Values{1, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(curves.on_axis(curves.evaluation_steps, xp::CurveAxis::evaluations) ==
                 (Values{40, 80}),
             boost::test_tools::per_element());
  BOOST_TEST(curves.on_axis(curves.quality_steps, xp::CurveAxis::seconds) == (Values{1, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(curves.cosine == (Values{0.25, 0.5}), boost::test_tools::per_element());
  BOOST_TEST(curves.relative_error == (Values{3, 2}), boost::test_tools::per_element());
  BOOST_TEST(curves.sign_agreement == (Values{0.6, 0.7}), boost::test_tools::per_element());
  BOOST_TEST(contains(error_of([&] { curves.on_axis({7}, xp::CurveAxis::seconds); }),
                      "metrics.csv: no row for step 7"));
  // A run written before evaluations were counted draws against steps and seconds only.
  const auto earlier = fake_run(10, 5, true);
  const auto old = xp::read_run_curves(earlier);
  BOOST_TEST(old.on_axis({3}, xp::CurveAxis::seconds) == (Values{0.01}),
             boost::test_tools::per_element());
  BOOST_TEST(contains(error_of([&] { old.on_axis({3}, xp::CurveAxis::evaluations); }),
                      "metrics.csv: no column 'evaluations'"));
  BOOST_TEST(old.quality_steps.empty());
}

BOOST_AUTO_TEST_CASE(run_plots_are_drawn_and_a_run_without_accuracy_has_no_accuracy_svg) {
  const auto dir = fake_run(10000, 1000, true);
  std::ostringstream warnings;
  xp::draw_run_plots(dir, "synthetic", warnings);
  BOOST_TEST(warnings.str() == "");
  const std::string loss = read_file(dir / "loss.svg");
  BOOST_TEST(is_svg(loss));
  BOOST_TEST(contains(loss, "synthetic: loss per step"));
  BOOST_TEST(contains(loss, "smoothed"));
  // 10,000 steps still make a small picture.
  BOOST_TEST(fs::file_size(dir / "loss.svg") < 100u * 1024u);
  const std::string accuracy = read_file(dir / "accuracy.svg");
  BOOST_TEST(is_svg(accuracy));
  BOOST_TEST(contains(accuracy, ">epoch<"));
  BOOST_TEST(contains(accuracy, ">accuracy<"));
  BOOST_TEST(contains(accuracy, ">test<"));

  const auto no_labels = fake_run(100, 25, false);
  xp::draw_run_plots(no_labels, "quadratic", warnings);
  BOOST_TEST(warnings.str() == "");
  BOOST_TEST(fs::exists(no_labels / "loss.svg"));
  BOOST_TEST(!fs::exists(no_labels / "accuracy.svg"));
}

BOOST_AUTO_TEST_CASE(without_gnuplot_a_run_gets_one_warning_line_and_no_pictures,
                     *boost::unit_test::label("fault_no_gnuplot")) {
  const auto dir = fake_run(100, 25, true);
  GnuplotProgram missing("/nonexistent/gnuplot");
  std::ostringstream warnings;
  xp::draw_run_plots(dir, "synthetic", warnings);
  const std::string warned = warnings.str();
  BOOST_TEST(warned.rfind("warning: plots not drawn: ", 0) == 0, warned);
  BOOST_TEST(std::count(warned.begin(), warned.end(), '\n') == 1);
  BOOST_TEST(!fs::exists(dir / "loss.svg"));
  BOOST_TEST(!fs::exists(dir / "accuracy.svg"));
}
