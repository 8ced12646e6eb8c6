// sweep.yaml: what `exp sweep` was asked (config, overrides, grid, launcher) and each
// combination's run directory and status. Rewritten atomically as runs start and
// end, read back by `exp sweep --resume`, `--status` and `exp compare` of a sweep
// folder. Under Slurm several processes (one per array task) write it at once, so
// changes go through update_sweep_file, which holds the folder's lock.
//
//   xp::cli::update_sweep_file(folder, [](xp::cli::Sweep& sweep) {
//     sweep.combinations[0].status = "completed";   // the others as on disk now
//   });
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace xp::cli {

inline constexpr const char* kSweepFile = "sweep.yaml";

// One key with the values it takes ("optimizer.lr" -> "1", "0.1", "0.01").
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

struct SweepCombination {
  std::vector<std::string> overrides;     // "optimizer.lr=0.1", one per axis
  std::string run;                        // its run directory, relative to the sweep folder
  std::string status = "pending";         // pending, running, or the run's final status
  std::vector<std::string> earlier_runs;  // runs of it that a resume replaced
  std::string job;                        // the Slurm array task that ran it last ("812_3")
  std::string label() const {
    std::string text;
    for (const auto& change : overrides) text += (text.empty() ? "" : " ") + change;
    return text;
  }
};

// How `--launcher slurm` submits the grid (sweep.sbatch says the same).
struct SlurmSettings {
  std::string partition;             // "" = the cluster's default
  std::string time;                  // per task, HH:MM:SS; "" = the partition's default
  int cpus_per_task = 0;             // 0 = Slurm's default
  int max_parallel = 0;              // tasks running at once; 0 = no limit
  int nodes_per_run = 1;             // > 1: each combination is one MPI run over the nodes
  std::vector<std::string> options;  // more sbatch options, as given ("--account=x")
  std::vector<std::string> jobs;     // the array job of each submission, oldest first
};

// A sweep as sweep.yaml records it.
struct Sweep {
  std::filesystem::path folder;        // holds sweep.yaml and the runs
  std::string config;                  // absolute path of the config file
  std::vector<std::string> overrides;  // the same for every combination
  std::vector<SweepAxis> grid;
  std::vector<SweepCombination> combinations;
  std::string command;
  std::string created;
  std::string launcher = "local";  // or "slurm"
  SlurmSettings slurm;             // for launcher "slurm"
};

// Writes folder/sweep.yaml through a temporary file renamed over it, so a reader (or
// a crash) never sees half a file. For a new sweep folder, before anything else
// writes it. Throws xp::Error.
void write_sweep_file(const Sweep& sweep);

// Reads folder's sweep.yaml, lets `change` edit it and writes it back, all under an
// exclusive lock of folder/.sweep.lock (flock), so concurrent writers each keep the
// others' changes. Returns the sweep as written. Throws xp::Error, xp::ConfigError.
Sweep update_sweep_file(const std::filesystem::path& folder,
                        const std::function<void(Sweep&)>& change);

// Throws xp::ConfigError when folder has no readable sweep.yaml.
Sweep read_sweep_file(const std::filesystem::path& folder);

}  // namespace xp::cli
