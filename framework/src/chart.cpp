#include "exp/chart.hpp"

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "exp/durable_file.hpp"
#include "exp/error.hpp"

namespace xp {

namespace {

// gnuplot's single-quoted strings take everything literally but a doubled quote.
std::string gnuplot_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "''";
    } else if (c == '\n' || c == '\r') {
      quoted += ' ';
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string shell_quoted(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

bool drawable(double value, bool log_axis) {
  return std::isfinite(value) && (!log_axis || value > 0.0);
}

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

const char* with_style(SeriesStyle style) {
  switch (style) {
    case SeriesStyle::points:
      return "points pt 7 ps 0.6";
    case SeriesStyle::lines_points:
      return "linespoints pt 7 ps 0.6 lw 1.5";
    case SeriesStyle::lines:
    default:
      return "lines lw 1.5";
  }
}

// Ten colours told apart at a glance (gnuplot's own cycle repeats after eight, and a
// comparison of estimators draws nine lines).
std::string default_color(std::size_t index) {
  static const char* const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                         "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return kPalette[index % std::size(kPalette)];
}

const char* legend_position(LegendPosition position) {
  switch (position) {
    case LegendPosition::bottom_right:
      return "bottom right";
    case LegendPosition::top_left:
      return "top left";
    case LegendPosition::bottom_left:
      return "bottom left";
    case LegendPosition::below:
      return "below";
    case LegendPosition::top_right:
    default:
      return "top right";
  }
}

std::string lowercase_extension(const std::filesystem::path& out) {
  std::string extension = out.extension().string();
  for (char& c : extension) c = char(std::tolower(static_cast<unsigned char>(c)));
  return extension;
}

std::string script_for(const Chart& chart, const std::filesystem::path& out, bool svg) {
  std::ostringstream script;
  // noenhanced: experiment names and config keys are full of underscores, which
  // enhanced text would turn into subscripts.
  if (svg) {
    script << "set terminal svg size " << chart.width << "," << chart.height
           << " noenhanced font 'sans,12' background '#ffffff'\n";
  } else {
    script << "set terminal pngcairo size " << chart.width << "," << chart.height
           << " noenhanced font 'sans,10' background '#ffffff'\n";
  }
  script << "set output " << gnuplot_quoted(out.string()) << "\n"
         << "set title " << gnuplot_quoted(chart.title) << "\n"
         << "set xlabel " << gnuplot_quoted(chart.x_label) << "\n"
         << "set ylabel " << gnuplot_quoted(chart.y_label) << "\n"
         << "set grid\n"
         << "set key " << legend_position(chart.legend) << " opaque\n";
  if (chart.log_x) script << "set logscale x\nset format x '%.0e'\n";
  if (chart.log_y) script << "set logscale y\nset format y '%.0e'\n";
  std::vector<std::size_t> drawn;  // indices of series with something to draw
  for (std::size_t s = 0; s < chart.series.size(); ++s) {
    const Series& series = chart.series[s];
    std::ostringstream block;
    std::size_t points = 0;
    for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
      if (!drawable(series.x[i], chart.log_x) || !drawable(series.y[i], chart.log_y)) continue;
      block << number(series.x[i]) << ' ' << number(series.y[i]) << '\n';
      ++points;
    }
    if (points == 0) continue;
    script << "$series" << s << " << EOD\n" << block.str() << "EOD\n";
    drawn.push_back(s);
  }
  if (drawn.empty()) throw Error(out.string() + ": cannot draw the chart: no finite data points");
  script << "plot ";
  for (std::size_t k = 0; k < drawn.size(); ++k) {
    const Series& series = chart.series[drawn[k]];
    script << (k ? ", \\\n     " : "") << "$series" << drawn[k] << " using 1:2 with "
           << with_style(series.style) << " lc rgb "
           << gnuplot_quoted(series.color.empty() ? default_color(k) : series.color)
           << " " << (series.label.empty() ? "notitle" : "title " + gnuplot_quoted(series.label));
  }
  script << "\nunset output\n";
  return script.str();
}

// What gnuplot complained about, on one line. It echoes the script line and a
// caret, then `"script" line N: what` (N is the script's, meaningless to the user),
// and sometimes "system error: why".
std::string gnuplot_complaint(const std::string& output) {
  static const std::regex located(R"(line [0-9]+: *(.*))");
  std::istringstream lines(output);
  std::string what;  // from "line N: what"
  std::string why;   // from "system error: why"
  std::string last;  // the last line with something on it
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (what.empty() && std::regex_search(line, match, located)) {
      what = match[1];
    } else if (why.empty() && line.rfind("system error: ", 0) == 0) {
      why = line.substr(14);
    } else if (line.find_first_not_of(" \t^") != std::string::npos) {
      last = line;
    }
  }
  if (what.empty()) what = last.empty() ? "no message" : last;
  return why.empty() ? what : what + " (" + why + ")";
}

// Runs program on script, which it reads from an in-memory file (memfd) so that its
// own messages can be read back through the pipe without either side blocking.
// Messages name `out`, the file the caller asked for (the script may write elsewhere).
void run_gnuplot(const std::string& script, const std::filesystem::path& out) {
  const char* configured = std::getenv("EXP_GNUPLOT");
  const std::string program = configured && *configured ? configured : "gnuplot";
  const std::string cannot = out.string() + ": cannot draw the chart: ";

  const int script_fd = memfd_create("exp-chart.gp", 0);
  if (script_fd < 0) throw Error(cannot + "memfd_create: " + std::strerror(errno));
  std::size_t written = 0;
  while (written < script.size()) {
    const ssize_t n = ::write(script_fd, script.data() + written, script.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(script_fd);
      throw Error(cannot + "writing the gnuplot script: " + std::strerror(saved));
    }
    written += std::size_t(n);
  }
  const std::string command =
      shell_quoted(program) + " /dev/fd/" + std::to_string(script_fd) + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    const int saved = errno;
    ::close(script_fd);
    throw Error(cannot + "cannot start " + program + ": " + std::strerror(saved));
  }
  std::string output;
  char buffer[4096];
  while (const std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  ::close(script_fd);

  if (status == -1) throw Error(cannot + "waiting for " + program + ": " + std::strerror(errno));
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (code == 127) {
    throw Error(cannot + program +
                " not found (install the Debian package gnuplot-nox, or set EXP_GNUPLOT)");
  }
  if (code != 0) {
    throw Error(cannot + program + " failed (exit " + std::to_string(code) +
                "): " + gnuplot_complaint(output));
  }
}

// Whether the picture gnuplot wrote is whole: gnuplot does not check its writes, so
// on a full disk it exits 0 with a truncated file. An SVG ends with its closing
// tag, a PNG with its IEND chunk.
bool is_whole_picture(const std::filesystem::path& file, bool svg) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (svg) {
    const std::size_t end = bytes.find_last_not_of(" \t\r\n");
    return end != std::string::npos && end >= 5 && bytes.compare(end - 5, 6, "</svg>") == 0;
  }
  static const std::string kEnd("IEND\xae\x42\x60\x82", 8);
  return bytes.size() >= kEnd.size() &&
         bytes.compare(bytes.size() - kEnd.size(), kEnd.size(), kEnd) == 0;
}

}  // namespace

void draw_chart(const Chart& chart, const std::filesystem::path& out) {
  const std::string extension = lowercase_extension(out);
  if (extension != ".svg" && extension != ".png") {
    throw Error(out.string() + ": cannot draw a chart as '" + extension +
                "': expected a file name ending in .svg or .png");
  }
  // Drawn aside and checked, then renamed into place: a picture is whole or absent.
  const bool svg = extension == ".svg";
  const std::filesystem::path temporary =
      out.parent_path() / ("." + out.filename().string() + ".tmp");
  try {
    run_gnuplot(script_for(chart, temporary, svg), out);
    if (!is_whole_picture(temporary, svg)) {
      throw WriteError(out.string() +
                       ": cannot draw the chart: the picture was written incomplete (a full "
                       "disk?)");
    }
    commit_durably(temporary, out);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    throw;
  }
}

Series thinned(const Series& series, std::size_t max_points) {
  const std::size_t count = std::min(series.x.size(), series.y.size());
  if (count <= max_points || max_points == 0) return series;
  Series result = series;
  result.x.clear();
  result.y.clear();
  result.x.reserve(max_points);
  result.y.reserve(max_points);
  // Every stride-th point, counted back from the last one so the end is always kept.
  const std::size_t stride = (count + max_points - 1) / max_points;
  for (std::size_t i = (count - 1) % stride; i < count; i += stride) {
    result.x.push_back(series.x[i]);
    result.y.push_back(series.y[i]);
  }
  return result;
}

std::vector<double> exponential_moving_average(const std::vector<double>& y, double alpha) {
  std::vector<double> average(y.size(), std::nan(""));
  bool started = false;
  double current = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (!std::isfinite(y[i])) continue;
    current = started ? alpha * y[i] + (1.0 - alpha) * current : y[i];
    started = true;
    average[i] = current;
  }
  return average;
}

}  // namespace xp
