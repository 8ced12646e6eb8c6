// Checking a merged config against the plugins it names and the train section.
#include <algorithm>
#include <cctype>
#include <limits>
#include <sstream>
#include <utility>

#include "exp/config.hpp"
#include "exp/error.hpp"
#include "exp/suggest.hpp"

namespace xp {
namespace fs = std::filesystem;

namespace {

// A folder name may have at most 255 bytes (NAME_MAX); a sweep's folder adds a time
// stamp and a counter to the experiment's name, so names stop well short of it.
constexpr std::size_t kLongestExperimentName = 200;

constexpr double kUnbounded = std::numeric_limits<double>::infinity();

// The train section's keys, declared and checked like a plugin's parameters.
const ParameterSpec kTrainSpecs[] = {
    {.name = "iterations",
     .type = ParameterType::integer,
     .meaning = "steps to train",
     .minimum = 1},
    {.name = "epochs", .type = ParameterType::integer, .meaning = "epochs to train", .minimum = 1},
    {.name = "batch_size",
     .type = ParameterType::integer,
     .default_value = "100",
     .meaning = "samples per step",
     .minimum = 1},
    {.name = "sampling",
     .type = ParameterType::text,
     .default_value = "with_replacement",
     .meaning = "how batches are drawn",
     .choices = "with_replacement|shuffle"},
    {.name = "evaluate_every",
     .type = ParameterType::text,
     .default_value = "epoch",
     .meaning = "epoch, never, or a number of steps"},
    {.name = "seed",
     .type = ParameterType::integer,
     .default_value = "42",
     .meaning = "seed of initialisation, sampling and generated data",
     .minimum = 0},
    {.name = "threads",
     .type = ParameterType::integer,
     .default_value = "1",
     .meaning = "worker threads, 0 = all hardware threads",
     .minimum = 0,
     .maximum = 4096},
    positive_real("checkpoint_seconds", "60",
                  "training seconds between checkpoints, which `exp resume` continues from"),
    {.name = "gradient_quality_every",
     .type = ParameterType::integer,
     .default_value = "0",
     .meaning = "every K steps also compute the backprop gradient and record how the "
                "method's estimate compares (gradient_quality.csv); 0 = never",
     .minimum = 0},
};

std::string listed(const std::vector<std::string>& words) {
  std::string list;
  for (const auto& word : words) list += (list.empty() ? "" : ", ") + word;
  return list;
}

struct Checker {
  const ConfigSource& source;

  [[noreturn]] void fail(const std::string& key_path, const YAML::Node& node,
                         const std::string& problem) const {
    throw ConfigError(source.locate(key_path, node) + ": " + key_path + ": " + problem);
  }

  void reject_unknown_keys(const YAML::Node& map, const std::string& prefix,
                           const std::vector<std::string>& known) const {
    for (const auto& entry : map) {
      const std::string key = entry.first.Scalar();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      fail(prefix.empty() ? key : prefix + "." + key, entry.first,
           "unknown key" + did_you_mean(key, known) + "; expected one of " + listed(known));
    }
  }

  PluginChoice plugin(PluginRegistry& registry, PluginKind kind) const {
    PluginChoice choice;
    choice.kind = kind;
    choice.key_path = std::string(to_string(kind));
    const YAML::Node section = source.root()[choice.key_path];
    if (!section || section.IsNull()) {
      fail(choice.key_path, source.root(),
           "missing section; name a " + choice.key_path + " plugin: " + choice.key_path +
               ": {name: ...} (`exp plugins " + choice.key_path + "` lists them)");
    }
    if (!section.IsMap()) fail(choice.key_path, section, "expected a mapping with a name");
    const YAML::Node name = section["name"];
    const std::string name_path = choice.key_path + ".name";
    if (!name || !name.IsScalar() || name.Scalar().empty()) {
      fail(name_path, name ? name : section, "missing the plugin name (name: ...)");
    }
    try {
      choice.plugin = registry.find(kind, name.Scalar());
    } catch (const ConfigError& e) {
      fail(name_path, name, e.what());
    }
    choice.parameters =
        resolve_parameters(*choice.plugin.info, section, choice.key_path, source.locator());
    return choice;
  }

  TrainSettings train() const {
    TrainSettings settings;
    const YAML::Node section = source.root()["train"];
    if (!section || section.IsNull()) {
      fail("train", source.root(), "missing section; say at least train: {iterations: N}");
    }
    if (!section.IsMap()) fail("train", section, "expected a mapping");
    reject_unknown_keys(section, "train", train_keys());
    const Locate locate = source.locator();
    const auto value = [&](const char* key) -> std::optional<Parameters::Value> {
      const auto& spec =
          *std::find_if(std::begin(kTrainSpecs), std::end(kTrainSpecs),
                        [&](const ParameterSpec& s) { return key == std::string(s.name); });
      const std::string path = std::string("train.") + key;
      const YAML::Node given = section[key];
      if (given && !given.IsNull()) return parameter_value(spec, given, path, locate);
      if (spec.default_value == nullptr) return std::nullopt;
      return parameter_value(spec, YAML::Load(spec.default_value), path, locate);
    };
    const auto count = [](const std::optional<Parameters::Value>& v) -> std::optional<std::size_t> {
      if (!v) return std::nullopt;
      return std::size_t(std::get<std::int64_t>(*v));
    };
    settings.iterations = count(value("iterations"));
    settings.epochs = count(value("epochs"));
    if (settings.iterations.has_value() == settings.epochs.has_value()) {
      const std::string problem = settings.iterations
                                      ? "gives both iterations and epochs; keep one"
                                      : "says neither iterations nor epochs; give one";
      fail("train", section, problem);
    }
    settings.batch_size = *count(value("batch_size"));
    settings.sampling = *sampling_from_string(std::get<std::string>(*value("sampling")));
    settings.seed = std::uint64_t(std::get<std::int64_t>(*value("seed")));
    settings.threads = unsigned(std::get<std::int64_t>(*value("threads")));
    settings.checkpoint_seconds = std::get<double>(*value("checkpoint_seconds"));
    settings.gradient_quality_every = *count(value("gradient_quality_every"));

    const std::string cadence = std::get<std::string>(*value("evaluate_every"));
    if (cadence == "epoch") {
      settings.evaluate_every.kind = EvaluationCadence::Kind::epoch;
    } else if (cadence == "never") {
      settings.evaluate_every.kind = EvaluationCadence::Kind::never;
    } else {
      const ParameterSpec steps{
          .name = "evaluate_every", .type = ParameterType::integer, .minimum = 1};
      const YAML::Node given = section["evaluate_every"];
      try {
        settings.evaluate_every.every = std::size_t(
            std::get<std::int64_t>(parameter_value(steps, given, "train.evaluate_every", locate)));
      } catch (const ConfigError&) {
        fail("train.evaluate_every", given,
             "expected epoch, never or a number of steps >= 1, found '" + cadence + "'" +
                 did_you_mean(cadence, {"epoch", "never"}));
      }
      settings.evaluate_every.kind = EvaluationCadence::Kind::steps;
    }
    return settings;
  }

  std::string experiment() const {
    const YAML::Node given = source.root()["experiment"];
    if (!given || given.IsNull()) return source.file().stem().string();
    if (!given.IsScalar()) fail("experiment", given, "expected a name");
    const std::string& name = given.Scalar();
    const bool usable =
        !name.empty() && name[0] != '.' && std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
        });
    if (!usable) {
      fail("experiment", given,
           "'" + name + "' cannot name a run folder; use letters, digits, '_', '-' and '.'");
    }
    if (name.size() > kLongestExperimentName) {
      fail("experiment", given,
           "a name of " + std::to_string(name.size()) + " characters cannot name a run folder; " +
               "use at most " + std::to_string(kLongestExperimentName));
    }
    return name;
  }
};

YAML::Node section_yaml(const PluginChoice& choice) {
  YAML::Node node(YAML::NodeType::Map);
  node["name"] = choice.name();
  // Declared order, as `exp plugins` lists them.
  for (const auto& spec : choice.plugin.info->parameters) {
    node[spec.name] = to_yaml(choice.parameters.values().at(spec.name));
  }
  return node;
}

}  // namespace

const std::vector<std::string>& config_keys() {
  static const std::vector<std::string> keys = {"experiment", "extends",   "plugin_paths",
                                                "dataset",    "model",     "loss",
                                                "gradient",   "optimizer", "train"};
  return keys;
}

const std::vector<std::string>& train_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> names;
    for (const auto& spec : kTrainSpecs) names.emplace_back(spec.name);
    return names;
  }();
  return keys;
}

std::vector<const PluginChoice*> ExperimentConfig::plugins() const {
  return {&dataset, &model, &loss, &gradient, &optimizer};
}

ExperimentConfig resolve_config(const ConfigSource& source) {
  const Checker check{source};
  check.reject_unknown_keys(source.root(), "", config_keys());
  ExperimentConfig config;
  config.file = source.file();
  config.locate = source.locator();
  config.merged = source.root();
  config.experiment = check.experiment();
  if (const YAML::Node paths = source.root()["plugin_paths"]) {
    if (!paths.IsSequence()) check.fail("plugin_paths", paths, "expected a list of folders");
    for (const auto& path : paths) {
      if (!path.IsScalar()) check.fail("plugin_paths", path, "expected a folder");
      // Paths from an override are relative to the working directory.
      config.plugin_paths.push_back(fs::absolute(path.Scalar()).lexically_normal());
    }
  }
  PluginRegistry registry(PluginRegistry::default_search_path(config.plugin_paths));
  config.dataset = check.plugin(registry, PluginKind::dataset);
  config.model = check.plugin(registry, PluginKind::model);
  config.loss = check.plugin(registry, PluginKind::loss);
  config.gradient = check.plugin(registry, PluginKind::gradient);
  config.optimizer = check.plugin(registry, PluginKind::optimizer);
  config.train = check.train();
  // The folders the plugins came from, in search order, join plugin_paths: the
  // resolved config (and so a resumed run, which reads it) finds the same files
  // without the EXP_PLUGIN_PATH it was started with.
  for (const auto& folder : registry.search_path()) {
    const auto plugins = config.plugins();
    const bool used = std::any_of(plugins.begin(), plugins.end(), [&](const PluginChoice* choice) {
      return choice->plugin.file.parent_path() == folder;
    });
    const fs::path absolute = fs::absolute(folder).lexically_normal();
    if (used && std::find(config.plugin_paths.begin(), config.plugin_paths.end(), absolute) ==
                    config.plugin_paths.end()) {
      config.plugin_paths.push_back(absolute);
    }
  }
  return config;
}

std::string ExperimentConfig::where(const std::string& key_path) const {
  YAML::Node node = merged;
  std::stringstream keys(key_path);
  for (std::string key; std::getline(keys, key, '.');) {
    const YAML::Node next = node && node.IsMap() ? std::as_const(node)[key] : YAML::Node();
    if (!next) break;
    node.reset(next);
  }
  return locate(key_path, node);
}

YAML::Node ExperimentConfig::to_yaml() const {
  YAML::Node root(YAML::NodeType::Map);
  root["experiment"] = experiment;
  if (!plugin_paths.empty()) {
    YAML::Node paths(YAML::NodeType::Sequence);
    for (const auto& path : plugin_paths) paths.push_back(path.string());
    paths.SetStyle(YAML::EmitterStyle::Flow);
    root["plugin_paths"] = paths;
  }
  for (const PluginChoice* choice : plugins()) root[choice->key_path] = section_yaml(*choice);
  YAML::Node settings(YAML::NodeType::Map);
  if (train.iterations) settings["iterations"] = *train.iterations;
  if (train.epochs) settings["epochs"] = *train.epochs;
  settings["batch_size"] = train.batch_size;
  settings["sampling"] = std::string(to_string(train.sampling));
  settings["evaluate_every"] = train.evaluate_every.to_string();
  settings["seed"] = train.seed;
  settings["threads"] = train.threads;
  settings["checkpoint_seconds"] = xp::to_yaml(Parameters::Value(train.checkpoint_seconds));
  settings["gradient_quality_every"] = train.gradient_quality_every;
  root["train"] = settings;
  return root;
}

std::string ExperimentConfig::to_yaml_text() const {
  YAML::Emitter out;
  out << to_yaml();
  return std::string(out.c_str()) + "\n";
}

}  // namespace xp
