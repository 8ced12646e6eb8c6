#include "exp/run_plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "exp/durable_file.hpp"
#include "exp/error.hpp"

namespace xp {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream text(line);
  for (std::string field; std::getline(text, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

// A CSV file the run wrote: its header's columns and the complete rows after it.
struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  std::size_t column(const std::filesystem::path& file, const std::string& name) const {
    const auto found = std::find(header.begin(), header.end(), name);
    if (found == header.end())
      throw Error(file.string() + ": no column '" + name + "' in the header");
    return std::size_t(found - header.begin());
  }
};

CsvTable read_csv(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot read (is this a run directory?)");
  CsvTable table;
  std::string line;
  if (!std::getline(in, line) || line.empty())
    throw Error(file.string() + ": empty, expected a header line");
  table.header = split_fields(line);
  while (std::getline(in, line)) {
    // A crash can cut the last line short; only rows ending in a newline are whole.
    if (in.eof()) break;
    auto fields = split_fields(line);
    if (fields.size() == table.header.size()) table.rows.push_back(std::move(fields));
  }
  return table;
}

// nan for an empty field (accuracy of data without labels); strtod reads "inf", "nan".
double number_or_missing(const std::string& text) {
  if (text.empty()) return kMissing;
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return end == text.c_str() ? kMissing : value;
}

bool all_missing(const std::vector<double>& values) {
  return std::none_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace

std::string_view to_string(CurveAxis axis) {
  switch (axis) {
    case CurveAxis::seconds:
      return "seconds";
    case CurveAxis::evaluations:
      return "evaluations";
    case CurveAxis::step:
    default:
      return "step";
  }
}

std::optional<CurveAxis> curve_axis_from_string(std::string_view word) {
  for (const CurveAxis axis : {CurveAxis::step, CurveAxis::seconds, CurveAxis::evaluations}) {
    if (to_string(axis) == word) return axis;
  }
  return std::nullopt;
}

std::vector<double> RunCurves::on_axis(const std::vector<double>& at_steps, CurveAxis axis) const {
  if (axis == CurveAxis::step) return at_steps;
  const auto file = (run_dir / "metrics.csv").string();
  const std::vector<double>& values = axis == CurveAxis::seconds ? seconds : evaluations;
  if (values.empty()) {
    throw Error(file + ": no column '" + std::string(to_string(axis)) +
                "' (written by an earlier exp); plot it against step");
  }
  std::vector<double> positions;
  for (const double step : at_steps) {
    const auto row = std::lower_bound(steps.begin(), steps.end(), step);
    if (row == steps.end() || *row != step) {
      throw Error(file + ": no row for step " + std::to_string(std::size_t(step)));
    }
    positions.push_back(values[std::size_t(row - steps.begin())]);
  }
  return positions;
}

RunCurves read_run_curves(const std::filesystem::path& run_dir) {
  RunCurves curves;
  curves.run_dir = run_dir;
  const auto metrics_file = run_dir / "metrics.csv";
  const CsvTable metrics = read_csv(metrics_file);
  const std::size_t step = metrics.column(metrics_file, "step");
  const std::size_t loss = metrics.column(metrics_file, "loss");
  const std::size_t seconds = metrics.column(metrics_file, "seconds");
  const auto& header = metrics.header;
  const bool counted = std::find(header.begin(), header.end(), "evaluations") != header.end();
  const std::size_t evaluations = counted ? metrics.column(metrics_file, "evaluations") : 0;
  for (const auto& row : metrics.rows) {
    curves.steps.push_back(number_or_missing(row[step]));
    curves.losses.push_back(number_or_missing(row[loss]));
    curves.seconds.push_back(number_or_missing(row[seconds]));
    if (counted) curves.evaluations.push_back(number_or_missing(row[evaluations]));
  }

  const auto epochs_file = run_dir / "epochs.csv";
  const CsvTable epochs = read_csv(epochs_file);
  const std::size_t epoch = epochs.column(epochs_file, "epoch");
  const std::size_t after = epochs.column(epochs_file, "step");
  const std::size_t train = epochs.column(epochs_file, "train_accuracy");
  const std::size_t test = epochs.column(epochs_file, "test_accuracy");
  for (const auto& row : epochs.rows) {
    const double train_accuracy = number_or_missing(row[train]);
    const double test_accuracy = number_or_missing(row[test]);
    if (std::isnan(train_accuracy) && std::isnan(test_accuracy)) continue;
    curves.epochs.push_back(number_or_missing(row[epoch]));
    curves.evaluation_steps.push_back(number_or_missing(row[after]));
    curves.train_accuracy.push_back(train_accuracy);
    curves.test_accuracy.push_back(test_accuracy);
  }

  const auto quality_file = run_dir / "gradient_quality.csv";
  if (std::filesystem::exists(quality_file)) {
    const CsvTable quality = read_csv(quality_file);
    const std::size_t at = quality.column(quality_file, "step");
    const std::size_t cosine = quality.column(quality_file, "cosine");
    const std::size_t error = quality.column(quality_file, "relative_error");
    const std::size_t sign = quality.column(quality_file, "sign_agreement");
    for (const auto& row : quality.rows) {
      curves.quality_steps.push_back(number_or_missing(row[at]));
      curves.cosine.push_back(number_or_missing(row[cosine]));
      curves.relative_error.push_back(number_or_missing(row[error]));
      curves.sign_agreement.push_back(number_or_missing(row[sign]));
    }
  }
  return curves;
}

std::vector<double> smoothed_loss(const std::vector<double>& losses) {
  const double span = std::clamp(double(losses.size()) / 50.0, 5.0, 200.0);
  return exponential_moving_average(losses, 2.0 / (span + 1.0));
}

Chart loss_chart(const RunCurves& curves, const std::string& experiment) {
  Chart chart;
  chart.title = experiment + ": loss per step";
  chart.x_label = "step";
  chart.y_label = "loss";
  double low = std::numeric_limits<double>::infinity();
  double high = 0.0;
  bool positive = true;
  for (const double loss : curves.losses) {
    if (!std::isfinite(loss)) continue;
    positive = positive && loss > 0;
    low = std::min(low, loss);
    high = std::max(high, loss);
  }
  chart.log_y = positive && low > 0 && high / low > 1e3;
  // Smoothed over every step, drawn at the same thinned steps as the raw loss.
  Series raw{"loss of the step's batch", curves.steps, curves.losses, SeriesStyle::lines,
             "#a6c8ec"};
  Series smooth{"smoothed", curves.steps, smoothed_loss(curves.losses), SeriesStyle::lines,
                "#1f4e9a"};
  chart.series.push_back(thinned(raw, kMaxPlottedPoints));
  chart.series.push_back(thinned(smooth, kMaxPlottedPoints));
  return chart;
}

Chart accuracy_chart(const RunCurves& curves, const std::string& experiment) {
  Chart chart;
  chart.title = experiment + ": accuracy per epoch";
  chart.x_label = "epoch";
  chart.y_label = "accuracy";
  chart.legend = LegendPosition::bottom_right;
  const auto style = curves.epochs.size() > 60 ? SeriesStyle::lines : SeriesStyle::lines_points;
  if (!all_missing(curves.train_accuracy))
    chart.series.push_back(thinned(
        {"train", curves.epochs, curves.train_accuracy, style, "#1f4e9a"}, kMaxPlottedPoints));
  if (!all_missing(curves.test_accuracy))
    chart.series.push_back(thinned({"test", curves.epochs, curves.test_accuracy, style, "#d9541e"},
                                   kMaxPlottedPoints));
  return chart;
}

void draw_run_plots(const std::filesystem::path& run_dir, const std::string& experiment,
                    std::ostream& warnings) {
  try {
    const RunCurves curves = read_run_curves(run_dir);
    if (!all_missing(curves.losses))
      draw_chart(loss_chart(curves, experiment), run_dir / "loss.svg");
    if (curves.has_accuracy())
      draw_chart(accuracy_chart(curves, experiment), run_dir / "accuracy.svg");
  } catch (const WriteError&) {
    throw;
  } catch (const std::exception& e) {
    warnings << "warning: plots not drawn: " << e.what() << std::endl;
  }
}

}  // namespace xp
