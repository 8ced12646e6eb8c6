// exp sweep: the chapter's "try several values of a hyper-parameter" as a grid. Every
// combination is an `exp run` in a child process, its run directory inside one sweep
// folder, whose sweep.yaml says what was asked and how each combination ended.
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
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
#include "live_report.hpp"
#include "run_records.hpp"
#include "slurm_array.hpp"
#include "sweep_file.hpp"
#include "sweep_progress.hpp"
#include "sweep_runner.hpp"
#include "sweep_status.hpp"

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
// Notices (a plugin's keys dropped) are printed once each.
std::string check_grid(const Sweep& sweep) {
  std::string experiment;
  std::set<std::string> noticed;
  for (const auto& combination : sweep.combinations) {
    auto overrides = parse_overrides(sweep.overrides);
    const auto more = parse_overrides(combination.overrides);
    overrides.insert(overrides.end(), more.begin(), more.end());
    const ConfigSource source = ConfigSource::load(sweep.config, overrides);
    for (const auto& notice : source.notices()) {
      if (noticed.insert(notice).second) std::cerr << notice << std::endl;
    }
    const ExperimentConfig config = resolve_config(source);
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

// The sbatch settings given on the command line over those recorded (a resume may
// change the time limit, say); refuses them for the local launcher.
SlurmSettings slurm_settings(const po::variables_map& options, SlurmSettings settings,
                             const std::string& launcher) {
  const char* names[] = {"partition",  "time",         "cpus-per-task", "max-parallel",
                         "slurm-option", "nodes-per-run", "dry-run"};
  for (const char* name : names) {
    if (launcher != "slurm" && options.count(name) && !options[name].defaulted())
      throw po::error(std::string("--") + name + " is for --launcher slurm");
  }
  if (options.count("partition")) settings.partition = options["partition"].as<std::string>();
  if (options.count("time")) settings.time = options["time"].as<std::string>();
  if (options.count("cpus-per-task")) settings.cpus_per_task = options["cpus-per-task"].as<int>();
  if (options.count("max-parallel")) settings.max_parallel = options["max-parallel"].as<int>();
  if (options.count("nodes-per-run")) settings.nodes_per_run = options["nodes-per-run"].as<int>();
  if (options.count("slurm-option"))
    settings.options = options["slurm-option"].as<std::vector<std::string>>();
  if (options.count("cpus-per-task") && settings.cpus_per_task < 1)
    throw ConfigError("--cpus-per-task " + std::to_string(settings.cpus_per_task) +
                      ": expected 1 or more");
  if (options.count("max-parallel") && settings.max_parallel < 1)
    throw ConfigError("--max-parallel " + std::to_string(settings.max_parallel) +
                      ": expected 1 or more");
  check_slurm_settings(settings);
#ifndef EXP_WITH_MPI
  if (settings.nodes_per_run > 1)
    throw ConfigError("--nodes-per-run " + std::to_string(settings.nodes_per_run) +
                      ": this exp was built without MPI (EXP_MPI), so one run cannot span nodes");
#endif
  return settings;
}

// `--slurm-option --account=x` as `--slurm-option=--account=x`: its value starts with
// dashes, which the option parser would take for an option of exp's.
Arguments with_joined_slurm_options(const Arguments& arguments) {
  Arguments joined;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    if (arguments[i] == "--slurm-option" && i + 1 < arguments.size()) {
      joined.push_back("--slurm-option=" + arguments[++i]);
    } else {
      joined.push_back(arguments[i]);
    }
  }
  return joined;
}

// exp sweep --task I DIR: combination I, run here (by Slurm array task I, or by hand).
int run_task(std::size_t index, const fs::path& folder, const fs::path& program) {
  Sweep sweep = read_sweep_file(folder);
  if (index >= sweep.combinations.size())
    throw ConfigError("--task " + std::to_string(index) + ": " + (folder / kSweepFile).string() +
                      " has combinations 0 to " + std::to_string(sweep.combinations.size() - 1));
  const std::string number =
      std::to_string(index + 1) + "/" + std::to_string(sweep.combinations.size());
  // From the run directory alone: a thousand tasks should not each ask squeue.
  const SweepCombination& combination = sweep.combinations[index];
  if (!combination.run.empty() && is_run_directory(sweep.folder / combination.run) &&
      read_run(sweep.folder / combination.run).status() == "completed") {
    std::cout << "[" << number << "] already completed: " << sweep.combinations[index].run
              << std::endl;
    return 0;
  }
  SweepRunner runner(sweep, program, 1);
  const char* array_job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* array_task = std::getenv("SLURM_ARRAY_TASK_ID");
  if (array_job && array_task) {
    fs::path mpirun;
    if (sweep.slurm.nodes_per_run > 1) {
      mpirun = find_in_path("mpirun");
      if (mpirun.empty())
        throw Error("mpirun not found in PATH: combinations span " +
                    std::to_string(sweep.slurm.nodes_per_run) + " nodes (--nodes-per-run)");
    }
    runner.run_as_slurm_task(std::string(array_job) + "_" + array_task, mpirun);
  }
  std::cout << "[" << number << "] " << sweep.combinations[index].label() << std::endl;
  if (!runner.run({index})) return 130;
  return sweep.combinations[index].status == "completed" ? 0 : 1;
}

// The sweep a command line asks for: config, grid, shared overrides (no folder yet).
Sweep new_sweep(const WordArguments& parsed, const Arguments& command_line) {
  if (parsed.words.empty()) throw po::error("missing CONFIG (a YAML config file); see --help");
  Sweep sweep;
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
  sweep.command = shell_quoted(command_line);
  sweep.created = utc_now();
  return sweep;
}

// Writes sweep.sbatch and submits the pending combinations as one job array.
int submit(Sweep& sweep, const SlurmSettings& slurm, const std::vector<std::size_t>& pending,
           const fs::path& program, bool dry_run) {
  sweep.launcher = "slurm";
  sweep.slurm = slurm;
  update_sweep_file(sweep.folder, [&](Sweep& on_disk) {
    on_disk.launcher = "slurm";
    on_disk.slurm = slurm;
  });
  const fs::path script = write_slurm_script(sweep, program);
  if (pending.empty()) {
    std::cout << "nothing to submit: every combination completed or is queued in Slurm"
              << std::endl;
    return 0;
  }
  const std::string array = slurm_array_indices(pending, slurm.max_parallel);
  if (dry_run) {
    std::cout << "wrote " << script.string() << " (not submitted: --dry-run); submit it with\n"
              << "  sbatch --array=" << array << " " << script.string() << std::endl;
    return 0;
  }
  const std::string job = submit_slurm_array(sweep, pending, {});
  update_sweep_file(sweep.folder, [&](Sweep& on_disk) {
    on_disk.slurm.jobs.push_back(job);
    for (const std::size_t i : pending) {
      SweepCombination& combination = on_disk.combinations.at(i);
      const std::string task = job + "_" + std::to_string(i);
      if (combination.job == task) continue;  // the task has started and said so
      combination.job = task;
      combination.status = "submitted";
    }
  });
  std::cout << "submitted " << pending.size() << " combinations as Slurm job " << job
            << " (array " << array << "): " << sweep.folder.string() << "\n"
            << "follow it: exp sweep --status " << sweep.folder.string() << "   (or squeue -j "
            << job << ")" << std::endl;
  return 0;
}

int show_status(const fs::path& folder) {
  const Sweep sweep = read_sweep_file(folder);
  std::cout << "sweep " << sweep.folder.string() << " (" << sweep.launcher;
  if (!sweep.slurm.jobs.empty()) {
    std::cout << ", Slurm job";
    for (const auto& job : sweep.slurm.jobs) std::cout << " " << job;
  }
  std::cout << ")\n";
  const auto states = combination_states(sweep);
  print_sweep_status(sweep, states, std::cout);
  for (const auto& state : states) {
    if (state.state != "completed") return 1;
  }
  return 0;
}

}  // namespace

int sweep_command(const Arguments& arguments, const Arguments& command_line) {
  po::options_description options("exp sweep options");
  add_runs_dir_option(options, "the sweep folder is DIR/sweeps/<experiment>-<UTC time>/");
  options.add_options()("jobs,j", po::value<int>()->default_value(1),
                        "combinations run at the same time (each a process; local launcher)")(
      "name", po::value<std::string>(), "experiment name (overrides `experiment`)")(
      "resume", po::value<std::string>(),
      "SWEEP_DIR: run (or submit) again the combinations of that sweep that did not complete")(
      "status", po::value<std::string>(),
      "SWEEP_DIR: each combination's state (Slurm's queue and the run directories)")(
      "launcher", po::value<std::string>(),
      "local (default: child processes here) or slurm (one job array, sbatch)")(
      "partition", po::value<std::string>(), "slurm: the partition (sbatch --partition)")(
      "time", po::value<std::string>(), "slurm: time limit per combination, HH:MM:SS")(
      "cpus-per-task", po::value<int>(), "slurm: CPUs per combination (sbatch --cpus-per-task)")(
      "max-parallel", po::value<int>(), "slurm: combinations running at once (--array=...%K)")(
      "slurm-option", po::value<std::vector<std::string>>()->composing(),
      "slurm: one more sbatch option, e.g. --slurm-option=--account=NAME (repeatable)")(
      "nodes-per-run", po::value<int>(),
      "slurm: nodes per combination; above 1 each run is `mpirun exp run` over them")(
      "dry-run", po::bool_switch(), "slurm: write sweep.sbatch but do not submit it")(
      "report", po::bool_switch(),
      "keep SWEEP_DIR/report.html (exp report of the sweep) current while it runs (local "
      "launcher): rewritten every 5 s and at the end")(
      "task", po::value<std::size_t>(),
      "I SWEEP_DIR: run combination I (from 0) of that sweep here; what a Slurm array task "
      "does");
  const auto parsed = parse_word_arguments(with_joined_slurm_options(arguments), options);
  if (parsed.help) {
    print_help(
        "exp sweep CONFIG key=v1,v2,... [key2=a,b ...] [key=value ...] [--jobs N]\n"
        "                 [--runs-dir DIR] [--name NAME] [--report]\n"
        "       exp sweep CONFIG key=v1,v2,... ... --launcher slurm [--partition P]\n"
        "                 [--time HH:MM:SS] [--cpus-per-task N] [--max-parallel K]\n"
        "                 [--slurm-option OPT ...] [--nodes-per-run N] [--dry-run]\n"
        "       exp sweep --resume SWEEP_DIR [--jobs N | --launcher slurm ...]\n"
        "       exp sweep --status SWEEP_DIR",
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
        "finished combination, numbered in grid order, then the `exp compare` table.\n"
        "\n"
        "--launcher slurm writes sweep.sbatch, a job array whose task i runs combination i\n"
        "(`exp sweep --task i SWEEP_DIR`), submits it with sbatch and prints the job id;\n"
        "the build, the data and the sweep folder must be on a filesystem every node sees.\n"
        "--status shows where each combination stands (pending, running, completed,\n"
        "failed, cancelled, ...) from Slurm's queue and the run directories.\n"
        "\n"
        "An interrupted sweep is continued with --resume SWEEP_DIR, with the launcher it\n"
        "was started with unless --launcher says otherwise: combinations whose run\n"
        "completed are kept, as are those still queued in Slurm; a run that stopped with a\n"
        "checkpoint (interrupted, or cancelled by Slurm: scancel, time limit) continues in\n"
        "its own directory (`exp resume`); the others run again with the config file as it\n"
        "is now (an earlier run directory is kept and named in sweep.yaml under\n"
        "earlier_runs). Running the same command again starts a new sweep. SIGINT (Ctrl-C)\n"
        "stops launching, lets running combinations stop at the end of a step (they record\n"
        "themselves as interrupted, with a checkpoint) and exits 130.\n"
        "\n"
        "Exit status: 0 every combination completed (or, for slurm, the array was\n"
        "submitted), 1 some did not (failed or diverged; --status: not all completed),\n"
        "2 a config or command-line error, 130 interrupted.",
        options);
    return 0;
  }
  const fs::path program = this_executable(command_line.empty() ? "exp" : command_line[0]);
  if (parsed.options.count("status")) {
    if (!parsed.words.empty()) throw po::error("--status takes the sweep folder only");
    return show_status(parsed.options["status"].as<std::string>());
  }
  if (parsed.options.count("task")) {
    if (parsed.words.size() != 1) throw po::error("--task I takes the sweep folder: --task I DIR");
    return run_task(parsed.options["task"].as<std::size_t>(), parsed.words[0], program);
  }
  const int jobs = parsed.options["jobs"].as<int>();
  if (jobs < 1) throw po::error("--jobs " + std::to_string(jobs) + ": expected 1 or more");

  Sweep sweep;
  std::vector<std::size_t> pending;
  const bool resuming = parsed.options.count("resume") > 0;
  if (resuming) {
    if (!parsed.words.empty() || parsed.options.count("name"))
      throw po::error(
          "--resume takes the sweep folder only; its config and grid are in sweep.yaml");
    sweep = read_sweep_file(parsed.options["resume"].as<std::string>());
  } else {
    sweep = new_sweep(parsed, command_line);
  }
  const std::string launcher = parsed.options.count("launcher")
                                   ? parsed.options["launcher"].as<std::string>()
                                   : sweep.launcher;
  if (launcher != "local" && launcher != "slurm")
    throw po::error("--launcher '" + launcher + "': expected local or slurm");
  if (launcher == "slurm" && parsed.options["report"].as<bool>())
    throw po::error("--report is for the local launcher; for a Slurm sweep run exp report SWEEP_DIR");
  if (launcher == "slurm" && !parsed.options["jobs"].defaulted())
    throw po::error("--jobs is for the local launcher; with slurm use --max-parallel");
  const SlurmSettings slurm = slurm_settings(parsed.options, sweep.slurm, launcher);
  const std::string experiment = check_grid(sweep);

  if (resuming) {
    const auto states = combination_states(sweep);
    for (std::size_t i = 0; i < sweep.combinations.size(); ++i) {
      if (in_queue(states[i]) && launcher == "local")
        throw ConfigError("combination " + std::to_string(i + 1) + " is " + states[i].state +
                          " in Slurm as " + sweep.combinations[i].job +
                          ": wait for it or scancel it before resuming here");
      if (states[i].state != "completed" && !in_queue(states[i])) pending.push_back(i);
    }
    std::cout << "resuming " << sweep.folder.string() << ": " << pending.size() << " of "
              << sweep.combinations.size() << " combinations to run" << std::endl;
    if (launcher == "slurm") return submit(sweep, slurm, pending, program, parsed.options["dry-run"].as<bool>());
    update_sweep_file(sweep.folder, [&](Sweep& on_disk) { on_disk.launcher = "local"; });
  } else {
    for (std::size_t i = 0; i < sweep.combinations.size(); ++i) pending.push_back(i);
    if (launcher == "slurm") check_slurm_folder(runs_dir_option(parsed.options));
    sweep.folder = create_sweep_folder(runs_dir_option(parsed.options), experiment);
    sweep.launcher = launcher;
    sweep.slurm = slurm;
    write_sweep_file(sweep);
    if (launcher == "slurm") return submit(sweep, slurm, pending, program, parsed.options["dry-run"].as<bool>());
    std::cout << "sweep of " << sweep.combinations.size() << " combinations, " << jobs
              << " at a time: " << sweep.folder.string() << std::endl;
  }

  SweepRunner runner(sweep, program, jobs);
  std::optional<LiveReport> report;
  if (parsed.options["report"].as<bool>()) {
    report.emplace(sweep.folder, std::cerr);
    runner.keep_report(&*report);
  }
  SweepProgress progress(sweep, std::cout, isatty(STDOUT_FILENO) != 0);
  runner.show_progress(&progress);
  const bool whole = runner.run(pending);
  progress.clear();
  if (report) report->write();

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
  if (report) std::cout << "report: " << report->file().string() << std::endl;
  if (!whole) {
    std::cout << "interrupted; continue with\n  exp sweep --resume "
              << shell_quoted({sweep.folder.string()}) << std::endl;
    return 130;
  }
  for (const auto& combination : sweep.combinations) {
    if (combination.status != "completed") return 1;
  }
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(sweep, 20,
            "CONFIG key=v1,v2 ...  run every combination of the values (a grid), then compare",
            xp::cli::sweep_command)
