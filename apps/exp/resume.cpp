// exp resume: continue a stopped run in its own directory from its checkpoint, with
// its own resolved config.yaml, so that it ends bit-identical to a run that never
// stopped (parameters and every metric row; only the seconds column differs).
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/callbacks.hpp"
#include "exp/checkpoint.hpp"
#include "exp/error.hpp"
#include "exp/experiment.hpp"
#include "exp/run_directory.hpp"
#include "exp/run_log.hpp"
#include "exp/run_status.hpp"
#include "process_launch.hpp"
#include "training_session.hpp"

namespace xp::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

// The parts of the previous summary.json that a resumed run keeps: when it began, its
// earlier resumptions and plugin changes; and a line for each plugin whose file is
// not the one the run used so far. The rest is described afresh by this process.
// Returns how many plugins_changed lines were there before (the rest are new).
std::size_t keep_history(const fs::path& dir, RunSummary& summary) {
  pt::ptree previous;
  pt::read_json((dir / "summary.json").string(), previous);
  summary.started_utc = previous.get<std::string>("started", "");
  if (const auto changed = previous.get_child_optional("plugins_changed")) {
    for (const auto& [key, line] : *changed) summary.plugins_changed.push_back(line.data());
  }
  const std::size_t earlier = summary.plugins_changed.size();
  // A plugin file that is not the one the run used so far: named, not hidden.
  if (const auto plugins = previous.get_child_optional("plugins")) {
    for (const auto& [key, before] : *plugins) {
      for (const auto& now : summary.plugins) {
        if (now.kind != before.get<std::string>("kind", "")) continue;
        const std::string sha = before.get<std::string>("sha256", "");
        if (now.sha256 != sha) {
          summary.plugins_changed.push_back(now.kind + " " + now.name + ": " + now.file +
                                            " has SHA-256 " + now.sha256 + "; the run used " +
                                            before.get<std::string>("file", "") + " with " + sha);
        }
      }
    }
  }
  if (const auto resumed = previous.get_child_optional("resumed")) {
    for (const auto& [key, entry] : *resumed) {
      summary.resumed.push_back(
          {entry.get<std::size_t>("at_step", 0), entry.get<std::string>("utc", "")});
    }
  }
  return earlier;
}

std::string file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string() + ": cannot read the run's config");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a rank other than 0 of `mpirun -np N exp resume` does: rank 0 checks the run
// and reads it, then hands every rank the run's config and the verified checkpoint
// (so only rank 0 needs the run directory), and all continue the run together.
int resume_beside_rank_zero(const fs::path& dir, const std::vector<Override>& overrides,
                            StopOnSignal& stop) {
  ProcessGroup& group = process_group();
  std::string config_text;
  group.broadcast(config_text);
  Experiment experiment(
      resolve_config(ConfigSource::parse(config_text, dir / "config.yaml", overrides)), group);
  check_same_inputs(experiment);
  group.hosts();  // rank 0 gathers them for summary.json
  std::string identity;
  std::string bytes;
  group.broadcast(identity);
  group.broadcast(bytes);
  const Checkpoint checkpoint = Checkpoint::from_bytes(bytes, "rank 0's checkpoint", identity);
  return train_beside_rank_zero(experiment, stop, &checkpoint);
}

}  // namespace

int resume_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp resume options");
  options.add_options()("threads", po::value<std::string>(),
                        "worker threads, 0 = all (results do not depend on it)")(
      "quiet", po::bool_switch(),
      "print only the run directory (errors still go to stderr; log.txt is written as usual)");
  const WordArguments parsed = parse_word_arguments(arguments, options, 1);
  if (parsed.help || parsed.words.empty()) {
    print_help("exp resume RUN_DIR [--threads N] [--quiet]",
               "Continues an interrupted, failed or crashed run in its own directory from its\n"
               "checkpoint.bin, with its own config.yaml: metrics.csv and epochs.csv are cut to\n"
               "the checkpoint's rows and continued, and the run ends as it would have without\n"
               "stopping. summary.json lists each resumption. A completed or diverged run, a\n"
               "run still being written and a run without a checkpoint are refused (exit 2).",
               options);
    return parsed.help ? 0 : 2;
  }
  const fs::path dir = parsed.words.front();
  std::vector<Override> overrides;
  if (parsed.options.count("threads")) {
    const auto threads = parsed.options["threads"].as<std::string>();
    overrides.push_back(Override::from_option("train.threads", threads, "--threads " + threads));
  }
  ProcessGroup& group = process_group();
  if (group.rank() != 0) {
    StopOnSignal stop;
    return resume_beside_rank_zero(dir, overrides, stop);
  }
  const auto refuse = [&](const std::string& problem) {
    throw ConfigError(dir.string() + ": " + problem);
  };
  if (!fs::is_directory(dir)) refuse("no such run directory");

  // Installed before anything is written, so a signal from here on ends cleanly.
  StopOnSignal stop;
  RunStatus status = RunStatus::running;
  try {
    status = effective_status(dir);
  } catch (const Error& e) {
    throw ConfigError(e.what());
  }
  if (status == RunStatus::running) {
    refuse("the run is still being written by a live process; stop it first (SIGINT)");
  }
  if (status == RunStatus::completed) refuse("the run is completed; there is nothing to resume");
  if (status == RunStatus::diverged) {
    refuse("the run diverged; resuming it would diverge again at the same step");
  }
  if (!has_checkpoint(dir)) {
    refuse(std::string("no checkpoint to resume from (") + kCheckpointFile +
           "): the run stopped before its first one");
  }
  std::optional<RunLock> lock;
  try {
    lock.emplace(dir);
  } catch (const Error& e) {
    throw ConfigError(e.what());
  }

  // The run's own resolved config: the same experiment, without re-resolving
  // `extends` or overrides that may have changed since. Only the threads may change
  // (a bigger machine), and the number of processes, since the results do not depend
  // on them.
  std::string config_text = file_text(dir / "config.yaml");
  group.broadcast(config_text);
  Experiment experiment(
      resolve_config(ConfigSource::parse(config_text, dir / "config.yaml", overrides)), group);
  check_same_inputs(experiment);
  const std::vector<std::string> hosts =
      group.size() > 1 ? group.hosts() : std::vector<std::string>{};
  const RunDirectory run = RunDirectory::open(dir);
  RunSummary summary;
  describe_run(summary, experiment, run);
  summary.hosts = hosts;
  // Verified before anything is written: a damaged checkpoint, or another run's,
  // would continue into results no run produced.
  Checkpoint checkpoint;
  std::string identity = checkpoint_identity(run, summary);
  try {
    checkpoint = read_checkpoint(dir, identity);
  } catch (const Error& e) {
    throw ConfigError(e.what());
  }
  const std::size_t at_step = checkpoint.point.progress.steps;
  if (std::size_t(checkpoint.theta.size()) != experiment.model().layout().size()) {
    refuse(std::string(kCheckpointFile) + ": holds " + std::to_string(checkpoint.theta.size()) +
           " parameters, the run's model has " +
           std::to_string(experiment.model().layout().size()));
  }
  if (at_step > summary.total_steps) {
    refuse(std::string(kCheckpointFile) + ": stands at step " + std::to_string(at_step) +
           ", past the run's " + std::to_string(summary.total_steps));
  }
  // --quiet, as for exp run: the console gets the run directory only.
  const bool quiet = parsed.options["quiet"].as<bool>();
  std::ostream silent(nullptr);
  RunLog log(quiet ? silent : std::cout);
  log.open(run.file("log.txt"));
  if (quiet) std::cout << run.path().string() << std::endl;
  const std::size_t earlier_changes = keep_history(dir, summary);
  for (std::size_t i = earlier_changes; i < summary.plugins_changed.size(); ++i) {
    log.stream() << "warning: plugin changed since the run started: " << summary.plugins_changed[i]
                 << std::endl;
  }
  if (group.size() > 1) {
    std::string bytes = checkpoint.to_bytes(identity);
    group.broadcast(identity);
    group.broadcast(bytes);
  }
  summary.resumed.push_back({at_step, utc_now()});
  log.stream() << "run directory: " << run.path().string() << "\nresuming after step " << at_step
               << " of " << summary.total_steps << " (the run was " << to_string(status) << ")"
               << std::endl;
  const int exit_status = train_in_run_directory(experiment, run, summary, log, stop, &checkpoint);
  if (quiet && exit_status == 1) std::cerr << "exp resume: failed: " << summary.error << std::endl;
  return exit_status;
}

}  // namespace xp::cli

EXP_COMMAND(resume, 15,
            "RUN_DIR  continue an interrupted or crashed run from its checkpoint, bit-identically",
            xp::cli::resume_command)
