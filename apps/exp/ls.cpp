// exp ls: every run under a folder, newest first, with how it ended and its key
// numbers. A run whose summary.json is missing or unreadable is listed as such.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "run_records.hpp"
#include "table.hpp"

namespace xp::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

constexpr const char* kMissing = "-";

// Runs started within the same second are told apart by when their config.yaml was
// written (nanoseconds where the file system keeps them).
struct StartKey {
  std::string started;
  long long seconds = 0, nanoseconds = 0;
  bool operator>(const StartKey& other) const {
    if (started != other.started) return started > other.started;
    if (seconds != other.seconds) return seconds > other.seconds;
    return nanoseconds > other.nanoseconds;
  }
};

StartKey start_key(const RunRecord& run) {
  StartKey key{run.started()};
  struct stat file {};
  for (const char* name : {"config.yaml", "summary.json"}) {
    if (stat((run.dir / name).c_str(), &file) == 0) {
      key.seconds = file.st_mtim.tv_sec;
      key.nanoseconds = file.st_mtim.tv_nsec;
      break;
    }
  }
  return key;
}

std::string fixed(double value, int digits) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

std::string or_missing(const std::string& text) { return text.empty() ? kMissing : text; }

}  // namespace

int ls_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp ls options");
  add_runs_dir_option(options, "the folder to list when RUNS_DIR is not given");
  const auto parsed = parse_word_arguments(arguments, options, 1);
  if (parsed.help) {
    print_help("exp ls [RUNS_DIR | --runs-dir DIR]",
               "Lists every run under RUNS_DIR (default: --runs-dir), at any depth, newest first:\n"
               "when it started (UTC), its status, experiment, steps taken of those planned,\n"
               "final test accuracy, wall time and its folder. Status is summary.json's\n"
               "(running, completed, diverged, interrupted, failed), crashed for a run\n"
               "recorded as running whose process is gone, unknown when the run has no\n"
               "summary.json, unreadable when it cannot be parsed.",
               options);
    return 0;
  }
  const fs::path folder = folders_or_runs_dir(parsed).front();

  std::vector<std::pair<StartKey, RunRecord>> runs;
  for (const auto& dir : find_runs(folder)) {
    RunRecord run = read_run(dir);
    StartKey key = start_key(run);
    runs.emplace_back(std::move(key), std::move(run));
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  Table table({"started", "status", "experiment", "steps", "test_acc", "wall_s", "run"},
              {false, false, false, true, true, true, false});
  for (const auto& [key, run] : runs) {
    std::string started = key.started;
    if (started.size() == 20) started = started.substr(0, 10) + " " + started.substr(11, 8);
    std::string experiment = run.field("experiment");
    if (experiment.empty()) {
      const auto found = run.config.find("experiment");
      experiment = found != run.config.end() ? found->second : "";
    }
    std::string steps = run.field("steps");
    if (!steps.empty() && !run.field("total_steps").empty())
      steps += "/" + run.field("total_steps");
    const auto accuracy = run.number("final_test_accuracy");
    const auto wall = run.number("wall_seconds");
    table.add({or_missing(started), run.status(), or_missing(experiment), or_missing(steps),
               accuracy ? fixed(*accuracy, 4) : kMissing,
               wall ? fixed(*wall, *wall >= 100 ? 0 : 2) : kMissing, run.dir.string()});
  }
  if (table.size() == 0) {
    std::cout << "no runs under " << folder.string() << "\n";
    return 0;
  }
  table.print(std::cout, TableFormat::aligned);
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(ls, 55, "[RUNS_DIR]  runs under a folder with status and key metrics, newest first",
            xp::cli::ls_command)
