// Through the real binary: what `exp run` prints when its output is not a terminal
// (these tests read it through a pipe) and with --quiet, the pictures every run
// leaves, and `exp plot` over real runs.
#define BOOST_TEST_MODULE display cli
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::read_file;
using xp::test::run_exp;

namespace {

const std::string kSynthetic = "configs/synthetic.yaml train.iterations=150";

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("text:\n" << text.substr(0, 2000) << "\ndoes not contain '" << part << "'");
  return false;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t lines_starting(const std::string& text, const std::string& prefix) {
  const auto lines = lines_of(text);
  return std::size_t(std::count_if(lines.begin(), lines.end(), [&](const std::string& line) {
    return line.rfind(prefix, 0) == 0;
  }));
}

bool is_svg(const std::string& text) {
  return text.rfind("<?xml", 0) == 0 || text.rfind("<svg", 0) == 0;
}

// Two runs that differ in optimizer.lr only (0.5 and 0.1), made once for the plot tests.
struct TwoRuns {
  fs::path runs = xp::test::fresh_directory("exp-plot");
  xp::test::Run fast = xp::test::run_experiment(runs, kSynthetic + " optimizer.lr=0.5");
  xp::test::Run slow = xp::test::run_experiment(runs, kSynthetic + " optimizer.lr=0.1");
};

const TwoRuns& two_runs() {
  static const TwoRuns runs;
  return runs;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_piped_run_prints_plain_lines_and_draws_its_pictures) {
  const auto runs = xp::test::fresh_directory("exp-display");
  const auto run = xp::test::run_experiment(runs, kSynthetic);
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  BOOST_TEST(run.output.find('\r') == std::string::npos);
  BOOST_TEST(run.output.find('\x1b') == std::string::npos);
  // 150 steps: a line every 8 steps and the last, plus the book's evaluation lines.
  BOOST_TEST(lines_starting(run.output, "step ") == 19u);
  BOOST_TEST(contains(run.output, "step 150/150  loss "));
  BOOST_TEST(lines_starting(run.output, "train acc, test acc | ") >= 1u);
  BOOST_TEST(lines_of(run.output).size() < 50u);

  // log.txt holds the same plain lines.
  const std::string log = read_file(run.dir / "log.txt");
  BOOST_TEST(log.find('\r') == std::string::npos);
  BOOST_TEST(lines_starting(log, "step ") == 19u);
  BOOST_TEST(contains(log, "train acc, test acc | "));

  const std::string loss = read_file(run.dir / "loss.svg");
  BOOST_TEST(is_svg(loss));
  BOOST_TEST(contains(loss, "synthetic: loss per step"));
  BOOST_TEST(contains(loss, ">step<"));
  BOOST_TEST(contains(loss, ">loss<"));
  BOOST_TEST(contains(loss, "smoothed"));
  const std::string accuracy = read_file(run.dir / "accuracy.svg");
  BOOST_TEST(is_svg(accuracy));
  BOOST_TEST(contains(accuracy, "synthetic: accuracy per epoch"));
  BOOST_TEST(contains(accuracy, ">epoch<"));
  BOOST_TEST(contains(accuracy, ">accuracy<"));
  BOOST_TEST(contains(accuracy, ">train<"));
  BOOST_TEST(contains(accuracy, ">test<"));
}

BOOST_AUTO_TEST_CASE(quiet_prints_only_the_run_directory) {
  const auto runs = xp::test::fresh_directory("exp-display");
  const auto run = xp::test::run_experiment(runs, kSynthetic + " --quiet");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  const auto lines = lines_of(run.output);
  BOOST_TEST_REQUIRE(lines.size() == 1u, run.output);
  // The path alone, for `cd "$(exp run ... --quiet)"`.
  BOOST_TEST(lines[0] == run.dir.string());
  BOOST_TEST(fs::is_directory(run.dir));
  // The log still records the run; the pictures are still drawn.
  const std::string log = read_file(run.dir / "log.txt");
  BOOST_TEST(lines_starting(log, "step ") == 19u);
  BOOST_TEST(contains(log, "train acc, test acc | "));
  BOOST_TEST(fs::exists(run.dir / "loss.svg"));
  BOOST_TEST(fs::exists(run.dir / "accuracy.svg"));
}

BOOST_AUTO_TEST_CASE(without_gnuplot_a_run_succeeds_with_one_warning,
                     *boost::unit_test::label("fault_no_gnuplot")) {
  const auto runs = xp::test::fresh_directory("exp-display");
  const auto result =
      xp::test::run_command("EXP_GNUPLOT=/nonexistent/gnuplot '" EXP_TEST_BINARY "' run " +
                            kSynthetic + " --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(lines_starting(result.output, "warning: ") == 1u, result.output);
  BOOST_TEST(contains(result.output, "/nonexistent/gnuplot not found"));
  std::smatch match;
  BOOST_TEST_REQUIRE(std::regex_search(result.output, match, std::regex("run directory: (.*)")));
  const fs::path dir = match[1].str();
  BOOST_TEST(fs::exists(dir / "summary.json"));
  BOOST_TEST(!fs::exists(dir / "loss.svg"));
  BOOST_TEST(contains(read_file(dir / "summary.json"), "\"completed\""));
}

BOOST_AUTO_TEST_CASE(a_diverged_run_still_draws_its_loss_and_has_no_accuracy_svg,
                     *boost::unit_test::label("fault_diverged")) {
  // x <- x - lr * 2x grows by 2e10 a step: the loss is infinite within 20 steps.
  const auto dir = xp::test::fresh_directory("exp-display");
  std::ofstream(dir / "gd.yaml")
      << "experiment: diverge\ndataset: {name: none}\nmodel: {name: polynomial}\n"
         "loss: {name: identity}\ngradient: {name: backprop}\n"
         "optimizer: {name: sgd, lr: 1.0e10}\ntrain: {iterations: 100, batch_size: 1}\n";
  const auto run = xp::test::run_experiment(dir / "runs", "'" + (dir / "gd.yaml").string() + "'");
  BOOST_TEST_REQUIRE(run.status == 3, run.output);
  BOOST_TEST(contains(run.output, "loss inf"));
  const std::string loss = read_file(run.dir / "loss.svg");
  BOOST_TEST(is_svg(loss));
  BOOST_TEST(contains(loss, "diverge: loss per step"));
  // No labels, so no accuracy was measured.
  BOOST_TEST(!fs::exists(run.dir / "accuracy.svg"));
  BOOST_TEST(run.output.find("warning") == std::string::npos, run.output);
}

BOOST_AUTO_TEST_CASE(plot_overlays_runs_labelled_by_what_differs) {
  const auto& runs = two_runs();
  BOOST_TEST_REQUIRE(runs.fast.status == 0, runs.fast.output);
  BOOST_TEST_REQUIRE(runs.slow.status == 0, runs.slow.output);
  const auto out = xp::test::fresh_directory("exp-plot-out") / "lr.svg";
  const auto result = run_exp("plot '" + runs.fast.dir.string() + "' '" + runs.slow.dir.string() +
                              "' -o '" + out.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(contains(result.output, "wrote " + out.string()));
  const std::string svg = read_file(out);
  BOOST_TEST(is_svg(svg));
  BOOST_TEST(contains(svg, "optimizer.lr=0.5"));
  BOOST_TEST(contains(svg, "optimizer.lr=0.1"));
  BOOST_TEST(contains(svg, "synthetic: smoothed loss per step"));

  // The parent folder stands for both runs; accuracy per epoch as a PNG.
  const auto png = out.parent_path() / "accuracy.png";
  const auto accuracy =
      run_exp("plot '" + runs.runs.string() + "' --metric accuracy -o '" + png.string() + "'");
  BOOST_TEST_REQUIRE(accuracy.status == 0, accuracy.output);
  BOOST_TEST(contains(accuracy.output, "(2 runs)"));
  BOOST_TEST(read_file(png).rfind("\x89PNG", 0) == 0);
}

// Estimators compared at equal cost: accuracy and the gradient's cosine against the
// loss evaluations each run's gradients cost.
BOOST_AUTO_TEST_CASE(plot_draws_estimators_against_their_loss_evaluations) {
  const auto runs = xp::test::fresh_directory("exp-plot-estimators");
  for (const std::string gradient : {"spsa gradient.q=4", "random_direction", "backprop"}) {
    const auto run = xp::test::run_experiment(
        runs, kSynthetic + " optimizer.lr=0.1 train.gradient_quality_every=10 gradient.name=" +
                  gradient);
    BOOST_TEST_REQUIRE(run.status == 0, run.output);
  }
  const auto out = xp::test::fresh_directory("exp-plot-out");
  const auto accuracy = run_exp("plot '" + runs.string() +
                                "' --metric accuracy --x evaluations --log-x -o '" +
                                (out / "accuracy.svg").string() + "'");
  BOOST_TEST_REQUIRE(accuracy.status == 0, accuracy.output);
  const std::string svg = read_file(out / "accuracy.svg");
  BOOST_TEST(contains(svg, "test accuracy against loss evaluations"));
  // Every label, the longest (random_direction's five keys) too: the picture widens
  // rather than gnuplot dropping the legend.
  BOOST_TEST(contains(svg, "gradient.name=spsa"));
  BOOST_TEST(contains(svg, "gradient.name=backprop"));
  BOOST_TEST(contains(svg, "gradient.name=random_direction"));
  const auto cosine = run_exp("plot '" + runs.string() + "' --metric cosine --x seconds -o '" +
                              (out / "cosine.svg").string() + "'");
  BOOST_TEST_REQUIRE(cosine.status == 0, cosine.output);
  BOOST_TEST(contains(read_file(out / "cosine.svg"),
                      "cosine of the gradient estimate against training seconds"));
}

BOOST_AUTO_TEST_CASE(plot_of_one_run_is_labelled_by_its_folder) {
  const auto& runs = two_runs();
  BOOST_TEST_REQUIRE(runs.fast.status == 0, runs.fast.output);
  const auto out = xp::test::fresh_directory("exp-plot-out") / "one.svg";
  const auto result =
      run_exp("plot '" + runs.fast.dir.string() + "' --metric accuracy -o '" + out.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(contains(read_file(out), runs.fast.dir.filename().string()));
}

BOOST_AUTO_TEST_CASE(plot_refuses_bad_input_with_one_line_naming_it,
                     *boost::unit_test::label("fault_config")) {
  const auto& runs = two_runs();
  const auto not_a_run = xp::test::fresh_directory("exp-plot-empty");
  const auto empty = run_exp("plot '" + not_a_run.string() + "'");
  BOOST_TEST(empty.status == 2);
  BOOST_TEST(lines_of(empty.output).size() == 1u, empty.output);
  BOOST_TEST(contains(empty.output, not_a_run.string()));

  const auto missing = run_exp("plot /nonexistent/run");
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(lines_of(missing.output).size() == 1u, missing.output);
  BOOST_TEST(contains(missing.output, "/nonexistent/run"));

  const auto metric = run_exp("plot '" + runs.fast.dir.string() + "' --metric speed");
  BOOST_TEST(metric.status == 2);
  BOOST_TEST(lines_of(metric.output).size() == 1u, metric.output);
  BOOST_TEST(contains(metric.output, "--metric"));
  BOOST_TEST(contains(metric.output, "'speed'"));

  const auto axis = run_exp("plot '" + runs.fast.dir.string() + "' --x minutes");
  BOOST_TEST(axis.status == 2);
  BOOST_TEST(lines_of(axis.output).size() == 1u, axis.output);
  BOOST_TEST(contains(axis.output, "--x: expected step, epoch, seconds or evaluations, found 'minutes'"));

  const auto unmeasured = run_exp("plot '" + runs.fast.dir.string() + "' --metric cosine");
  BOOST_TEST(unmeasured.status != 0);
  BOOST_TEST(contains(unmeasured.output, "train.gradient_quality_every"));

  const auto format = run_exp("plot '" + runs.fast.dir.string() + "' -o out.pdf");
  BOOST_TEST(format.status == 2);
  BOOST_TEST(contains(format.output, "out.pdf"));

  const auto nothing = run_exp("plot");
  BOOST_TEST(nothing.status == 2);
}

// What a new user reached for: epochs on x, train accuracy, the raw or differently
// smoothed loss, a log y axis, and a legend of long labels kept off the data.
BOOST_AUTO_TEST_CASE(plot_takes_epochs_train_accuracy_smoothing_and_log_y) {
  const auto& runs = two_runs();
  BOOST_TEST_REQUIRE(runs.fast.status == 0, runs.fast.output);
  const auto out = xp::test::fresh_directory("exp-plot-more");
  const auto plot = [&](const std::string& options, const std::string& name) {
    const auto result = run_exp("plot '" + runs.runs.string() + "' " + options + " -o '" +
                                (out / name).string() + "'");
    BOOST_TEST_REQUIRE(result.status == 0, options << ": " << result.output);
    return read_file(out / name);
  };
  BOOST_TEST(contains(plot("--x epoch", "epoch.svg"), "synthetic: smoothed loss against epoch"));
  BOOST_TEST(contains(plot("--metric train_accuracy", "train.svg"), "train accuracy per epoch"));
  const std::string raw = plot("--smooth 1 --logy", "raw.svg");
  BOOST_TEST(contains(raw, "synthetic: loss per step"));
  BOOST_TEST(contains(plot("--smooth 0.5", "half.svg"), "moving average, alpha 0.5"));
  // Long labels (every key named) go below the plot, which grows to hold them.
  const std::string below = plot("--label optimizer.lr,optimizer.name,gradient.name,model.hidden",
                                 "below.svg");
  BOOST_TEST(contains(below, "height=\"520\""), below.substr(0, 300));
  const auto bad = run_exp("plot '" + runs.runs.string() + "' --smooth 2 -o '" +
                           (out / "bad.svg").string() + "'");
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(contains(bad.output, "--smooth 2.0: expected a weight in (0, 1]"));
}
