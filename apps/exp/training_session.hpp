// What `exp run` and `exp resume` share: training an experiment in its run
// directory and recording everything there (metrics.csv, epochs.csv, checkpoints,
// summary.json kept current, params/*.npy at the end, the console and log.txt).
//
//   RunSummary summary;
//   summary.started_utc = utc_now();
//   describe_run(summary, experiment, run);
//   return train_in_run_directory(experiment, run, summary, log, stop, nullptr);
#pragma once

#include "exp/callbacks.hpp"
#include "exp/checkpoint.hpp"
#include "exp/experiment.hpp"
#include "exp/run_directory.hpp"
#include "exp/run_log.hpp"
#include "exp/run_summary.hpp"

namespace xp::cli {

// Fills the parts of summary that describe this process and the experiment it
// runs: names, planned steps, seed, threads, host, pid, source revision, plugins.
void describe_run(RunSummary& summary, Experiment& experiment, const RunDirectory& run);

// The identity this run's checkpoints carry (run_identity): its config.yaml as
// written in the run directory, and its plugins' kinds, names and versions.
std::string checkpoint_identity(const RunDirectory& run, const RunSummary& summary);

// Trains from the start, or from `from` (its parameters, optimizer state, random
// stream and metric rows), and records the outcome. The caller holds the run's
// RunLock and installed `stop` before creating or opening the run (so a signal in
// between still ends the run cleanly). Returns the exit status: 0 completed, 3 diverged, 130
// interrupted (a checkpoint to resume from is written), 1 failed (summary.json says why).
// watcher: one more callback, told of each step and evaluation after the metric files
// have them on disk (exp run --report). save_initial: a fresh run also writes its
// initial parameters to params_initial/*.npy (exp run --save-initial).
int train_in_run_directory(Experiment& experiment, const RunDirectory& run, RunSummary& summary,
                           RunLog& log, StopOnSignal& stop, const Checkpoint* from,
                           TrainingCallback* watcher = nullptr, bool save_initial = false);

// What a rank other than 0 of an MPI job does: the same training, step for step (its
// share of each gradient, the same batches and updates), writing nothing. Returns
// the exit status the run ends with on every rank.
int train_beside_rank_zero(Experiment& experiment, StopOnSignal& stop, const Checkpoint* from);

// Refuses (xp::ConfigError, on every rank) to start an MPI job whose processes do not
// have the same resolved config and data as rank 0: their gradients would not fit
// together. Nothing to check for a process alone.
void check_same_inputs(Experiment& experiment);

}  // namespace xp::cli
