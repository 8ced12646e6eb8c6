// Experiment configs: YAML files naming each part of an experiment by plugin name,
// with `extends:` inheritance and Hydra-style dotted overrides, checked with the
// position of every mistake.
//
//   auto source = xp::ConfigSource::load("configs/fashion_mnist.yaml",
//                                        {xp::Override::parse("optimizer.lr=0.01")});
//   xp::ExperimentConfig config = xp::resolve_config(source);  // throws xp::ConfigError
//   std::cout << config.to_yaml_text();                         // defaults filled in
//
// Every value remembers where it came from (which file of an `extends` chain, or
// which override), so an error points at the text the user has to change:
//   configs/base.yaml:7:9: optimizer.lr: expected a number, found 'fast'
//   override 'optimizer.lr=abc': optimizer.lr: expected a number, found 'abc'
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exp/parameters.hpp"
#include "exp/plugin.hpp"
#include "exp/plugin_registry.hpp"
#include "exp/train_settings.hpp"

namespace xp {

// One `key.path=value` from the command line; the value is parsed as YAML.
struct Override {
  std::string key_path;  // "optimizer.lr"
  YAML::Node value;      // 0.01
  std::string origin;    // how errors name it: "override 'optimizer.lr=0.01'"

  // Throws ConfigError for text that is not key.path=value or whose value is not YAML.
  static Override parse(const std::string& argument);
  // An override that a command-line option stands for (--threads 4 is train.threads=4).
  static Override from_option(const std::string& key_path, const std::string& value,
                              const std::string& option_text);
};

// The merged YAML of a config file, its `extends` chain and the overrides, with the
// origin of every value. Holds no plugin knowledge; resolve_config checks it.
class ConfigSource {
 public:
  // Reads file (and what it extends), then applies the overrides: parents before
  // children (`optimizer=...` before `optimizer.lr=...`), otherwise in order given.
  // Changing a plugin's name (in an extending file or an override) starts that
  // section afresh, so parameters of the old plugin do not leak into the new one.
  static ConfigSource load(const std::filesystem::path& file,
                           const std::vector<Override>& overrides = {});
  // The same for config text held in memory (tests, fuzzing): `name` stands for its
  // file in messages, and `extends` and plugin_paths are relative to its folder.
  static ConfigSource parse(const std::string& text, const std::filesystem::path& name,
                            const std::vector<Override>& overrides = {});

  const std::filesystem::path& file() const { return file_; }
  const YAML::Node& root() const { return root_; }
  // What the user may not expect and should hear of, one line each: an override that
  // names another plugin drops the keys the section had ("override
  // 'optimizer.name=momentum': drops optimizer.lr=0.1 ...").
  const std::vector<std::string>& notices() const { return *notices_; }
  // "file:line:column" for a value from a file, "override '...'" for an override.
  std::string locate(const std::string& key_path, const YAML::Node& node) const;
  Locate locator() const;

  struct Origin {
    std::string source;  // a file path, or the override's text
    bool is_file = true;
  };

 private:
  // load and parse: text is the file's content, or null to read the file.
  static ConfigSource load_text(const std::filesystem::path& file, const std::string* text,
                                const std::vector<Override>& overrides);

  std::filesystem::path file_;
  YAML::Node root_;
  std::shared_ptr<std::map<std::string, Origin>> origins_;  // key path -> origin
  std::shared_ptr<std::vector<std::string>> notices_ = std::make_shared<std::vector<std::string>>();
};

// One plugin section of a resolved config.
struct PluginChoice {
  PluginKind kind = PluginKind::dataset;
  std::string key_path;  // "optimizer"
  LoadedPlugin plugin;
  Parameters parameters;  // checked, defaults filled in
  std::string name() const { return plugin.info ? plugin.info->name : ""; }
};

// A config checked against the plugins it names: what `exp run` executes.
struct ExperimentConfig {
  std::filesystem::path file;
  std::string experiment;
  std::vector<std::filesystem::path> plugin_paths;  // absolute
  PluginChoice dataset, model, loss, gradient, optimizer;
  TrainSettings train;
  Locate locate;      // where a key path came from, for errors found later (factories)
  YAML::Node merged;  // the merged source, to find the value a later error is about

  // locate() of the value at key_path ("train.batch_size") in the merged source.
  std::string where(const std::string& key_path) const;

  std::vector<const PluginChoice*> plugins() const;  // in the order of the config
  // The fully resolved config: defaults filled in, overrides applied, no `extends`.
  // Loading it again gives the same experiment.
  YAML::Node to_yaml() const;
  std::string to_yaml_text() const;
};

// Checks every key of the source and resolves each plugin's parameters. Throws
// ConfigError ("<where>: <key path>: <problem>") on the first mistake.
ExperimentConfig resolve_config(const ConfigSource& source);

// The top-level keys of a config, for suggestions and help texts.
const std::vector<std::string>& config_keys();
const std::vector<std::string>& train_keys();

}  // namespace xp
