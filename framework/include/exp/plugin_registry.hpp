// Finding, loading and instantiating plugins.
//
//   xp::PluginRegistry registry(xp::PluginRegistry::default_search_path({}));
//   const auto& plugin = registry.find(xp::PluginKind::loss, "mse");
//   auto loss = registry.create<xp::Loss>(plugin, xp::resolve_parameters(*plugin.info, {}, "loss", locate));
//
// A plugin of kind K named N lives in a file exp_K_N.so on the search path; the
// first directory that holds it wins. Search order: `plugin_paths:` from the config,
// then EXP_PLUGIN_PATH (colon separated), then the plugin folder next to the
// executable (<exe dir>/../lib/exp/plugins, the same in the build tree and an install).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "exp/error.hpp"
#include "exp/plugin.hpp"

namespace boost::dll {
class shared_library;
}

namespace xp {

// A plugin library that has been opened and whose entry point passed the checks.
struct LoadedPlugin {
  std::filesystem::path file;
  std::shared_ptr<boost::dll::shared_library> library;
  const PluginInfo* info = nullptr;
};

// Opens file, reads its entry point and checks API version, kind and name.
// Throws xp::Error naming the file on any failure.
LoadedPlugin load_plugin_file(const std::filesystem::path& file);

// Says where a config value came from, for error messages: "configs/a.yaml:3:7" or
// "override 'optimizer.lr=x'". The default uses the node's line and column.
using Locate = std::function<std::string(const std::string& key_path, const YAML::Node& node)>;
std::string locate_by_mark(const std::string& file, const YAML::Node& node);

// Checks `given` (a YAML mapping without the `name` key, or null for none) against
// the plugin's declared parameters and fills in defaults. `key_path` is the config
// path of the mapping ("optimizer"). Throws ConfigError: "<where>: <key>: <problem>".
Parameters resolve_parameters(const PluginInfo& info, const YAML::Node& given,
                              const std::string& key_path, const Locate& locate);

// Converts one YAML value to a parameter value of the declared type, checking range
// and choices; a scalar given for a list is a list of one. Throws ConfigError.
Parameters::Value parameter_value(const ParameterSpec& spec, const YAML::Node& node,
                                  const std::string& key_path, const Locate& locate);

// The value as YAML (for resolved configs and `exp plugins`).
YAML::Node to_yaml(const Parameters::Value& value);

class PluginRegistry {
 public:
  explicit PluginRegistry(std::vector<std::filesystem::path> search_path);

  // plugin_paths from a config first, then EXP_PLUGIN_PATH, then next to the executable.
  static std::vector<std::filesystem::path> default_search_path(
      const std::vector<std::filesystem::path>& config_paths);

  const std::vector<std::filesystem::path>& search_path() const { return search_path_; }

  // The plugin of that kind and name; throws ConfigError listing the known ones.
  const LoadedPlugin& find(PluginKind kind, const std::string& name);
  // Every plugin file on the search path, opened and checked: the first of each kind
  // and name (sorted by kind and name), the later ones it shadows, and the files
  // that could not be loaded (one message each, naming the file), so that one
  // broken library does not hide the others. Each file is first loaded in a child
  // process (fork): one whose loading ends the process (exit() or a crash in a
  // static constructor) is reported as a problem instead.
  struct Shadowed {
    LoadedPlugin plugin;
    std::filesystem::path winner;  // the file used instead
  };
  struct Discovery {
    std::vector<LoadedPlugin> plugins;
    std::vector<Shadowed> shadowed;
    std::vector<std::string> problems;
  };
  Discovery discover();
  std::vector<std::string> names(PluginKind kind);

  // Resolves parameters and calls the factory. The object keeps its library loaded.
  template <typename T>
  std::shared_ptr<T> create(PluginKind kind, const std::string& name, const YAML::Node& given,
                            const std::string& key_path, const Locate& locate,
                            const Context& context = {}) {
    return std::static_pointer_cast<T>(
        create_object(kind, name, given, key_path, locate, context, check<T>));
  }
  // Calls the factory with parameters already resolved. A ParameterError from the
  // factory is rethrown as xp::Error naming the plugin and parameter.
  template <typename T>
  static std::shared_ptr<T> create(const LoadedPlugin& plugin, const Parameters& parameters,
                                   const Context& context = {}) {
    return std::static_pointer_cast<T>(instantiate(plugin, parameters, context, check<T>));
  }

 private:
  using TypeCheck = bool (*)(const PluginObject*);
  template <typename T>
  static bool check(const PluginObject* object) {
    return dynamic_cast<const T*>(object) != nullptr;
  }
  std::shared_ptr<PluginObject> create_object(PluginKind kind, const std::string& name,
                                              const YAML::Node& given, const std::string& key_path,
                                              const Locate& locate, const Context& context,
                                              TypeCheck type_check);
  static std::shared_ptr<PluginObject> instantiate(const LoadedPlugin& plugin,
                                                   const Parameters& parameters, const Context& context,
                                                   TypeCheck type_check);

  std::vector<std::filesystem::path> search_path_;
  std::map<std::filesystem::path, LoadedPlugin> loaded_;
};

}  // namespace xp
