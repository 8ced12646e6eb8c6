// exp sweep: the chapter's "try several values of a hyper-parameter" as a grid. Every
// combination is an `exp run` in a child process, its run directory inside one sweep
// folder, whose sweep.yaml says what was asked and how each combination ended.
#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "child_process.hpp"
#include "commands.hpp"
#include "comparison.hpp"
#include "config_arguments.hpp"
#include "exp/callbacks.hpp"
#include "exp/checkpoint.hpp"
#include "exp/config.hpp"
#include "exp/error.hpp"
#include "exp/run_directory.hpp"
#include "exp/run_status.hpp"
#include "exp/run_summary.hpp"
#include "run_records.hpp"
#include "sweep_file.hpp"

namespace xp::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace {

// Splits "1,0.1,[50,10]" at the commas outside brackets, braces and quotes, so a YAML
// list is one value and "[50],[100]" is two.
std::vector<std::string> split_values(const std::string& key, const std::string& text) {
  std::vector<std::string> values(1);
  int depth = 0;
  char quote = 0;
  for (const char c : text) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == ',' && depth == 0) {
      values.emplace_back();
      continue;
    }
    values.back() += c;
  }
  for (const auto& value : values) {
    if (value.find_first_not_of(" \t") == std::string::npos)
      throw ConfigError("'" + key + "=" + text +
                        "': an empty value in the comma-separated list; expected v1,v2,...");
  }
  return values;
}

// Every combination of the axes' values, the first axis changing slowest.
std::vector<SweepCombination> grid_combinations(const std::vector<SweepAxis>& grid) {
  std::vector<SweepCombination> combinations(1);
  for (const auto& axis : grid) {
    std::vector<SweepCombination> longer;
    for (const auto& combination : combinations) {
      for (const auto& value : axis.values) {
        SweepCombination next = combination;
        next.overrides.push_back(axis.key + "=" + value);
        longer.push_back(next);
      }
    }
    combinations = longer;
  }
  return combinations;
}

std::vector<Override> parse_overrides(const std::vector<std::string>& texts) {
  std::vector<Override> parsed;
  for (const auto& text : texts) parsed.push_back(Override::parse(text));
  return parsed;
}

// Resolves every combination's config as `exp run` would, so a mistake in any of them
// stops the sweep before anything runs. Returns the experiment name.
std::string check_grid(const Sweep& sweep) {
  std::string experiment;
  for (const auto& combination : sweep.combinations) {
    auto overrides = parse_overrides(sweep.overrides);
    const auto more = parse_overrides(combination.overrides);
    overrides.insert(overrides.end(), more.begin(), more.end());
    const ExperimentConfig config = resolve_config(ConfigSource::load(sweep.config, overrides));
    if (experiment.empty()) experiment = config.experiment;
  }
  return experiment;
}

std::string compact_utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

// runs/sweeps/<experiment>-<UTC time>[-<n>]/, created here and nowhere else.
fs::path create_sweep_folder(const fs::path& runs_root, const std::string& experiment) {
  const fs::path parent = runs_root / "sweeps";
  std::error_code error;
  fs::create_directories(parent, error);
  const std::string stem = experiment + "-" + compact_utc_now();
  for (int n = 1; n < 1000; ++n) {
    const fs::path folder = parent / (n == 1 ? stem : stem + "-" + std::to_string(n));
    if (fs::create_directory(folder, error)) return folder;
    if (error) break;
  }
  throw Error(parent.string() + ": cannot create a sweep folder" +
              (error ? ": " + error.message() : std::string()));
}

// The run directory a child `exp run` reported, relative to the sweep folder.
std::string reported_run(const fs::path& output, const fs::path& sweep_folder) {
  std::ifstream stream(output);
  const std::string prefix = "run directory: ";
  for (std::string line; std::getline(stream, line);) {
    if (line.rfind(prefix, 0) == 0) {
      const fs::path run = line.substr(prefix.size());
      return run.lexically_relative(sweep_folder).string();
    }
  }
  return "";
}

// The last line a child printed, which says why it failed when it did.
std::string last_line(const fs::path& output) {
  std::ifstream stream(output);
  std::string last;
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::string status_of_exit(const ChildEnd& end) {
  if (end.signal == SIGINT || end.signal == SIGTERM || end.exit_status == 130) return "interrupted";
  if (end.exit_status == 0) return "completed";
  if (end.exit_status == 3) return "diverged";
  return "failed";
}

class SweepRunner {
 public:
  // already_finished: combinations a resume keeps, so the count goes on from there.
  SweepRunner(Sweep& sweep, fs::path program, int jobs, std::size_t already_finished)
      : sweep_(sweep), program_(std::move(program)), jobs_(jobs), finished_(already_finished) {}

  // Runs the combinations listed; returns false if a signal stopped the sweep.
  bool run(const std::vector<std::size_t>& pending) {
    StopOnSignal stop;  // handlers without SA_RESTART: a signal ends wait_for_child
    std::size_t next = 0;
    bool forwarded = false;
    while (next < pending.size() || !running_.empty()) {
      while (!StopOnSignal::requested() && next < pending.size() &&
             running_.size() < std::size_t(jobs_)) {
        launch(pending[next++]);
      }
      if (running_.empty()) break;
      // The terminal sends SIGINT to the children too; a `kill` of this process alone
      // does not, so it is passed on (a second one changes nothing for them).
      if (StopOnSignal::requested() && !forwarded) {
        for (const auto& entry : running_) kill(entry.first, StopOnSignal::signal_number());
        forwarded = true;
      }
      const auto end = wait_for_child(std::chrono::milliseconds(50));
      note_run_folders();
      if (!end) continue;  // a signal (forwarded at the top of the loop), or nothing yet
      const auto found = running_.find(end->pid);
      if (found == running_.end()) continue;
      finish(found->second, *end);
      running_.erase(found);
    }
    return !StopOnSignal::requested();
  }

 private:
  fs::path output_file(std::size_t index) const {
    return sweep_.folder / "output" / (std::to_string(index + 1) + ".txt");
  }

  void launch(std::size_t index) {
    SweepCombination& combination = sweep_.combinations[index];
    const fs::path earlier = sweep_.folder / combination.run;
    // A stopped run with a checkpoint continues in its own directory (`exp resume`,
    // ending as it would have without stopping); any other starts afresh.
    const bool continued = !combination.run.empty() && has_checkpoint(earlier);
    std::vector<std::string> arguments;
    if (continued) {
      // A killed sweep's runs were sent SIGTERM and may still be writing their
      // checkpoint: give them a moment to finish stopping.
      for (int wait = 0; wait < 300 && is_being_written(earlier); ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      arguments = {"resume", fs::absolute(earlier).string()};
    } else {
      arguments = {"run", sweep_.config};
      arguments.insert(arguments.end(), sweep_.overrides.begin(), sweep_.overrides.end());
      arguments.insert(arguments.end(), combination.overrides.begin(), combination.overrides.end());
      arguments.push_back("--runs-dir");
      arguments.push_back(fs::absolute(sweep_.folder).string());
      if (!combination.run.empty() && fs::exists(earlier))
        combination.earlier_runs.push_back(combination.run);
      combination.run.clear();
    }
    fs::create_directories(sweep_.folder / "output");
    const pid_t pid = start_process(program_, arguments, output_file(index));
    running_[pid] = index;
    combination.status = "running";
    write_sweep_file(sweep_);
  }

  // sweep.yaml names each run's folder as soon as the run has made it, so that a
  // sweep that is killed still knows its runs (and --resume continues them).
  void note_run_folders() {
    bool noted = false;
    for (const auto& [pid, index] : running_) {
      SweepCombination& combination = sweep_.combinations[index];
      if (!combination.run.empty()) continue;
      combination.run = reported_run(output_file(index), fs::absolute(sweep_.folder));
      noted = noted || !combination.run.empty();
    }
    if (noted) write_sweep_file(sweep_);
  }

  void finish(std::size_t index, const ChildEnd& end) {
    SweepCombination& combination = sweep_.combinations[index];
    const fs::path output = output_file(index);
    const std::string reported = reported_run(output, fs::absolute(sweep_.folder));
    if (!reported.empty()) combination.run = reported;
    combination.status = status_of_exit(end);
    std::string detail;
    if (!combination.run.empty()) {
      const RunRecord run = read_run(sweep_.folder / combination.run);
      if (run.summary_state == "read") combination.status = run.status();
      if (const auto accuracy = run.number("final_test_accuracy"))
        detail += "  test_acc " + rounded(*accuracy, "%.4f");
      if (const auto loss = run.number("final_loss")) detail += "  loss " + rounded(*loss, "%.4g");
      if (const auto wall = run.number("wall_seconds"))
        detail += "  " + rounded(*wall, "%.2f") + " s";
    }
    if (combination.status != "completed" && combination.status != "interrupted")
      detail += "  (" + last_line(output) + ")";
    write_sweep_file(sweep_);
    ++finished_;
    std::cout << "[" << finished_ << "/" << sweep_.combinations.size() << "] " << combination.status
              << "  " << combination.label() << detail << std::endl;
  }

  static std::string rounded(double value, const char* format) {
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
  }

  Sweep& sweep_;
  fs::path program_;
  int jobs_;
  std::map<pid_t, std::size_t> running_;  // child -> combination
  std::size_t finished_ = 0;              // counted in the status lines
};

}  // namespace

int sweep_command(const Arguments& arguments, const Arguments& command_line) {
  po::options_description options("exp sweep options");
  options.add_options()("jobs,j", po::value<int>()->default_value(1),
                        "combinations run at the same time (each a process)")(
      "runs-dir", po::value<std::string>()->default_value("runs"),
      "the sweep folder is DIR/sweeps/<experiment>-<UTC time>/")(
      "name", po::value<std::string>(), "experiment name (overrides `experiment`)")(
      "resume", po::value<std::string>(),
      "SWEEP_DIR: re-run the combinations of that sweep that did not complete");
  const auto parsed = parse_word_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp sweep CONFIG key=v1,v2,... [key2=a,b ...] [key=value ...] [--jobs N]\n"
        "                 [--runs-dir DIR] [--name NAME]\n"
        "       exp sweep --resume SWEEP_DIR [--jobs N]",
        "Runs `exp run CONFIG` once for every combination of the comma-separated values\n"
        "(the grid; the first key changes slowest). Commas inside brackets belong to one\n"
        "YAML value: model.hidden=[100,50] is one value, model.hidden=[50],[100] two. A\n"
        "key=value with one value applies to every run. Every combination's config is\n"
        "checked before anything runs: a mistake exits 2 and creates nothing.\n"
        "\n"
        "The sweep folder DIR/sweeps/<experiment>-<UTC time>/ holds each combination's run\n"
        "directory (<experiment>/<time>-<id>/, its log.txt has the run's output),\n"
        "output/<n>.txt (what the n-th combination's `exp run` printed, errors included)\n"
        "and sweep.yaml: the config, the grid, and each combination with its run directory\n"
        "and status, rewritten atomically as runs start and end. One line is printed per\n"
        "finished combination, then the `exp compare` table of the sweep.\n"
        "\n"
        "An interrupted sweep is continued with --resume SWEEP_DIR: combinations whose run\n"
        "completed are kept; a run that stopped with a checkpoint continues in its own\n"
        "directory (`exp resume`); the others run again with the config file as it is now\n"
        "(an earlier run directory is kept and named in sweep.yaml under earlier_runs).\n"
        "Running the same command again starts a new sweep. SIGINT (Ctrl-C) stops\n"
        "launching, lets running combinations stop at the end of a step (they record\n"
        "themselves as interrupted, with a checkpoint) and exits 130.\n"
        "\n"
        "Exit status: 0 every combination completed, 1 some did not (failed or diverged),\n"
        "2 a config or command-line error, 130 interrupted.",
        options);
    return 0;
  }
  const int jobs = parsed.options["jobs"].as<int>();
  if (jobs < 1) throw po::error("--jobs " + std::to_string(jobs) + ": expected 1 or more");

  Sweep sweep;
  std::vector<std::size_t> pending;
  if (parsed.options.count("resume")) {
    if (!parsed.words.empty() || parsed.options.count("name"))
      throw po::error(
          "--resume takes the sweep folder only; its config and grid are in sweep.yaml");
    sweep = read_sweep_file(parsed.options["resume"].as<std::string>());
    check_grid(sweep);
    for (std::size_t i = 0; i < sweep.combinations.size(); ++i) {
      auto& combination = sweep.combinations[i];
      const fs::path run = sweep.folder / combination.run;
      const bool completed = !combination.run.empty() && is_run_directory(run) &&
                             read_run(run).status() == "completed";
      if (completed) {
        combination.status = "completed";
      } else {
        pending.push_back(i);
      }
    }
    std::cout << "resuming " << sweep.folder.string() << ": " << pending.size() << " of "
              << sweep.combinations.size() << " combinations to run" << std::endl;
  } else {
    if (parsed.words.empty()) throw po::error("missing CONFIG (a YAML config file); see --help");
    sweep.config = fs::absolute(parsed.words[0]).lexically_normal().string();
    for (std::size_t w = 1; w < parsed.words.size(); ++w) {
      const std::string& word = parsed.words[w];
      const auto equals = word.find('=');
      if (equals == std::string::npos || equals == 0)
        throw ConfigError("'" + word + "': expected key.path=value or key.path=v1,v2,...");
      const std::string key = word.substr(0, equals);
      const auto values = split_values(key, word.substr(equals + 1));
      if (values.size() == 1) {
        sweep.overrides.push_back(word);
        continue;
      }
      for (const auto& axis : sweep.grid) {
        if (axis.key == key) throw ConfigError("'" + word + "': " + key + " is swept twice");
      }
      sweep.grid.push_back({key, values});
    }
    if (parsed.options.count("name"))
      sweep.overrides.push_back("experiment=" + parsed.options["name"].as<std::string>());
    if (sweep.grid.empty())
      throw ConfigError(
          "nothing to sweep: give a key with two or more values, e.g. "
          "optimizer.lr=0.1,0.01");
    sweep.combinations = grid_combinations(sweep.grid);
    if (!fs::is_regular_file(sweep.config))
      throw ConfigError(parsed.words[0] + ": no such config file");
    const std::string experiment = check_grid(sweep);
    sweep.command = shell_quoted(command_line);
    sweep.created = utc_now();
    sweep.folder = create_sweep_folder(runs_dir_option(parsed.options), experiment);
    for (std::size_t i = 0; i < sweep.combinations.size(); ++i) pending.push_back(i);
    std::cout << "sweep of " << sweep.combinations.size() << " combinations, " << jobs
              << " at a time: " << sweep.folder.string() << std::endl;
  }
  write_sweep_file(sweep);

  SweepRunner runner(sweep, this_executable(command_line.empty() ? "exp" : command_line[0]), jobs,
                     sweep.combinations.size() - pending.size());
  const bool whole = runner.run(pending);
  write_sweep_file(sweep);

  std::vector<RunRecord> runs;
  for (const auto& combination : sweep.combinations) {
    if (!combination.run.empty() && is_run_directory(sweep.folder / combination.run))
      runs.push_back(read_run(sweep.folder / combination.run));
  }
  if (!runs.empty()) {
    std::cout << "\n";
    print_comparison(runs, {}, std::cout);
  }
  std::cout << "sweep folder: " << sweep.folder.string() << std::endl;
  if (!whole) return 130;
  for (const auto& combination : sweep.combinations) {
    if (combination.status != "completed") return 1;
  }
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(sweep, 20,
            "CONFIG key=v1,v2 ...  run every combination of the values (a grid), then compare",
            xp::cli::sweep_command)
