// Run directories as the commands that look back at runs see them (compare, ls, plot,
// sweep): the resolved config flattened to key paths, the summary, and what tells
// runs apart.
//
//   auto runs = xp::cli::read_runs(xp::cli::find_runs("runs/sweeps/synthetic-..."));
//   const auto keys = xp::cli::differing_keys(runs);     // {"optimizer.lr"}
//   for (const auto& run : runs) std::cout << run_label(run, keys) << "\n";
//                                                      // optimizer.lr=0.1
//
// Reading never throws for what is inside a run directory: a crash can leave a run
// without summary.json, and listing such a run honestly is the point.
#pragma once

#include <boost/property_tree/ptree.hpp>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xp::cli {

// The whole of text read as a number; nothing for "" or anything else.
std::optional<double> parse_number(const std::string& text);

struct RunRecord {
  std::filesystem::path dir;  // as found (relative paths stay relative)
  std::string name;           // "<experiment folder>/<run id>"
  // "optimizer.lr" -> "0.1", "model.hidden" -> "[100, 50]" (lists as flow YAML).
  std::map<std::string, std::string> config;
  boost::property_tree::ptree summary;  // empty unless summary_state is "read"
  std::string summary_state;            // "read", "missing" or "unreadable"

  // The summary's status; "crashed" for a run recorded as running (or without
  // summary.json) whose process is gone; "cancelled" for an interrupted run of a
  // sweep that Slurm stopped (its sweep.yaml says so); "unknown" (no summary.json,
  // no run.lock) or "unreadable".
  std::string status() const;
  // A summary field as written ("" when absent or null).
  std::string field(const std::string& key) const;
  // A numeric summary field, if present and a number.
  std::optional<double> number(const std::string& key) const;
  // When the run started, as ISO 8601 UTC: from the summary, else from the run id
  // ("20240131T120000Z-..."), else "".
  std::string started() const;
};

// A folder holding config.yaml, summary.json or run.lock (a run writes them as it
// starts).
bool is_run_directory(const std::filesystem::path& dir);

// Reads one run directory; throws xp::ConfigError if dir is not one.
RunRecord read_run(const std::filesystem::path& dir);

// The runs at or under folder, at any depth (runs/, runs/<experiment>/, a sweep
// folder), sorted by path. A sweep folder gives the runs its sweep.yaml lists, so runs
// it superseded on a resume are left out. Throws xp::ConfigError if folder is missing.
std::vector<std::filesystem::path> find_runs(const std::filesystem::path& folder);

// read_run of each folder; a folder that is not a run itself gives the runs under it.
std::vector<RunRecord> read_runs(const std::vector<std::filesystem::path>& folders);

// The config key paths whose values are not the same in every run (a key missing from
// some runs counts as differing), sorted.
std::vector<std::string> differing_keys(const std::vector<RunRecord>& runs);

// keys without those that cannot change a run's results (train.threads,
// train.checkpoint_seconds, model.simd: the same bits whatever their value), so that
// labels and legends name runs by what made them differ.
std::vector<std::string> result_keys(const std::vector<std::string>& keys);

// "optimizer.lr=0.1 model.hidden=[50]": the run's values of keys, in that order; keys
// the run's config lacks (another plugin's parameters) are left out.
std::string run_label(const RunRecord& run, const std::vector<std::string>& keys);

// A short label per run from `keys`, or by default from the keys that differ between
// the runs and can change results; the run's name when there are none (or a single
// run and no keys).
std::vector<std::string> run_labels(const std::vector<RunRecord>& runs,
                                    const std::vector<std::string>& keys = {});

}  // namespace xp::cli
