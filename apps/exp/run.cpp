// exp run: resolve the config, create the run directory, train, record everything.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/callbacks.hpp"
#include "exp/experiment.hpp"
#include "exp/npy.hpp"
#include "exp/number_format.hpp"
#include "exp/run_directory.hpp"
#include "exp/run_log.hpp"
#include "exp/trainer.hpp"

namespace xp::cli {
namespace po = boost::program_options;

namespace {

// Models this small are the chapter's calculus listings: their parameters are the answer.
constexpr std::size_t kPrintParametersUpTo = 20;

std::string overrides_yaml(const std::vector<Override>& overrides) {
  YAML::Node map(YAML::NodeType::Map);
  for (const auto& change : overrides) map[change.key_path] = change.value;
  YAML::Emitter out;
  out << map;
  return std::string(out.c_str()) + "\n";
}

void write_parameters(const RunDirectory& run, const Model& model, const Vector& theta) {
  const auto folder = run.folder("params");
  for (const auto& tensor : model.layout().tensors()) {
    const auto shape = tensor.is_vector ? std::vector<std::size_t>{tensor.size()}
                                        : std::vector<std::size_t>{tensor.rows, tensor.cols};
    write_npy(folder / (tensor.name + ".npy"), theta.data() + tensor.offset, shape);
  }
}

int exit_status(RunStatus status) {
  switch (status) {
    case RunStatus::completed:
      return 0;
    case RunStatus::diverged:
      return 3;
    case RunStatus::interrupted:
      return 130;
    default:
      return 1;
  }
}

}  // namespace

int run_command(const Arguments& arguments, const Arguments& command_line) {
  po::options_description options("exp run options");
  options.add_options()("runs-dir", po::value<std::string>()->default_value("runs"),
                        "folder that holds the runs: DIR/<experiment>/<time>-<id>/")(
      "name", po::value<std::string>(), "experiment name (overrides `experiment`)")(
      "threads", po::value<std::string>(), "worker threads, 0 = all (overrides train.threads)");
  const ConfigArguments parsed = parse_config_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp run CONFIG [key.path=value ...] [--runs-dir DIR] [--name NAME] [--threads N]",
        "Trains as CONFIG says, with the overrides applied after the file, and writes a run\n"
        "directory: config.yaml (resolved), overrides.yaml, command.txt, metrics.csv,\n"
        "epochs.csv, summary.json, params/*.npy, log.txt.",
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
  Experiment experiment(resolve_config(ConfigSource::load(parsed.config, overrides)));
  const ExperimentConfig& config = experiment.config();

  // From here a signal stops the run at the end of a step, with its files complete.
  StopOnSignal stop;
  RunLog log(std::cout);
  const RunDirectory run =
      RunDirectory::create(parsed.options["runs-dir"].as<std::string>(), config.experiment);
  log.open(run.file("log.txt"));
  run.write_new("config.yaml", config.to_yaml_text());
  run.write_new("overrides.yaml", overrides_yaml(overrides));
  run.write_new("command.txt", shell_quoted(command_line) + "\n");

  RunSummary summary;
  summary.experiment = config.experiment;
  summary.run = run.id();
  summary.started_utc = utc_now();
  summary.total_steps = config.train.total_steps(experiment.train_size());
  summary.seed = config.train.seed;
  summary.threads = experiment.pool().size();
  summary.host = host_name();
  summary.source = source_revision(EXP_SOURCE_DIR);
  summary.plugins = experiment.plugin_records();
  run.replace_atomically("summary.json", summary.to_json());
  log.stream() << "run directory: " << run.path().string() << std::endl;

  try {
    ProgressPrinter printer(log.stream());
    MetricFiles files(run);
    SummaryUpdater updater(run, summary);
    Random rng(config.train.seed);
    Vector theta = experiment.initial_parameters(rng);
    const TrainingOutcome outcome =
        Trainer(experiment).run(theta, rng, {&files, &updater, &printer, &stop});

    write_parameters(run, experiment.model(), theta);
    summary.status = outcome.status;
    summary.steps = outcome.steps;
    summary.diverged_step = outcome.diverged_step;
    summary.final_loss = outcome.final_loss;
    summary.final_train_accuracy = outcome.final_train_accuracy;
    summary.final_test_accuracy = outcome.final_test_accuracy;
    summary.best_test_accuracy = outcome.best_test_accuracy;
    summary.wall_seconds = outcome.wall_seconds;
    summary.steps_per_second = outcome.steps_per_second();
    run.replace_atomically("summary.json", summary.to_json());

    if (theta.size() <= Eigen::Index(kPrintParametersUpTo)) {
      for (const auto& tensor : experiment.model().layout().tensors()) {
        log.stream() << format_tensor(tensor.name, theta.data() + tensor.offset, tensor.rows,
                                      tensor.cols, tensor.is_vector)
                     << "\n";
      }
    }
    if (outcome.status == RunStatus::interrupted) {
      log.stream() << "interrupted by signal " << StopOnSignal::signal_number() << " after step "
                   << outcome.steps - 1 << "; metrics so far are kept\n";
    }
    log.stream() << "run directory: " << run.path().string() << std::endl;
    return exit_status(outcome.status);
  } catch (const std::exception& e) {
    summary.status = RunStatus::failed;
    summary.error = e.what();
    run.replace_atomically("summary.json", summary.to_json());
    log.stream() << "exp run: failed: " << e.what() << "\nrun directory: " << run.path().string()
                 << std::endl;
    return 1;
  }
}

}  // namespace xp::cli

EXP_COMMAND(
    run, 10,
    "CONFIG [key.path=value ...]  train as the config says; writes runs/<experiment>/<time>-<id>/",
    xp::cli::run_command)
