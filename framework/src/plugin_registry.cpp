#include "exp/plugin_registry.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <sstream>

#include "exp/plugin_load_guard.hpp"
#include "exp/suggest.hpp"

namespace xp {
namespace fs = std::filesystem;

namespace {

constexpr const char* kEntryPoint = "exp_plugin_info";
constexpr std::string_view kFilePrefix = "exp_";

std::string file_name_for(PluginKind kind, const std::string& name) {
  return std::string(kFilePrefix) + std::string(to_string(kind)) + "_" + name +
         boost::dll::shared_library::suffix().string();
}

bool looks_like_plugin_file(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.starts_with(kFilePrefix) && file.extension() == boost::dll::shared_library::suffix();
}

// Keeps the library alive for as long as the object it created: members are
// destroyed in reverse order, so the object goes before its code is unloaded.
struct KeepsLibrary {
  std::shared_ptr<boost::dll::shared_library> library;
  std::unique_ptr<PluginObject> object;
};

// The system loader's own words from Boost.DLL's message, which wraps them in text
// and ends with an unrelated errno ("... (dlerror system message: FILE: file too
// short): Bad file descriptor"): "file too short".
std::string loader_reason(const std::string& message, const fs::path& file) {
  const std::string marker = "dlerror system message: ";
  const std::size_t start = message.find(marker);
  const std::size_t end = message.rfind("):");
  if (start == std::string::npos || end == std::string::npos || end < start) return message;
  std::string reason = message.substr(start + marker.size(), end - start - marker.size());
  const std::string prefix = file.string() + ": ";
  if (reason.rfind(prefix, 0) == 0) reason.erase(0, prefix.size());
  return reason;
}

// A plugin's parameter declarations are the plugin author's, not the user's: a
// duplicate name or a default that its own type refuses is reported against the
// plugin file when it is loaded, not later as if a config were wrong.
void check_declarations(const fs::path& file, const PluginInfo& info) {
  std::vector<std::string_view> names;
  for (const ParameterSpec& spec : info.parameters) {
    const std::string_view name = spec.name == nullptr ? "" : spec.name;
    if (name.empty()) throw Error(file.string() + ": declares a parameter without a name");
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      throw Error(file.string() + ": declares parameter '" + std::string(name) + "' twice");
    }
    names.push_back(name);
    if (spec.default_value == nullptr) continue;
    try {
      const auto locate = [&](const std::string&, const YAML::Node&) {
        return std::string("default");
      };
      parameter_value(spec, YAML::Load(spec.default_value), std::string(name), locate);
    } catch (const std::exception& e) {
      throw Error(file.string() + ": the default '" + spec.default_value + "' of parameter '" +
                  std::string(name) + "' is not a valid " + std::string(to_string(spec.type)) +
                  " (" + e.what() + ")");
    }
  }
}

// Loads file in a child process first, so that a library whose loading ends the
// process (exit() or a crash in a static constructor) is reported, not the end of
// the caller. nullopt: it loads (or fails with an ordinary error, which the caller's
// own load reports).
std::optional<std::string> probe_in_child(const fs::path& file) {
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) return std::nullopt;  // no probe: the caller's load decides
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    if (null >= 0) ::dup2(null, STDERR_FILENO);
    try {
      load_plugin_file(file);
    } catch (...) {
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    return file.string() + ": crashed while being loaded (signal " +
           std::to_string(WTERMSIG(status)) + ")";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return file.string() +
           ": the plugin ended the process while being loaded (exit() in a static constructor?)";
  }
  return std::nullopt;
}

}  // namespace

LoadedPlugin load_plugin_file(const fs::path& file) {
  LoadedPlugin plugin;
  plugin.file = file;
  try {
    const PluginLoadGuard guard(file);
    plugin.library = std::make_shared<boost::dll::shared_library>(
        file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw Error(file.string() + ": cannot be loaded as a shared library (" +
                loader_reason(e.what(), file) + ")");
  }
  if (!plugin.library->has(kEntryPoint)) {
    throw Error(file.string() + ": not an exp plugin (it exports no '" + kEntryPoint + "')");
  }
  // The entry point is a variable holding a function pointer (Boost.DLL's alias):
  // a library may export the name with nothing behind it.
  using Entry = const PluginInfo& (*)();
  const Entry entry = plugin.library->get<Entry>(kEntryPoint);
  if (entry == nullptr) {
    throw Error(file.string() + ": its entry point '" + kEntryPoint + "' is a null pointer");
  }
  plugin.info = &entry();
  // The version is the first member and is read before anything else, so a
  // library built against another layout of PluginInfo is refused safely.
  if (plugin.info->api_version != kPluginApiVersion) {
    throw Error(file.string() + ": plugin API version " + std::to_string(plugin.info->api_version) +
                ", but this exp expects version " + std::to_string(kPluginApiVersion) +
                "; rebuild the plugin against this exp's headers");
  }
  // The layout of what crosses the boundary must agree, or memory is corrupted later.
  constexpr const char* kAbiEntry = "exp_plugin_abi";
  if (!plugin.library->has(kAbiEntry)) {
    throw Error(file.string() + ": exports no ABI fingerprint ('" + kAbiEntry +
                "'); rebuild it with EXP_PLUGIN from this exp's headers");
  }
  using AbiEntry = const AbiFingerprint& (*)();
  const AbiEntry abi = plugin.library->get<AbiEntry>(kAbiEntry);
  if (abi == nullptr) {
    throw Error(file.string() + ": its entry point '" + kAbiEntry + "' is a null pointer");
  }
  if (const std::string difference = abi_difference(abi(), exp_abi_fingerprint());
      !difference.empty()) {
    throw Error(file.string() + ": built with other settings than this exp (" + difference +
                "); rebuild it with the flags of the installed exp::framework target");
  }
  if (to_string(plugin.info->kind) == "unknown" || plugin.info->name == nullptr ||
      plugin.info->create == nullptr) {
    throw Error(file.string() +
                ": plugin info record is incomplete (kind, name or factory missing)");
  }
  check_declarations(file, *plugin.info);
  return plugin;
}

PluginRegistry::PluginRegistry(std::vector<fs::path> search_path)
    : search_path_(std::move(search_path)) {}

std::vector<fs::path> PluginRegistry::default_search_path(
    const std::vector<fs::path>& config_paths) {
  std::vector<fs::path> path = config_paths;
  if (const char* env = std::getenv("EXP_PLUGIN_PATH")) {
    std::stringstream entries(env);
    std::string entry;
    while (std::getline(entries, entry, ':')) {
      if (!entry.empty()) path.emplace_back(entry);
    }
  }
  path.push_back(boost::dll::program_location().parent_path().parent_path() / EXP_PLUGIN_SUBDIR);
  return path;
}

const LoadedPlugin& PluginRegistry::find(PluginKind kind, const std::string& name) {
  const std::string file_name = file_name_for(kind, name);
  for (const auto& directory : search_path_) {
    const fs::path file = directory / file_name;
    std::error_code ignored;
    if (!fs::exists(file, ignored)) continue;
    auto cached = loaded_.find(file);
    if (cached == loaded_.end()) cached = loaded_.emplace(file, load_plugin_file(file)).first;
    const PluginInfo& info = *cached->second.info;
    if (info.kind != kind || name != info.name) {
      throw Error(file.string() + ": file name says " + std::string(to_string(kind)) + " '" + name +
                  "', but the plugin calls itself " + std::string(to_string(info.kind)) + " '" +
                  info.name + "'");
    }
    return cached->second;
  }
  const auto known = names(kind);
  std::string list;
  for (const auto& known_name : known) list += (list.empty() ? "" : ", ") + known_name;
  throw ConfigError("unknown " + std::string(to_string(kind)) + " plugin '" + name + "'" +
                    did_you_mean(name, known) + "; known: " + (list.empty() ? "none" : list));
}

PluginRegistry::Discovery PluginRegistry::discover() {
  Discovery found;
  std::map<std::string, fs::path> first;  // "kind name" -> the file that wins
  for (const auto& directory : search_path_) {
    std::error_code error;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(directory, error)) {
      if (looks_like_plugin_file(entry.path())) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      auto cached = loaded_.find(file);
      if (cached == loaded_.end()) {
        if (auto fatal = probe_in_child(file)) {
          found.problems.push_back(std::move(*fatal));
          continue;
        }
        try {
          cached = loaded_.emplace(file, load_plugin_file(file)).first;
        } catch (const Error& e) {
          found.problems.push_back(e.what());
          continue;
        }
      }
      const auto& info = *cached->second.info;
      const std::string key = std::string(to_string(info.kind)) + " " + info.name;
      if (const auto winner = first.find(key); winner != first.end()) {
        found.shadowed.push_back({cached->second, winner->second});
        continue;
      }
      first.emplace(key, file);
      found.plugins.push_back(cached->second);
    }
  }
  std::sort(found.plugins.begin(), found.plugins.end(),
            [](const LoadedPlugin& a, const LoadedPlugin& b) {
              if (a.info->kind != b.info->kind) return a.info->kind < b.info->kind;
              return std::string_view(a.info->name) < std::string_view(b.info->name);
            });
  return found;
}

std::vector<std::string> PluginRegistry::names(PluginKind kind) {
  // Names come from file names, so one broken library does not hide the others.
  std::vector<std::string> found;
  const std::string prefix = std::string(kFilePrefix) + std::string(to_string(kind)) + "_";
  for (const auto& directory : search_path_) {
    std::error_code error;
    for (const auto& entry : fs::directory_iterator(directory, error)) {
      const std::string file = entry.path().filename().string();
      if (!looks_like_plugin_file(entry.path()) || !file.starts_with(prefix)) continue;
      const std::string name = entry.path().stem().string().substr(prefix.size());
      if (std::find(found.begin(), found.end(), name) == found.end()) found.push_back(name);
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::shared_ptr<PluginObject> PluginRegistry::create_object(
    PluginKind kind, const std::string& name, const YAML::Node& given, const std::string& key_path,
    const Locate& locate, const Context& context, TypeCheck type_check) {
  const LoadedPlugin& plugin = find(kind, name);
  const Parameters parameters = resolve_parameters(*plugin.info, given, key_path, locate);
  try {
    return instantiate(plugin, parameters, context, type_check);
  } catch (const ParameterError& e) {
    const std::string path = key_path + "." + e.parameter();
    const YAML::Node node = given && given.IsMap() ? given[e.parameter()] : YAML::Node();
    throw ConfigError(locate(path, node) + ": " + path + ": " + e.what());
  }
}

std::shared_ptr<PluginObject> PluginRegistry::instantiate(const LoadedPlugin& plugin,
                                                          const Parameters& parameters,
                                                          const Context& context,
                                                          TypeCheck type_check) {
  const PluginInfo& info = *plugin.info;
  auto holder = std::make_shared<KeepsLibrary>();
  holder->library = plugin.library;
  try {
    holder->object = info.create(parameters, context);
  } catch (const ParameterError&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(std::string(to_string(info.kind)) + " plugin '" + info.name + "' (" +
                plugin.file.string() + ") failed to start: " + e.what());
  } catch (...) {
    throw Error(std::string(to_string(info.kind)) + " plugin '" + info.name + "' (" +
                plugin.file.string() +
                ") failed to start: its factory threw something that is not a std::exception");
  }
  if (!holder->object) {
    throw Error(plugin.file.string() + ": the factory of " + std::string(to_string(info.kind)) +
                " plugin '" + info.name + "' returned no object (nullptr)");
  }
  if (!type_check(holder->object.get())) {
    throw Error(plugin.file.string() + ": factory did not return a " +
                std::string(to_string(info.kind)));
  }
  PluginObject* object = holder->object.get();
  return std::shared_ptr<PluginObject>(std::move(holder), object);
}

}  // namespace xp
