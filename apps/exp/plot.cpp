// exp plot: the curves of several runs on one chart, each labelled by what differs
// between their configs (optimizer.lr=0.1), drawn with gnuplot.
#include <filesystem>
#include <iostream>
#include <set>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/chart.hpp"
#include "exp/error.hpp"
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
std::vector<PlottedRun> read_plotted_runs(const std::vector<std::string>& words) {
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
  const std::vector<std::string> labels = run_labels(runs);
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

Chart loss_overlay(const std::vector<PlottedRun>& runs) {
  Chart chart;
  chart.title = title_prefix(runs) + "smoothed loss per step";
  chart.x_label = "step";
  chart.y_label = "loss (smoothed)";
  chart.log_y = true;
  for (const auto& run : runs) {
    // Log axis only when every run's loss asks for one.
    chart.log_y = chart.log_y && loss_chart(run.curves, run.experiment).log_y;
    chart.series.push_back(
        thinned({.label = run.label, .x = run.curves.steps, .y = smoothed_loss(run.curves.losses)},
                kMaxPlottedPoints));
  }
  return chart;
}

Chart accuracy_overlay(const std::vector<PlottedRun>& runs) {
  Chart chart;
  chart.title = title_prefix(runs) + "test accuracy per epoch";
  chart.x_label = "epoch";
  chart.y_label = "test accuracy";
  chart.legend = LegendPosition::bottom_right;
  for (const auto& run : runs) {
    if (!run.curves.has_accuracy()) {
      std::cerr << "exp plot: " << run.dir.string() << ": no accuracy was measured; left out\n";
      continue;
    }
    const auto style =
        run.curves.epochs.size() > 60 ? SeriesStyle::lines : SeriesStyle::lines_points;
    chart.series.push_back(thinned(
        {.label = run.label, .x = run.curves.epochs, .y = run.curves.test_accuracy, .style = style},
        kMaxPlottedPoints));
  }
  if (chart.series.empty()) throw Error("none of the runs measured accuracy; try --metric loss");
  return chart;
}

}  // namespace

int plot_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp plot options");
  options.add_options()("metric", po::value<std::string>()->default_value("loss"),
                        "loss (smoothed loss per step) or accuracy (test accuracy per epoch)")(
      "output,o", po::value<std::string>(),
      "the picture, FILE.svg or FILE.png (default: plot-<metric>.svg in the current folder)");
  const auto parsed = parse_word_arguments(arguments, options);
  if (parsed.help) {
    print_help("exp plot RUN_OR_FOLDER... [--metric loss|accuracy] [-o FILE.svg|FILE.png]",
               "Draws the curves of the runs on one chart: the smoothed loss per step, or the\n"
               "test accuracy per epoch. Each line is labelled by the config keys that differ\n"
               "between the runs (optimizer.lr=0.1), or by its run folder when none differ.\n"
               "A folder that is not a run itself stands for the runs under it (a sweep).",
               options);
    return 0;
  }
  if (parsed.words.empty()) throw po::error("give at least one run directory; see --help");
  const std::string metric = parsed.options["metric"].as<std::string>();
  if (metric != "loss" && metric != "accuracy")
    throw ConfigError("--metric: expected loss or accuracy, found '" + metric + "'");
  const fs::path out = parsed.options.count("output")
                           ? fs::path(parsed.options["output"].as<std::string>())
                           : fs::path("plot-" + metric + ".svg");
  std::string extension = out.extension().string();
  for (char& c : extension) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (extension != ".svg" && extension != ".png")
    throw ConfigError("-o " + out.string() + ": expected a file name ending in .svg or .png");

  const std::vector<PlottedRun> runs = read_plotted_runs(parsed.words);
  draw_chart(metric == "loss" ? loss_overlay(runs) : accuracy_overlay(runs), out);
  std::cout << "wrote " << out.string() << " (" << runs.size() << " run"
            << (runs.size() == 1 ? "" : "s") << ")\n";
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(plot, 52,
            "RUN_OR_FOLDER...  loss or accuracy curves of runs in one picture (--metric, -o)",
            xp::cli::plot_command)
