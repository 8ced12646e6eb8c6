#include "sweep_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "exp/durable_file.hpp"
#include "exp/error.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

YAML::Node string_list(const std::vector<std::string>& texts) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const auto& text : texts) list.push_back(text);
  return list;
}

std::vector<std::string> read_string_list(const YAML::Node& node) {
  std::vector<std::string> texts;
  if (node && node.IsSequence()) {
    for (const auto& item : node) texts.push_back(item.as<std::string>());
  }
  return texts;
}

void write_slurm_settings(YAML::Emitter& out, const SlurmSettings& slurm) {
  out << YAML::Key << "slurm" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "partition" << YAML::Value << slurm.partition;
  out << YAML::Key << "time" << YAML::Value << slurm.time;
  out << YAML::Key << "cpus_per_task" << YAML::Value << slurm.cpus_per_task;
  out << YAML::Key << "max_parallel" << YAML::Value << slurm.max_parallel;
  out << YAML::Key << "nodes_per_run" << YAML::Value << slurm.nodes_per_run;
  out << YAML::Key << "options" << YAML::Value << YAML::Flow << string_list(slurm.options);
  out << YAML::Key << "jobs" << YAML::Value << YAML::Flow << string_list(slurm.jobs);
  out << YAML::EndMap;
}

SlurmSettings read_slurm_settings(const YAML::Node& node) {
  SlurmSettings slurm;
  if (!node) return slurm;
  slurm.partition = node["partition"].as<std::string>("");
  slurm.time = node["time"].as<std::string>("");
  slurm.cpus_per_task = node["cpus_per_task"].as<int>(0);
  slurm.max_parallel = node["max_parallel"].as<int>(0);
  slurm.nodes_per_run = node["nodes_per_run"].as<int>(1);
  slurm.options = read_string_list(node["options"]);
  slurm.jobs = read_string_list(node["jobs"]);
  return slurm;
}

// Holds an exclusive flock on a file for as long as it lives.
class FolderLock {
 public:
  explicit FolderLock(const fs::path& file)
      : descriptor_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    int locked = -1;
    if (descriptor_ >= 0) {
      // A signal (Ctrl-C, Slurm's SIGTERM) interrupts the wait: wait again.
      do {
        locked = ::flock(descriptor_, LOCK_EX);
      } while (locked != 0 && errno == EINTR);
    }
    if (descriptor_ < 0 || locked != 0) {
      const int error = errno;
      if (descriptor_ >= 0) ::close(descriptor_);
      throw Error(file.string() + ": cannot lock (" + std::strerror(error) + ")");
    }
  }
  ~FolderLock() { ::close(descriptor_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int descriptor_;
};

}  // namespace

void write_sweep_file(const Sweep& sweep) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "config" << YAML::Value << sweep.config;
  out << YAML::Key << "overrides" << YAML::Value << YAML::Flow << string_list(sweep.overrides);
  out << YAML::Key << "grid" << YAML::Value << YAML::BeginMap;
  for (const auto& axis : sweep.grid)
    out << YAML::Key << axis.key << YAML::Value << YAML::Flow << string_list(axis.values);
  out << YAML::EndMap;
  out << YAML::Key << "command" << YAML::Value << sweep.command;
  out << YAML::Key << "created" << YAML::Value << sweep.created;
  out << YAML::Key << "launcher" << YAML::Value << sweep.launcher;
  if (sweep.launcher == "slurm") write_slurm_settings(out, sweep.slurm);
  out << YAML::Key << "combinations" << YAML::Value << YAML::BeginSeq;
  for (const auto& combination : sweep.combinations) {
    out << YAML::BeginMap;
    out << YAML::Key << "overrides" << YAML::Value << YAML::Flow
        << string_list(combination.overrides);
    out << YAML::Key << "run" << YAML::Value << combination.run;
    out << YAML::Key << "status" << YAML::Value << combination.status;
    if (!combination.earlier_runs.empty())
      out << YAML::Key << "earlier_runs" << YAML::Value << string_list(combination.earlier_runs);
    if (!combination.job.empty()) out << YAML::Key << "job" << YAML::Value << combination.job;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  std::string text =
      "# exp sweep: one run per combination of the grid; `exp sweep --resume <this folder>`\n"
      "# re-runs those that did not complete.\n";
  text += out.c_str();
  text += "\n";
  // Temporary file, fsync, rename: a reader, a crash or a full disk never leaves half
  // a file for the next writer to build on.
  write_durably(sweep.folder / kSweepFile, text);
}

Sweep read_sweep_file(const fs::path& folder) {
  const fs::path file = folder / kSweepFile;
  if (!fs::is_regular_file(file))
    throw ConfigError(folder.string() + ": not a sweep folder (no sweep.yaml)");
  Sweep sweep;
  // "runs/sweeps/x/" names the folder x, as "runs/sweeps/x" does.
  sweep.folder = folder.has_filename() ? folder : folder.parent_path();
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    sweep.config = root["config"].as<std::string>();
    sweep.overrides = read_string_list(root["overrides"]);
    for (const auto& axis : root["grid"])
      sweep.grid.push_back({axis.first.as<std::string>(), read_string_list(axis.second)});
    sweep.command = root["command"] ? root["command"].as<std::string>() : "";
    sweep.created = root["created"] ? root["created"].as<std::string>() : "";
    sweep.launcher = root["launcher"].as<std::string>("local");
    sweep.slurm = read_slurm_settings(root["slurm"]);
    for (const auto& item : root["combinations"]) {
      SweepCombination combination;
      combination.overrides = read_string_list(item["overrides"]);
      combination.run = item["run"] ? item["run"].as<std::string>() : "";
      combination.status = item["status"] ? item["status"].as<std::string>() : "pending";
      combination.earlier_runs = read_string_list(item["earlier_runs"]);
      combination.job = item["job"].as<std::string>("");
      sweep.combinations.push_back(combination);
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": cannot read: " + e.msg);
  }
  if (sweep.combinations.empty()) throw ConfigError(file.string() + ": lists no combinations");
  return sweep;
}

Sweep update_sweep_file(const fs::path& folder, const std::function<void(Sweep&)>& change) {
  const FolderLock lock(folder / ".sweep.lock");
  Sweep sweep = read_sweep_file(folder);
  change(sweep);
  write_sweep_file(sweep);
  return sweep;
}

}  // namespace xp::cli
