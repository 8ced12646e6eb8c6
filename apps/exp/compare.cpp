// exp compare: the config keys that differ between runs and their final metrics, one
// row per run (a sweep of nine reads down a column, not across nine).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "comparison.hpp"
#include "config_arguments.hpp"
#include "exp/error.hpp"
#include "exp/suggest.hpp"
#include "run_records.hpp"
#include "sweep_file.hpp"

namespace xp::cli {
namespace po = boost::program_options;

namespace {

constexpr const char* kMissing = "-";

enum class Shape { word, count, fraction, loss, amount };

struct Metric {
  const char* column;     // header and --sort name
  const char* field;      // summary.json key
  Shape shape;            // how the aligned table and Markdown round it
  bool higher_is_better;  // sorted descending, so the best run comes first
};

constexpr Metric kMetrics[] = {
    {"status", "status", Shape::word, false},
    {"steps", "steps", Shape::count, true},
    {"loss", "final_loss", Shape::loss, false},
    {"train_acc", "final_train_accuracy", Shape::fraction, true},
    {"test_acc", "final_test_accuracy", Shape::fraction, true},
    {"best_test_acc", "best_test_accuracy", Shape::fraction, true},
    {"wall_s", "wall_seconds", Shape::amount, false},
    {"steps_per_s", "steps_per_second", Shape::amount, true},
    {"evals", "loss_evaluations", Shape::count, false},
    {"evals_per_step", "evaluations_per_step", Shape::amount, false},
    {"cosine", "mean_cosine", Shape::fraction, true},
};

std::string printf_text(const char* format, double value) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

// Enough digits to tell runs apart at a glance; CSV keeps summary.json's full text.
std::string rounded(const std::string& text, Shape shape) {
  if (shape == Shape::word || shape == Shape::count) return text;
  double value = 0;
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    if (used != text.size()) return text;
  } catch (const std::exception&) {
    return text;
  }
  if (!std::isfinite(value)) return text;
  switch (shape) {
    case Shape::fraction:
      return printf_text("%.4f", value);
    case Shape::loss:
      return printf_text("%.4g", value);
    default:
      return std::abs(value) >= 100 ? printf_text("%.0f", value) : printf_text("%.3g", value);
  }
}

// Orders rows by one column: numbers numerically (when every present value is one),
// missing values last whatever the direction.
void sort_rows(std::vector<std::vector<std::string>>& rows, std::size_t column, bool descending) {
  const bool numbers = std::all_of(rows.begin(), rows.end(), [&](const auto& row) {
    return row[column].empty() || parse_number(row[column]).has_value();
  });
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    const std::string& x = a[column];
    const std::string& y = b[column];
    if (x.empty() || y.empty()) return !x.empty() && y.empty();
    if (numbers) {
      const double u = *parse_number(x), v = *parse_number(y);
      return descending ? u > v : u < v;
    }
    return descending ? x > y : x < y;
  });
}

}  // namespace

std::string comparison_columns_help() {
  std::string text = "metric columns (--sort NAME; * = higher is better, sorted descending):\n ";
  for (const auto& metric : kMetrics) {
    text += std::string(" ") + metric.column + (metric.higher_is_better ? "*" : "");
  }
  return text + "\nA differing config key (optimizer.lr) sorts ascending.";
}

void print_comparison(std::vector<RunRecord> runs, const ComparisonOptions& options,
                      std::ostream& out) {
  const auto keys = differing_keys(runs);
  std::vector<std::string> header = {"run"};
  header.insert(header.end(), keys.begin(), keys.end());
  for (const auto& metric : kMetrics) header.emplace_back(metric.column);

  // Cells hold the full text ("" when missing); rounding happens after sorting.
  std::vector<std::vector<std::string>> rows;
  for (const auto& run : runs) {
    std::vector<std::string> row = {run.name};
    for (const auto& key : keys) {
      const auto found = run.config.find(key);
      row.push_back(found == run.config.end() ? "" : found->second);
    }
    row.push_back(run.status());
    for (const auto& metric : kMetrics) {
      if (std::string(metric.field) != "status") row.push_back(run.field(metric.field));
    }
    rows.push_back(row);
  }

  std::vector<bool> numeric(header.size(), false);
  for (std::size_t c = 1; c < header.size(); ++c) {
    numeric[c] =
        header[c] != "status" && std::all_of(rows.begin(), rows.end(), [&](const auto& row) {
          return row[c].empty() || parse_number(row[c]).has_value();
        });
  }

  if (!options.sort.empty()) {
    std::optional<std::size_t> column;
    bool descending = false;
    for (std::size_t m = 0; m < std::size(kMetrics); ++m) {
      if (options.sort == kMetrics[m].column || options.sort == kMetrics[m].field) {
        column = 1 + keys.size() + m;
        descending = kMetrics[m].higher_is_better;
      }
    }
    const auto key = std::find(keys.begin(), keys.end(), options.sort);
    if (!column && key != keys.end()) column = 1 + std::size_t(key - keys.begin());
    if (!column) {
      std::vector<std::string> names(keys.begin(), keys.end());
      for (const auto& metric : kMetrics) names.emplace_back(metric.column);
      // "lr" most likely means the one differing key that ends in ".lr".
      std::vector<std::string> ending;
      for (const auto& name : keys) {
        if (name.size() > options.sort.size() &&
            name.compare(name.size() - options.sort.size() - 1, std::string::npos,
                         "." + options.sort) == 0)
          ending.push_back(name);
      }
      throw ConfigError("--sort " + options.sort +
                        ": not a metric column or a config key that differs between the runs" +
                        (ending.size() == 1 ? "; did you mean '" + ending[0] + "'?"
                                            : did_you_mean(options.sort, names)));
    }
    sort_rows(rows, *column, descending != options.reverse);
  } else if (options.reverse) {
    std::reverse(rows.begin(), rows.end());
  }

  Table table(header, numeric);
  for (auto& row : rows) {
    for (std::size_t m = 0; m < std::size(kMetrics); ++m) {
      auto& cell = row[1 + keys.size() + m];
      if (options.format != TableFormat::csv) cell = rounded(cell, kMetrics[m].shape);
    }
    if (options.format != TableFormat::csv) {
      for (auto& cell : row) {
        if (cell.empty()) cell = kMissing;
      }
    }
    table.add(row);
  }
  table.print(out, options.format);
}

// A sweep folder whose combinations have not all made a run yet says so (on stderr,
// so that --csv stays a table).
void note_runs_to_come(const std::filesystem::path& folder) {
  if (!std::filesystem::is_regular_file(folder / kSweepFile)) return;
  const Sweep sweep = read_sweep_file(folder);
  std::size_t without_run = 0;
  for (const auto& combination : sweep.combinations)
    without_run += combination.run.empty() || !is_run_directory(folder / combination.run);
  if (without_run > 0)
    std::cerr << without_run << " of " << sweep.combinations.size() << " combinations of "
              << folder.string() << " have no run yet: exp sweep --status " << folder.string()
              << "\n";
}

int compare_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp compare options");
  options.add_options()("sort", po::value<std::string>(), "order the runs by a column (see above)")(
      "reverse", "reverse the order")("csv", "comma-separated values, full precision")(
      "md", "a Markdown table");
  add_runs_dir_option(options, "the folder compared when no RUN_OR_FOLDER is given");
  const auto parsed = parse_word_arguments(arguments, options);
  if (parsed.help) {
    print_help("exp compare [RUN_OR_FOLDER... | --runs-dir DIR] [--sort COLUMN] [--reverse] [--csv | --md]",
               "One row per run: the config keys whose values differ between the runs, then\n"
               "the final metrics from summary.json. A folder stands for every run under it\n"
               "(runs/, runs/<experiment>/, a sweep folder). Without --sort the runs keep the\n"
               "order given (within a folder: by path, so by start time). The table rounds;\n"
               "--csv keeps summary.json's digits. A run without a readable summary.json is\n"
               "shown with status unknown or unreadable.\n" +
                   comparison_columns_help(),
               options);
    return 0;
  }
  if (parsed.options.count("csv") && parsed.options.count("md"))
    throw po::error("--csv and --md exclude each other");
  const auto folders = folders_or_runs_dir(parsed);
  const auto runs = read_runs(folders);
  if (runs.size() < 2)
    throw ConfigError("found " + std::to_string(runs.size()) +
                      " run; compare needs at least two (" + folders.front().string() + ")");
  ComparisonOptions comparison;
  if (parsed.options.count("sort")) comparison.sort = parsed.options["sort"].as<std::string>();
  comparison.reverse = parsed.options.count("reverse") != 0;
  if (parsed.options.count("csv")) comparison.format = TableFormat::csv;
  if (parsed.options.count("md")) comparison.format = TableFormat::markdown;
  print_comparison(runs, comparison, std::cout);
  for (const auto& folder : folders) note_runs_to_come(folder);
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(compare, 50,
            "RUN_OR_FOLDER...  differing config keys and final metrics, one row per run",
            xp::cli::compare_command)
