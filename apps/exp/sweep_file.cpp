#include "sweep_file.hpp"

#include <yaml-cpp/yaml.h>

#include <fstream>

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
  out << YAML::Key << "combinations" << YAML::Value << YAML::BeginSeq;
  for (const auto& combination : sweep.combinations) {
    out << YAML::BeginMap;
    out << YAML::Key << "overrides" << YAML::Value << YAML::Flow
        << string_list(combination.overrides);
    out << YAML::Key << "run" << YAML::Value << combination.run;
    out << YAML::Key << "status" << YAML::Value << combination.status;
    if (!combination.earlier_runs.empty())
      out << YAML::Key << "earlier_runs" << YAML::Value << string_list(combination.earlier_runs);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  const fs::path file = sweep.folder / kSweepFile;
  const fs::path temporary = sweep.folder / ".sweep.yaml.tmp";
  {
    std::ofstream stream(temporary, std::ios::trunc);
    stream << "# exp sweep: one run per combination of the grid; `exp sweep --resume "
              "<this folder>`\n# re-runs those that did not complete.\n"
           << out.c_str() << "\n";
    if (!stream) throw Error(temporary.string() + ": cannot write");
  }
  std::error_code error;
  fs::rename(temporary, file, error);
  if (error) throw Error(file.string() + ": cannot replace: " + error.message());
}

Sweep read_sweep_file(const fs::path& folder) {
  const fs::path file = folder / kSweepFile;
  if (!fs::is_regular_file(file))
    throw ConfigError(folder.string() + ": not a sweep folder (no sweep.yaml)");
  Sweep sweep;
  sweep.folder = folder;
  try {
    const YAML::Node root = YAML::LoadFile(file.string());
    sweep.config = root["config"].as<std::string>();
    sweep.overrides = read_string_list(root["overrides"]);
    for (const auto& axis : root["grid"])
      sweep.grid.push_back({axis.first.as<std::string>(), read_string_list(axis.second)});
    sweep.command = root["command"] ? root["command"].as<std::string>() : "";
    sweep.created = root["created"] ? root["created"].as<std::string>() : "";
    for (const auto& item : root["combinations"]) {
      SweepCombination combination;
      combination.overrides = read_string_list(item["overrides"]);
      combination.run = item["run"] ? item["run"].as<std::string>() : "";
      combination.status = item["status"] ? item["status"].as<std::string>() : "pending";
      combination.earlier_runs = read_string_list(item["earlier_runs"]);
      sweep.combinations.push_back(combination);
    }
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string() + ": cannot read: " + e.msg);
  }
  if (sweep.combinations.empty()) throw ConfigError(file.string() + ": lists no combinations");
  return sweep;
}

}  // namespace xp::cli
