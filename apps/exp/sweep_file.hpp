// sweep.yaml: what `exp sweep` was asked (config, overrides, grid) and each
// combination's run directory and status. Rewritten atomically as runs start and
// end, read back by `exp sweep --resume` and by `exp compare` of a sweep folder.
//
//   xp::cli::Sweep sweep = xp::cli::read_sweep_file("runs/sweeps/synthetic-...");
//   sweep.combinations[0].status = "completed";
//   xp::cli::write_sweep_file(sweep);
#pragma once

#include <filesystem>
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
  std::string label() const {
    std::string text;
    for (const auto& change : overrides) text += (text.empty() ? "" : " ") + change;
    return text;
  }
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
};

// Writes folder/sweep.yaml through a temporary file renamed over it, so a reader (or
// a crash) never sees half a file. Throws xp::Error.
void write_sweep_file(const Sweep& sweep);

// Throws xp::ConfigError when folder has no readable sweep.yaml.
Sweep read_sweep_file(const std::filesystem::path& folder);

}  // namespace xp::cli
