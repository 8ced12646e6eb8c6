#include "run_records.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/property_tree/json_parser.hpp>
#include <regex>
#include <set>

#include "exp/error.hpp"
#include "exp/run_status.hpp"
#include "sweep_file.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

void flatten(const YAML::Node& node, const std::string& path,
             std::map<std::string, std::string>& out) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      const std::string key = entry.first.Scalar();
      flatten(entry.second, path.empty() ? key : path + "." + key, out);
    }
    return;
  }
  if (node.IsScalar()) {
    out[path] = node.Scalar();
    return;
  }
  YAML::Emitter text;
  text << YAML::Flow << node;
  out[path] = text.c_str();
}

// The runs a sweep.yaml lists, or nothing if it cannot be read, in which case the
// folder is searched like any other.
std::vector<fs::path> runs_of_sweep(const fs::path& folder) {
  std::vector<fs::path> runs;
  try {
    for (const auto& combination : read_sweep_file(folder).combinations) {
      if (!combination.run.empty() && is_run_directory(folder / combination.run))
        runs.push_back(folder / combination.run);
    }
  } catch (const ConfigError&) {
    return {};
  }
  return runs;
}

// Whether the sweep a run belongs to (<sweep>/<experiment>/<run id>) records that
// Slurm stopped it (sweep_runner.hpp): the run itself only knows it was interrupted.
bool cancelled_by_slurm(const fs::path& run) {
  const fs::path sweep = fs::absolute(run).lexically_normal().parent_path().parent_path();
  if (!fs::is_regular_file(sweep / kSweepFile)) return false;
  const std::string name = fs::absolute(run).lexically_normal().lexically_relative(sweep).string();
  try {
    for (const auto& combination : read_sweep_file(sweep).combinations) {
      if (combination.run == name) return combination.status == "cancelled";
    }
  } catch (const ConfigError&) {
  }
  return false;
}

void collect_runs(const fs::path& folder, std::vector<fs::path>& runs) {
  if (is_run_directory(folder)) {
    runs.push_back(folder);
    return;
  }
  if (fs::is_regular_file(folder / kSweepFile)) {
    auto listed = runs_of_sweep(folder);
    if (!listed.empty()) {
      runs.insert(runs.end(), listed.begin(), listed.end());
      return;
    }
  }
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(folder, error)) {
    // Symbolic links are not followed: a link to runs/ inside runs/ would loop.
    if (entry.is_directory() && !entry.is_symlink()) collect_runs(entry.path(), runs);
  }
}

}  // namespace

std::string RunRecord::status() const {
  // A run's process holds run.lock while it lives; a lock left behind that nobody
  // holds means the process died without recording how (exp/run_status.hpp).
  const bool has_lock = fs::exists(dir / kRunLockFile);
  const bool dead = has_lock && !is_being_written(dir);
  if (summary_state == "missing") return dead ? "crashed" : has_lock ? "running" : "unknown";
  if (summary_state != "read") return "unreadable";
  const std::string status = field("status");
  if (status == "running" && dead) return "crashed";
  if (status == "interrupted" && cancelled_by_slurm(dir)) return "cancelled";
  return status.empty() ? "unknown" : status;
}

std::string RunRecord::field(const std::string& key) const {
  const auto value = summary.get_optional<std::string>(key);
  return !value || *value == "null" ? "" : *value;
}

std::optional<double> RunRecord::number(const std::string& key) const {
  return parse_number(field(key));
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string RunRecord::started() const {
  const std::string from_summary = field("started");
  if (!from_summary.empty()) return from_summary;
  // RunDirectory names runs <UTC YYYYmmddTHHMMSSZ>-<id>.
  static const std::regex id(R"((\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z-.*)");
  std::smatch part;
  const std::string folder = dir.filename().string();
  if (!std::regex_match(folder, part, id)) return "";
  return part[1].str() + "-" + part[2].str() + "-" + part[3].str() + "T" + part[4].str() + ":" +
         part[5].str() + ":" + part[6].str() + "Z";
}

bool is_run_directory(const fs::path& dir) {
  return fs::is_regular_file(dir / "config.yaml") || fs::is_regular_file(dir / "summary.json") ||
         fs::is_regular_file(dir / kRunLockFile);
}

RunRecord read_run(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw ConfigError(dir.string() + ": no such folder");
  if (!is_run_directory(dir))
    throw ConfigError(dir.string() + ": not a run directory (no config.yaml or summary.json)");
  RunRecord run;
  run.dir = dir;
  const fs::path absolute = fs::absolute(dir).lexically_normal();
  const fs::path name = absolute.filename().empty() ? absolute.parent_path() : absolute;
  run.name = (name.parent_path().filename() / name.filename()).string();
  try {
    flatten(YAML::LoadFile((dir / "config.yaml").string()), "", run.config);
  } catch (const YAML::Exception&) {
    // A run without a readable config still has a status worth showing.
  }
  const fs::path summary = dir / "summary.json";
  if (!fs::exists(summary)) {
    run.summary_state = "missing";
    return run;
  }
  try {
    boost::property_tree::read_json(summary.string(), run.summary);
    run.summary_state = "read";
  } catch (const boost::property_tree::json_parser_error&) {
    run.summary_state = "unreadable";
  }
  return run;
}

std::vector<fs::path> find_runs(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw ConfigError(folder.string() + ": no such folder");
  std::vector<fs::path> runs;
  collect_runs(folder, runs);
  std::sort(runs.begin(), runs.end());
  return runs;
}

std::vector<RunRecord> read_runs(const std::vector<fs::path>& folders) {
  std::vector<RunRecord> runs;
  for (const auto& folder : folders) {
    if (fs::is_directory(folder) && !is_run_directory(folder)) {
      const auto found = find_runs(folder);
      if (found.empty()) throw ConfigError(folder.string() + ": no run directories under it");
      for (const auto& run : found) runs.push_back(read_run(run));
    } else {
      runs.push_back(read_run(folder));
    }
  }
  return runs;
}

std::vector<std::string> differing_keys(const std::vector<RunRecord>& runs) {
  std::map<std::string, std::vector<std::string>> values;  // key -> value per run
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const auto& [key, value] : runs[r].config) {
      auto& column = values[key];
      column.resize(runs.size(), "\x01missing");
      column[r] = value;
    }
  }
  std::vector<std::string> keys;
  for (auto& [key, column] : values) {
    column.resize(runs.size(), "\x01missing");
    if (std::adjacent_find(column.begin(), column.end(), std::not_equal_to<>()) != column.end())
      keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> result_keys(const std::vector<std::string>& keys) {
  static const std::set<std::string> kSameResults = {"train.threads", "train.checkpoint_seconds",
                                                     "model.simd"};
  std::vector<std::string> kept;
  for (const auto& key : keys) {
    if (!kSameResults.count(key)) kept.push_back(key);
  }
  return kept;
}

std::string run_label(const RunRecord& run, const std::vector<std::string>& keys) {
  std::string label;
  for (const auto& key : keys) {
    const auto found = run.config.find(key);
    if (found == run.config.end()) continue;
    if (!label.empty()) label += " ";
    label += key + "=" + found->second;
  }
  return label;
}

std::vector<std::string> run_labels(const std::vector<RunRecord>& runs,
                                    const std::vector<std::string>& keys) {
  const auto chosen = !keys.empty()     ? keys
                      : runs.size() > 1 ? result_keys(differing_keys(runs))
                                        : std::vector<std::string>{};
  std::vector<std::string> labels;
  for (const auto& run : runs) {
    const std::string label = run_label(run, chosen);
    labels.push_back(label.empty() ? run.name : label);
  }
  return labels;
}

}  // namespace xp::cli
