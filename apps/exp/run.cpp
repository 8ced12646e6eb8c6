// exp run: resolve the config, create the run directory, train, record everything.
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/callbacks.hpp"
#include "exp/experiment.hpp"
#include "exp/run_directory.hpp"
#include "exp/run_log.hpp"
#include "exp/run_status.hpp"
#include "live_report.hpp"
#include "process_launch.hpp"
#include "training_session.hpp"

namespace xp::cli {
namespace po = boost::program_options;

namespace {

std::string overrides_yaml(const std::vector<Override>& overrides) {
  YAML::Node map(YAML::NodeType::Map);
  for (const auto& change : overrides) map[change.key_path] = change.value;
  YAML::Emitter out;
  out << map;
  return std::string(out.c_str()) + "\n";
}

}  // namespace

int run_command(const Arguments& arguments, const Arguments& command_line) {
  po::options_description options("exp run options");
  add_runs_dir_option(options, "folder that holds the runs: DIR/<experiment>/<time>-<id>/");
  options.add_options()(
      "name", po::value<std::string>(), "experiment name (overrides `experiment`)")(
      "threads", po::value<std::string>(), "worker threads, 0 = all (overrides train.threads)")(
      "quiet", po::bool_switch(),
      "print only the run directory's path (errors still go to stderr; log.txt is written as "
      "usual)")(
      "save-initial", po::bool_switch(),
      "also write the initial parameters, params_initial/*.npy (the final ones are params/)")(
      "report", po::bool_switch(),
      "keep DIR/report.html (exp report of the runs in --runs-dir) current: rewritten after "
      "evaluations, at most every 5 s, and at the end");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp run CONFIG [key.path=value ...] [--runs-dir DIR] [--name NAME] [--threads N] "
        "[--quiet] [--report] [--save-initial]",
        "Trains as CONFIG says, with the overrides applied after the file, and writes a run\n"
        "directory: config.yaml (resolved), overrides.yaml, command.txt, metrics.csv,\n"
        "epochs.csv, summary.json, params/*.npy, log.txt; checkpoint.bin while the run can\n"
        "be resumed (exp resume), run.lock while it is being written; loss.svg and\n"
        "accuracy.svg when it ends. On a terminal a live progress line is redrawn in place;\n"
        "otherwise a plain line is printed every total/20 steps.",
        options);
    return 0;
  }
  std::vector<Override> overrides = parsed.parsed_overrides();
  if (parsed.options.count("name")) {
    const auto name = parsed.options["name"].as<std::string>();
    overrides.push_back(Override::from_option("experiment", name, "--name " + name));
  }
  if (parsed.options.count("threads")) {
    const auto threads = parsed.options["threads"].as<std::string>();
    overrides.push_back(Override::from_option("train.threads", threads, "--threads " + threads));
  }

  // Everything that can be the user's mistake is found before the run directory exists.
  const std::string runs_dir = runs_dir_option(parsed.options);
  const ConfigSource source = ConfigSource::load(parsed.config, overrides);
  for (const auto& notice : source.notices()) std::cerr << notice << std::endl;
  Experiment experiment(resolve_config(source), process_group());
  const ExperimentConfig& config = experiment.config();
  check_same_inputs(experiment);
  const std::vector<std::string> hosts =
      experiment.group().size() > 1 ? experiment.group().hosts() : std::vector<std::string>{};

  // From here a signal stops the run at the end of a step, with its files complete.
  StopOnSignal stop;
  // Under mpirun rank 0 alone writes the run directory and prints.
  if (experiment.group().rank() != 0) return train_beside_rank_zero(experiment, stop, nullptr);
  // --quiet: the console gets the run directory only; log.txt records as usual.
  const bool quiet = parsed.options["quiet"].as<bool>();
  std::ostream silent(nullptr);
  RunLog log(quiet ? silent : std::cout);
  const RunDirectory run =
      RunDirectory::create(runs_dir, config.experiment);
  // Held until the process ends: how readers tell a live run from a killed one.
  const RunLock lock(run.path());
  log.open(run.file("log.txt"));
  run.write_new("config.yaml", config.to_yaml_text());
  run.write_new("overrides.yaml", overrides_yaml(overrides));
  run.write_new("command.txt", shell_quoted(command_line) + "\n");

  RunSummary summary;
  summary.started_utc = utc_now();
  describe_run(summary, experiment, run);
  summary.hosts = hosts;
  log.stream() << "run directory: " << run.path().string() << std::endl;
  if (quiet) std::cout << run.path().string() << std::endl;
  std::optional<LiveReport> report;
  if (parsed.options["report"].as<bool>()) report.emplace(runs_dir, log.stream());
  const int status =
      train_in_run_directory(experiment, run, summary, log, stop, nullptr,
                             report ? &*report : nullptr, parsed.options["save-initial"].as<bool>());
  if (report) {
    report->write();
    log.stream() << "report: " << report->file().string() << std::endl;
  }
  if (quiet && status == 1) std::cerr << "exp run: failed: " << summary.error << std::endl;
  return status;
}

}  // namespace xp::cli

EXP_COMMAND(
    run, 10,
    "CONFIG [key.path=value ...]  train as the config says; writes runs/<experiment>/<time>-<id>/",
    xp::cli::run_command)
