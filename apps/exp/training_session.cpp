#include "training_session.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "exp/callbacks.hpp"
#include "tensor_files.hpp"
#include "exp/durable_file.hpp"
#include "exp/error.hpp"
#include "exp/npy.hpp"
#include "exp/number_format.hpp"
#include "exp/progress_display.hpp"
#include "exp/run_plots.hpp"
#include "exp/sha256.hpp"
#include "exp/trainer.hpp"

namespace xp::cli {

namespace {

// Models this small are the chapter's calculus listings: their parameters are the answer.
constexpr std::size_t kPrintParametersUpTo = 20;

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

// The summary of a run continued from a checkpoint starts where the checkpoint stands.
void record_progress(RunSummary& summary, const TrainingProgress& progress) {
  summary.steps = progress.steps;
  summary.final_loss = progress.final_loss;
  summary.final_train_accuracy = progress.final_train_accuracy;
  summary.final_test_accuracy = progress.final_test_accuracy;
  summary.best_test_accuracy = progress.best_test_accuracy;
  summary.wall_seconds = progress.seconds;
  summary.steps_per_second = progress.seconds > 0 ? double(progress.steps) / progress.seconds : 0;
  summary.spent = progress.spent;
  summary.quality = progress.quality;
}

// Puts the checkpoint's parameters, optimizer state and random stream in place.
Vector restore(Experiment& experiment, const Checkpoint& from, Random& rng) {
  const std::size_t size = experiment.model().layout().size();
  if (std::size_t(from.theta.size()) != size) {
    throw Error("checkpoint holds " + std::to_string(from.theta.size()) +
                " parameters, but the run's model has " + std::to_string(size));
  }
  experiment.optimizer().restore(from.optimizer);
  experiment.gradient().restore(from.gradient_method);
  rng.restore(from.rng);
  return from.theta;
}

}  // namespace

std::string checkpoint_identity(const RunDirectory& run, const RunSummary& summary) {
  std::ifstream in(run.file("config.yaml"), std::ios::binary);
  if (!in) throw Error(run.file("config.yaml").string() + ": cannot read the run's config");
  std::ostringstream config;
  config << in.rdbuf();
  std::vector<std::string> plugins;
  for (const auto& plugin : summary.plugins) {
    plugins.push_back(plugin.kind + " " + plugin.name + " " + plugin.version);
  }
  return run_identity(config.str(), plugins);
}

int train_beside_rank_zero(Experiment& experiment, StopOnSignal& stop, const Checkpoint* from) {
  Random rng(experiment.config().train.seed);
  Vector theta = from ? restore(experiment, *from, rng) : experiment.initial_parameters(rng);
  const TrainingOutcome outcome =
      Trainer(experiment).run(theta, rng, {&stop}, from ? &from->point : nullptr);
  return exit_status(outcome.status);
}

void check_same_inputs(Experiment& experiment) {
  ProcessGroup& group = experiment.group();
  if (group.size() == 1) return;
  Sha256 inputs;
  inputs.update(experiment.config().to_yaml_text());
  for (const auto& data : experiment.data_records()) inputs.update(data.sha256);
  const std::string mine = inputs.hex_digest();
  std::string first = mine;
  group.broadcast(first);
  // Which ranks differ, known to all, so that rank 0 can name them.
  std::vector<double> differs(group.size());
  std::vector<std::size_t> slots(group.size() + 1);
  for (std::size_t r = 0; r <= group.size(); ++r) slots[r] = r;
  differs[group.rank()] = mine != first ? 1.0 : 0.0;
  group.all_gather(differs.data(), slots);
  std::string ranks;
  for (std::size_t r = 0; r < group.size(); ++r) {
    if (differs[r] != 0.0) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
  }
  if (ranks.empty()) return;
  throw ConfigError("rank " + ranks +
                    " resolved another config or read other data than rank 0 (the SHA-256 of "
                    "the resolved config and the data files differs); every host needs the same "
                    "config, plugins and data files");
}

void describe_run(RunSummary& summary, Experiment& experiment, const RunDirectory& run) {
  const ExperimentConfig& config = experiment.config();
  summary.experiment = config.experiment;
  summary.run = run.id();
  summary.total_steps = config.train.total_steps(experiment.train_size());
  summary.seed = config.train.seed;
  summary.threads = experiment.pool().size();
  summary.processes = experiment.group().size();
  summary.host = host_name();
  summary.pid = long(::getpid());
  summary.source = source_revision(EXP_SOURCE_DIR);
  summary.plugins = experiment.plugin_records();
  summary.data = experiment.data_records();
}

int train_in_run_directory(Experiment& experiment, const RunDirectory& run, RunSummary& summary,
                           RunLog& log, StopOnSignal& stop, const Checkpoint* from,
                           TrainingCallback* watcher, bool save_initial) {
  const ExperimentConfig& config = experiment.config();
  summary.status = RunStatus::running;
  if (from) record_progress(summary, from->point.progress);
  run.replace_atomically("summary.json", summary.to_json());

  try {
    // A live line on a terminal, plain lines elsewhere; log.txt gets the plain lines.
    // Under mpirun, stdout may be a terminal the launcher forwards, or a pipe behind it.
    const bool redraw = stdout_is_terminal() && experiment.group().size() == 1;
    ProgressDisplay printer(log.console(), redraw, &log.file());
    MetricFiles files(run, 1000, from ? std::optional(from->rows) : std::nullopt);
    SummaryUpdater updater(run, summary);
    CheckpointWriter checkpoints(run, files, config.train.checkpoint_seconds,
                                 checkpoint_identity(run, summary));
    Random rng(config.train.seed);
    Vector theta = from ? restore(experiment, *from, rng) : experiment.initial_parameters(rng);
    if (save_initial && !from)
      write_tensor_files(run.folder("params_initial"), experiment.model().layout(), theta);
    std::vector<TrainingCallback*> callbacks = {&files, &checkpoints, &updater, &printer, &stop};
    if (watcher) callbacks.push_back(watcher);
    const TrainingOutcome outcome =
        Trainer(experiment).run(theta, rng, callbacks, from ? &from->point : nullptr);

    // Every final file whole and on the disk before the summary says how the run
    // ended, and that before the checkpoint goes: a failure on the way (a full disk)
    // leaves `failed` with the reason, or at worst the checkpoint to resume from.
    write_tensor_files(run.folder("params"), experiment.model().layout(), theta);
    files.flush();
    // Diverged and interrupted runs too: their curves show what happened.
    draw_run_plots(run.path(), config.experiment, log.stream());
    summary.status = outcome.status;
    summary.steps = outcome.steps;
    summary.diverged_step = outcome.diverged_step;
    summary.final_loss = outcome.final_loss;
    summary.final_train_accuracy = outcome.final_train_accuracy;
    summary.final_test_accuracy = outcome.final_test_accuracy;
    summary.best_test_accuracy = outcome.best_test_accuracy;
    summary.wall_seconds = outcome.wall_seconds;
    summary.steps_per_second = outcome.steps_per_second();
    summary.spent = outcome.spent;
    summary.quality = outcome.quality;
    summary.communication_seconds = experiment.group().communication_seconds();
    run.replace_atomically("summary.json", summary.to_json());
    // Nothing is left to resume; a diverged run would only diverge again.
    if (outcome.status != RunStatus::interrupted) {
      remove_checkpoint(run);
      sync_folder(run.path());
    }

    if (theta.size() <= Eigen::Index(kPrintParametersUpTo)) {
      for (const auto& tensor : experiment.model().layout().tensors()) {
        log.stream() << format_tensor(tensor.name, theta.data() + tensor.offset, tensor.rows,
                                      tensor.cols, tensor.is_vector)
                     << "\n";
      }
    }
    if (outcome.status == RunStatus::interrupted) {
      log.stream() << "interrupted by signal " << StopOnSignal::signal_number() << " after step "
                   << outcome.steps << "; metrics so far are kept; continue with\n  exp resume "
                   << shell_quoted({run.path().string()}) << std::endl;
    }
    return exit_status(outcome.status);
  } catch (const std::exception& e) {
    summary.status = RunStatus::failed;
    summary.error = e.what();
    log.stream() << "exp: run failed: " << e.what() << std::endl;
    try {
      run.replace_atomically("summary.json", summary.to_json());
    } catch (const std::exception& also) {
      // Even the summary cannot be written (a full disk): the checkpoint, if the run
      // got to one, is untouched and resumes once there is room.
      log.stream() << "exp: and the summary could not record it: " << also.what()
                   << (has_checkpoint(run.path())
                           ? "; free some space and continue with exp resume " +
                                 shell_quoted({run.path().string()})
                           : std::string())
                   << std::endl;
    }
    return 1;
  }
}

}  // namespace xp::cli
