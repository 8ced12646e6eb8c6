// exp compare: the config keys that differ between runs, and their final metrics
// side by side. Reads each run's config.yaml (yaml-cpp) and summary.json
// (Boost.PropertyTree's JSON parser).
#include <yaml-cpp/yaml.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/error.hpp"
#include "run_records.hpp"

namespace xp::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr const char* kMissing = "-";

// The final metrics, in the order shown.
constexpr const char* kMetrics[] = {"status",
                                    "steps",
                                    "final_loss",
                                    "final_train_accuracy",
                                    "final_test_accuracy",
                                    "best_test_accuracy",
                                    "wall_seconds",
                                    "steps_per_second"};

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

}  // namespace

int compare_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp compare options");
  const auto parsed = parse_word_arguments(arguments, options);
  if (parsed.help) {
    print_help("exp compare RUN_DIR RUN_DIR...",
               "Shows the config keys whose values differ between the runs and their final\n"
               "metrics (status, steps, final loss, train/test accuracy, wall time, steps/s).",
               options);
    return 0;
  }
  const auto& folders = parsed.words;
  if (folders.size() < 2)
    throw po::error("give at least two run directories to compare; see --help");

  std::vector<RunRecord> runs;
  for (const auto& folder : folders) runs.push_back(read_run(folder));

  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header = {"run"};
  for (const auto& run : runs) header.push_back(run.name);
  rows.push_back(header);

  std::set<std::string> keys;
  for (const auto& run : runs) {
    for (const auto& entry : run.config) keys.insert(entry.first);
  }
  std::size_t differing = 0;
  for (const auto& key : keys) {
    std::vector<std::string> row = {key};
    for (const auto& run : runs) {
      const auto found = run.config.find(key);
      row.push_back(found == run.config.end() ? kMissing : found->second);
    }
    if (std::all_of(row.begin() + 2, row.end(), [&](const std::string& v) { return v == row[1]; }))
      continue;
    rows.push_back(row);
    ++differing;
  }
  if (differing == 0) rows.push_back({"(configs are identical)"});
  rows.push_back({});
  for (const char* metric : kMetrics) {
    std::vector<std::string> row = {metric};
    for (const auto& run : runs) {
      const auto value = run.summary.get_optional<std::string>(metric);
      row.push_back(!value || value->empty() || *value == "null" ? kMissing : *value);
    }
    rows.push_back(row);
  }
  print_table(rows);
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(compare, 50, "RUN_DIR RUN_DIR...  differing config keys and final metrics of runs",
            xp::cli::compare_command)
