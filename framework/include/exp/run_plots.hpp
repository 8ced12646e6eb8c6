// The pictures of a run: loss.svg (the loss of every step, and a smoothed line
// through it) and accuracy.svg (train and test accuracy per evaluation), drawn from
// the run's metrics.csv and epochs.csv. `exp run` draws them when training ends;
// `exp plot` overlays the curves of several runs.
//
//   xp::draw_run_plots(run.path(), "mnist", log.stream());  // never throws for a chart
//
//   xp::RunCurves curves = xp::read_run_curves(dir);       // throws xp::Error
//   xp::Chart chart = xp::loss_chart(curves, "mnist");
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "exp/chart.hpp"

namespace xp {

// What a curve can be drawn against: steps, training seconds, or the loss
// evaluations its gradients cost (to compare estimators at equal cost).
enum class CurveAxis { step, seconds, evaluations };
std::string_view to_string(CurveAxis axis);
std::optional<CurveAxis> curve_axis_from_string(std::string_view word);

struct RunCurves {
  std::vector<double> steps;    // metrics.csv: step
  std::vector<double> losses;   // metrics.csv: loss (inf or nan where the loss diverged)
  std::vector<double> seconds;  // metrics.csv: seconds
  std::vector<double> evaluations;  // metrics.csv: evaluations (empty in runs before it)
  // epochs.csv, one entry per evaluation that measured accuracy.
  std::vector<double> epochs;
  std::vector<double> evaluation_steps;  // the step each was measured after
  std::vector<double> train_accuracy;    // nan where not measured
  std::vector<double> test_accuracy;     // nan where not measured
  // gradient_quality.csv (train.gradient_quality_every), empty when not measured.
  std::vector<double> quality_steps;
  std::vector<double> cosine;
  std::vector<double> relative_error;
  std::vector<double> sign_agreement;
  std::filesystem::path run_dir;
  bool has_accuracy() const { return !epochs.empty(); }

  // Where each of `at_steps` lies on `axis`. Throws xp::Error naming metrics.csv when
  // the run did not record the axis, or a step it has no row for.
  std::vector<double> on_axis(const std::vector<double>& at_steps, CurveAxis axis) const;
};

// Reads metrics.csv, epochs.csv and, when present, gradient_quality.csv of run_dir,
// finding columns by their header names. A last row cut short by a crash is left
// out. Throws xp::Error naming the file when one is missing or has no header the
// run writes.
RunCurves read_run_curves(const std::filesystem::path& run_dir);

// The loss smoothed with an exponential moving average whose span grows with the run
// (a fiftieth of the steps, between 5 and 200), so the trend shows at any length.
std::vector<double> smoothed_loss(const std::vector<double>& losses);

// Most points drawn per line: keeps a 10,000-step loss.svg under 100 KB.
inline constexpr std::size_t kMaxPlottedPoints = 1500;

// Per-step loss (faint) and its smoothed line; a log y axis when the loss spans more
// than three decades (the calculus listings descend to 1e-20).
Chart loss_chart(const RunCurves& curves, const std::string& experiment);

// Train and test accuracy per epoch.
Chart accuracy_chart(const RunCurves& curves, const std::string& experiment);

// Writes loss.svg (when a step was taken) and accuracy.svg (when accuracy was
// measured) into run_dir, each whole or not at all. A picture is not worth a failed
// run: on the first problem (gnuplot missing or failing, a metrics file unreadable)
// it writes one "warning: ..." line to warnings and draws nothing more. A picture
// that could not be written (WriteError: a full disk) is the run's problem, though,
// as any file it cannot write: that is thrown.
void draw_run_plots(const std::filesystem::path& run_dir, const std::string& experiment,
                    std::ostream& warnings);

}  // namespace xp
