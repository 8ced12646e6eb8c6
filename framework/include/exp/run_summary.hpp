// summary.json: what a run is doing or how it ended, with its final metrics, for
// people and for `exp compare`.
//
//   xp::RunSummary summary;
//   summary.status = xp::RunStatus::completed;
//   run.replace_atomically("summary.json", summary.to_json());
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exp/build_info.hpp"
#include "exp/evaluation_counts.hpp"
#include "exp/gradient_quality.hpp"
#include "exp/source_tree.hpp"

namespace xp {

// crashed is never written: it is what a reader (exp/run_status.hpp) reports for a
// run recorded as running whose process is gone (SIGKILL, out of memory, power loss).
enum class RunStatus { running, completed, diverged, interrupted, failed, crashed };
std::string_view to_string(RunStatus status);
std::optional<RunStatus> run_status_from_string(std::string_view word);

// One `exp resume` of the run: the step it continued from, and when.
struct Resumption {
  std::size_t at_step = 0;
  std::string utc;
};

struct PluginRecord {
  std::string kind, name, version, file;
  std::string sha256;  // of the file: the same name and version can hold other code
};

// A file the dataset was read from, and its SHA-256: the data's identity.
struct DataRecord {
  std::string file;
  std::string sha256;
};

struct RunSummary {
  RunStatus status = RunStatus::running;
  std::string error;  // what went wrong, for failed
  std::string experiment;
  std::string run;  // the run folder's name
  std::string started_utc;
  std::size_t steps = 0;        // taken so far
  std::size_t total_steps = 0;  // planned
  std::optional<std::size_t> diverged_step;
  std::optional<double> final_loss;
  std::optional<double> final_train_accuracy;
  std::optional<double> final_test_accuracy;
  std::optional<double> best_test_accuracy;
  double wall_seconds = 0.0;
  double steps_per_second = 0.0;
  // What the gradients cost (exp/evaluation_counts.hpp) and, with
  // train.gradient_quality_every, how close they came to backprop's on average.
  EvaluationCounts spent;
  QualitySums quality;
  std::uint64_t seed = 0;
  unsigned threads = 1;    // per process
  std::size_t processes = 1;         // MPI ranks that shared each gradient
  std::vector<std::string> hosts;    // of the ranks, by rank (empty: host alone)
  // Rank 0's seconds in MPI calls (transfers and waiting for the other ranks), in
  // this session of the run (a resumed run counts from its resumption).
  double communication_seconds = 0.0;
  std::string host;
  long pid = 0;  // of the process writing this run now (informative: see exp/run_status.hpp)
  std::vector<Resumption> resumed;
  SourceRevision source;  // git commit and whether the tree was dirty
  BuildInfo build = build_info();  // compiler, flags and library versions of libexp
  std::vector<PluginRecord> plugins;
  std::vector<DataRecord> data;
  // Plugins whose file differs (SHA-256) from the one the run started with, one line
  // each: a resumed run says so rather than silently continuing with other code.
  std::vector<std::string> plugins_changed;

  std::string to_json() const;
};

// This machine's host name.
std::string host_name();
// The current UTC time as ISO 8601 ("2024-01-31T12:00:00Z").
std::string utc_now();

}  // namespace xp
