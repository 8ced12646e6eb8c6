// exp plot: the curves of several runs on one chart, each labelled by what differs
// between their configs (optimizer.lr=0.1), drawn with gnuplot.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/chart.hpp"
#include "exp/error.hpp"
#include "exp/number_format.hpp"
#include "exp/run_plots.hpp"
#include "run_records.hpp"

namespace xp::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// One run's curves and its label on the chart.
struct PlottedRun {
  std::string label;
  std::string experiment;
  fs::path dir;
  RunCurves curves;
};

// The runs named (a folder that is not a run stands for the runs under it), less any
// whose metric files cannot be read (a run that failed before its first step): those
// are named on stderr and left out.
std::vector<PlottedRun> read_plotted_runs(const std::vector<std::string>& words,
                                          const std::vector<std::string>& label_keys) {
  const std::vector<fs::path> folders(words.begin(), words.end());
  std::vector<RunRecord> runs;
  std::vector<PlottedRun> plotted;
  for (auto& run : read_runs(folders)) {
    try {
      RunCurves curves = read_run_curves(run.dir);
      const auto found = run.config.find("experiment");
      plotted.push_back(
          {"", found == run.config.end() ? "" : found->second, run.dir, std::move(curves)});
      runs.push_back(std::move(run));
    } catch (const Error& e) {
      std::cerr << "exp plot: left out: " << e.what() << "\n";
    }
  }
  if (plotted.empty()) throw Error("none of the runs has metrics to plot");
  // Labels say what differs between the runs that are drawn.
  const std::vector<std::string> labels = run_labels(runs, label_keys);
  for (std::size_t i = 0; i < plotted.size(); ++i) plotted[i].label = labels[i];
  return plotted;
}

// "mnist: " when every run is of one experiment.
std::string title_prefix(const std::vector<PlottedRun>& runs) {
  std::set<std::string> experiments;
  for (const auto& run : runs) experiments.insert(run.experiment);
  return experiments.size() == 1 && !runs.front().experiment.empty()
             ? runs.front().experiment + ": "
             : "";
}

// How the runs' curves are drawn: which metric against which axis.
struct PlotRequest {
  // loss, accuracy (test), train_accuracy, cosine, relative_error, sign_agreement
  std::string metric;
  std::optional<CurveAxis> x;  // none: epochs
  bool log_x = false;
  bool log_y = false;           // --logy; the loss chooses a log axis by itself
  std::optional<double> smooth;  // --smooth ALPHA for the loss; none: the run plots' span
};

// Where each step lies in epochs, from the (step, epoch) pairs of the run's
// evaluations: linear between them, and beyond the last at the last pair's pace.
std::vector<double> epochs_at(const RunCurves& curves, const std::vector<double>& steps) {
  const auto& known = curves.evaluation_steps;
  if (known.size() < 2)
    throw Error(curves.run_dir.string() + ": --x epoch needs at least two evaluations");
  std::vector<double> epochs;
  for (const double step : steps) {
    std::size_t i = 1;
    while (i + 1 < known.size() && known[i] < step) ++i;
    const double span = known[i] - known[i - 1];
    const double pace = span > 0 ? (curves.epochs[i] - curves.epochs[i - 1]) / span : 0;
    epochs.push_back(curves.epochs[i - 1] + (step - known[i - 1]) * pace);
  }
  return epochs;
}

// The x of each of steps: on the request's axis, or in epochs.
std::vector<double> x_of(const RunCurves& curves, const std::vector<double>& steps,
                         const PlotRequest& request) {
  return request.x ? curves.on_axis(steps, *request.x) : epochs_at(curves, steps);
}

std::string axis_label(const PlotRequest& request) {
  if (!request.x) return "epoch";
  switch (*request.x) {
    case CurveAxis::seconds:
      return "training seconds";
    case CurveAxis::evaluations:
      return "loss evaluations";
    case CurveAxis::step:
    default:
      return "step";
  }
}

Chart loss_overlay(const std::vector<PlottedRun>& runs, const PlotRequest& request) {
  Chart chart;
  const bool raw = request.smooth == 1.0;
  chart.title = title_prefix(runs) + (raw ? "loss " : "smoothed loss ") +
                (request.x == CurveAxis::step ? "per step" : "against " + axis_label(request));
  chart.x_label = axis_label(request);
  chart.y_label = raw ? "loss"
                  : request.smooth ? "loss (moving average, alpha " + repr(*request.smooth) + ")"
                                   : "loss (smoothed)";
  chart.log_y = true;
  for (const auto& run : runs) {
    // Log axis only when every run's loss asks for one.
    chart.log_y = chart.log_y && loss_chart(run.curves, run.experiment).log_y;
    const auto y = request.smooth ? exponential_moving_average(run.curves.losses, *request.smooth)
                                  : smoothed_loss(run.curves.losses);
    chart.series.push_back(thinned(
        {.label = run.label, .x = x_of(run.curves, run.curves.steps, request), .y = y},
        kMaxPlottedPoints));
  }
  return chart;
}

Chart accuracy_overlay(const std::vector<PlottedRun>& runs, const PlotRequest& request) {
  const bool train = request.metric == "train_accuracy";
  const std::string name = train ? "train accuracy" : "test accuracy";
  Chart chart;
  chart.title = title_prefix(runs) + name + " " +
                (request.x ? "against " + axis_label(request) : "per epoch");
  chart.x_label = axis_label(request);
  chart.y_label = name;
  chart.legend = LegendPosition::bottom_right;
  for (const auto& run : runs) {
    if (!run.curves.has_accuracy()) {
      std::cerr << "exp plot: " << run.dir.string() << ": no accuracy was measured; left out\n";
      continue;
    }
    const auto style =
        run.curves.epochs.size() > 60 ? SeriesStyle::lines : SeriesStyle::lines_points;
    const auto x = request.x ? run.curves.on_axis(run.curves.evaluation_steps, *request.x)
                             : run.curves.epochs;
    chart.series.push_back(thinned({.label = run.label,
                                    .x = x,
                                    .y = train ? run.curves.train_accuracy : run.curves.test_accuracy,
                                    .style = style},
                                   kMaxPlottedPoints));
  }
  if (chart.series.empty()) throw Error("none of the runs measured accuracy; try --metric loss");
  return chart;
}

// A measure of the gradient's quality (gradient_quality.csv) at each measurement.
Chart quality_overlay(const std::vector<PlottedRun>& runs, const PlotRequest& request) {
  Chart chart;
  chart.title = title_prefix(runs) + request.metric + " of the gradient estimate against " +
                axis_label(request);
  chart.x_label = axis_label(request);
  chart.y_label = request.metric + " (against backprop)";
  chart.log_y = request.metric == "relative_error";
  for (const auto& run : runs) {
    const RunCurves& curves = run.curves;
    if (curves.quality_steps.empty()) {
      std::cerr << "exp plot: " << run.dir.string()
                << ": its gradient was not measured (train.gradient_quality_every); left out\n";
      continue;
    }
    const auto& y = request.metric == "cosine"           ? curves.cosine
                    : request.metric == "relative_error" ? curves.relative_error
                                                         : curves.sign_agreement;
    chart.series.push_back(thinned({.label = run.label,
                                    .x = x_of(curves, curves.quality_steps, request),
                                    .y = y,
                                    .style = SeriesStyle::lines_points},
                                   kMaxPlottedPoints));
  }
  if (chart.series.empty()) {
    throw Error("none of the runs measured its gradient; run with train.gradient_quality_every");
  }
  return chart;
}

Chart overlay(const std::vector<PlottedRun>& runs, const PlotRequest& request) {
  const bool accuracy = request.metric == "accuracy" || request.metric == "train_accuracy";
  Chart chart = request.metric == "loss" ? loss_overlay(runs, request)
                : accuracy               ? accuracy_overlay(runs, request)
                                         : quality_overlay(runs, request);
  chart.log_x = request.log_x;
  chart.log_y = chart.log_y || request.log_y;
  // Many lines or long labels: a legend inside the plot would hide the data.
  std::size_t longest = 0;
  for (const auto& series : chart.series) longest = std::max(longest, series.label.size());
  if (chart.series.size() > 4 || longest > 32) {
    chart.legend = LegendPosition::below;
    chart.height += 20 * int(chart.series.size());
    // gnuplot leaves out a legend whose entry is wider than the picture: widen it
    // (about 8 pixels a character at the charts' 12-point font, and the line sample).
    chart.width = std::max(chart.width, 100 + 8 * int(longest));
  }
  return chart;
}

}  // namespace

int plot_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp plot options");
  options.add_options()("metric", po::value<std::string>()->default_value("loss"),
                        "loss (smoothed loss per step), accuracy (test accuracy per evaluation), "
                        "train_accuracy, or the gradient's cosine, relative_error or "
                        "sign_agreement against backprop (gradient_quality.csv)")(
      "x", po::value<std::string>(),
      "step, epoch, seconds (of training) or evaluations (loss evaluations the gradients "
      "cost); accuracy is drawn against epochs unless --x is given")(
      "log-x", "a logarithmic x axis (points at x <= 0 are left out)")(
      "logy", "a logarithmic y axis (the loss takes one by itself when it spans decades)")(
      "smooth", po::value<double>(),
      "ALPHA in (0, 1]: the loss as an exponential moving average with weight ALPHA on each "
      "new step (1: the raw loss); default: a span of a fiftieth of the run")(
      "label", po::value<std::string>(),
      "KEY[,KEY...]: label each run by these config keys (gradient.name,gradient.q) instead "
      "of every key that differs")(
      "output,o", po::value<std::string>(),
      "the picture, FILE.svg or FILE.png (default: plot-<metric>.svg in the current folder)");
  add_runs_dir_option(options, "the folder plotted when no RUN_OR_FOLDER is given");
  const auto parsed = parse_word_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp plot [RUN_OR_FOLDER... | --runs-dir DIR] [--metric M]\n"
        "         [--x step|epoch|seconds|evaluations] [--log-x] [--logy] [--smooth ALPHA]\n"
        "         [--label KEYS] [-o FILE.svg|FILE.png]",
        "Draws a metric of the runs on one chart against steps, training seconds or the\n"
        "loss evaluations their gradients cost (so that methods are compared at equal\n"
        "cost). Each line is labelled by the config keys that differ between the runs\n"
        "(optimizer.lr=0.1; keys that cannot change results, train.threads, are left\n"
        "out), or by its run folder when none differ; with many lines or long labels the\n"
        "legend goes below the plot. A folder that is not a run itself stands for the runs\n"
        "under it (a sweep).",
        options);
    return 0;
  }
  PlotRequest request;
  request.metric = parsed.options["metric"].as<std::string>();
  const std::set<std::string> metrics = {"loss",   "accuracy",       "train_accuracy",
                                         "cosine", "relative_error", "sign_agreement"};
  if (!metrics.count(request.metric)) {
    throw ConfigError(
        "--metric: expected loss, accuracy, train_accuracy, cosine, relative_error or "
        "sign_agreement, found '" + request.metric + "'");
  }
  const bool accuracy = request.metric == "accuracy" || request.metric == "train_accuracy";
  if (parsed.options.count("x")) {
    const std::string word = parsed.options["x"].as<std::string>();
    request.x = curve_axis_from_string(word);
    if (!request.x && word != "epoch") {
      throw ConfigError("--x: expected step, epoch, seconds or evaluations, found '" + word + "'");
    }
  } else if (!accuracy) {
    request.x = CurveAxis::step;
  }
  request.log_x = parsed.options.count("log-x") != 0;
  request.log_y = parsed.options.count("logy") != 0;
  if (parsed.options.count("smooth")) {
    const double alpha = parsed.options["smooth"].as<double>();
    if (!(alpha > 0 && alpha <= 1))
      throw ConfigError("--smooth " + repr(alpha) + ": expected a weight in (0, 1]");
    if (request.metric != "loss") throw ConfigError("--smooth is for --metric loss");
    request.smooth = alpha;
  }
  const fs::path out = parsed.options.count("output")
                           ? fs::path(parsed.options["output"].as<std::string>())
                           : fs::path("plot-" + request.metric + ".svg");
  std::string extension = out.extension().string();
  for (char& c : extension) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (extension != ".svg" && extension != ".png")
    throw ConfigError("-o " + out.string() + ": expected a file name ending in .svg or .png");

  std::vector<std::string> label_keys;
  if (parsed.options.count("label")) {
    std::stringstream list(parsed.options["label"].as<std::string>());
    for (std::string key; std::getline(list, key, ',');) {
      if (!key.empty()) label_keys.push_back(key);
    }
  }
  std::vector<std::string> folders;
  for (const auto& folder : folders_or_runs_dir(parsed)) folders.push_back(folder.string());
  const std::vector<PlottedRun> runs = read_plotted_runs(folders, label_keys);
  draw_chart(overlay(runs, request), out);
  std::cout << "wrote " << out.string() << " (" << runs.size() << " run"
            << (runs.size() == 1 ? "" : "s") << ")\n";
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(plot, 52,
            "RUN_OR_FOLDER...  curves of runs in one picture (--metric, --x, -o)",
            xp::cli::plot_command)
