// Line and point charts drawn by gnuplot, written as SVG or PNG (chosen by the
// output file's extension). The data goes to gnuplot inline, in the script itself,
// so drawing leaves no file behind but the picture.
//
//   xp::Chart chart{.title = "mnist: loss", .x_label = "step", .y_label = "loss"};
//   chart.series.push_back({.label = "loss", .x = steps, .y = losses});
//   chart.series.push_back({.label = "smoothed", .x = steps, .y = smoothed});
//   xp::draw_chart(chart, run.file("loss.svg"));   // throws xp::Error on failure
//
// Log axes (log_x, log_y) are for error-versus-step-size studies; points that cannot
// be shown on them (zero, negative) and non-finite values are left out of the line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace xp {

enum class SeriesStyle { lines, points, lines_points };

// Where the legend sits, inside the plot: a falling loss leaves the top right free,
// a rising accuracy the bottom right.
// below: under the plot, for many lines that a legend inside would hide.
enum class LegendPosition { top_right, bottom_right, top_left, bottom_left, below };

struct Series {
  std::string label{};  // shown in the legend; empty: no legend entry
  std::vector<double> x{};
  std::vector<double> y{};  // as many as x
  SeriesStyle style = SeriesStyle::lines;
  std::string color{};  // "#rrggbb" or a colour name; empty: the next of gnuplot's own
};

struct Chart {
  std::string title{};
  std::string x_label{};
  std::string y_label{};
  bool log_x = false;
  bool log_y = false;
  std::vector<Series> series{};
  LegendPosition legend = LegendPosition::top_right;
  // Pixels. 800 x 480 is readable in a README and on a laptop screen.
  int width = 800;
  int height = 480;
};

// Draws chart into out (.svg or .png). Throws xp::Error with a one-line message naming
// out when the extension is neither, there is nothing to draw, gnuplot is missing
// (the EXP_GNUPLOT environment variable names another program) or gnuplot fails.
void draw_chart(const Chart& chart, const std::filesystem::path& out);

// At most max_points of series, taken at evenly spaced indices and always including
// the last point, so a 10,000-step curve becomes a small picture that still ends
// where the run ended. Deterministic; series with few enough points come back whole.
Series thinned(const Series& series, std::size_t max_points);

// Exponential moving average of y with weight alpha on the newest value, started at
// the first finite value; non-finite values are skipped (the average carries on).
std::vector<double> exponential_moving_average(const std::vector<double>& y, double alpha);

}  // namespace xp
