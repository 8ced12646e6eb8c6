// Reading a config file, following its `extends` chain and applying overrides,
// while remembering where every value came from.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

#include "exp/config.hpp"
#include "exp/error.hpp"

namespace xp {
namespace fs = std::filesystem;

namespace {

using Origins = std::map<std::string, ConfigSource::Origin>;

constexpr const char* kPluginSections[] = {"dataset", "model", "loss", "gradient", "optimizer"};

bool is_plugin_section(const std::string& key_path) {
  return std::find(std::begin(kPluginSections), std::end(kPluginSections), key_path) !=
         std::end(kPluginSections);
}

std::string join(const std::string& prefix, const std::string& key) {
  return prefix.empty() ? key : prefix + "." + key;
}

bool is_under(const std::string& path, const std::string& prefix) {
  return path == prefix ||
         (path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '.');
}

void erase_under(Origins& origins, const std::string& prefix) {
  for (auto it = origins.begin(); it != origins.end();) {
    it = is_under(it->first, prefix) ? origins.erase(it) : std::next(it);
  }
}

// Records origin for path and every key below it (sequence elements are located by
// their own marks, within the origin of the sequence).
void record(Origins& origins, const std::string& path, const YAML::Node& node,
            const ConfigSource::Origin& origin) {
  if (!path.empty()) origins[path] = origin;
  if (!node.IsMap()) return;
  for (const auto& entry : node) {
    if (entry.first.IsScalar())
      record(origins, join(path, entry.first.Scalar()), entry.second, origin);
  }
}

// `loss: cross_entropy` is short for `loss: {name: cross_entropy}`.
YAML::Node as_section(const YAML::Node& node) {
  if (!node.IsScalar()) return node;
  YAML::Node section(YAML::NodeType::Map);
  section["name"] = node;
  return section;
}

std::string plugin_name_of(const YAML::Node& section) {
  if (!section || !section.IsMap()) return "";
  const YAML::Node name = section["name"];
  return name && name.IsScalar() ? name.Scalar() : "";
}

std::string mark_of(const fs::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" +
         std::to_string(mark.column + 1);
}

// A config is a few hundred bytes of settings; these bounds only stop input that is
// not one (a device, a huge or generated file, an alias bomb) before it costs
// gigabytes or minutes.
constexpr std::uintmax_t kLargestConfigBytes = 4 << 20;
constexpr std::size_t kMostConfigValues = 100000;

std::string read_file(const fs::path& file) {
  // Only regular files: a directory reads as empty, a FIFO blocks forever, /dev/zero
  // never ends.
  std::error_code error;
  const fs::file_status status = fs::status(file, error);
  if (!error && fs::exists(status) && !fs::is_regular_file(status)) {
    const std::string what = fs::is_directory(status) ? "a directory"
                             : fs::is_fifo(status)    ? "a FIFO"
                                                      : "not a regular file";
    throw ConfigError(file.string() + ": is " + what + "; a config must be a YAML file");
  }
  if (!error && fs::exists(status)) {
    const std::uintmax_t size = fs::file_size(file, error);
    if (!error && size > kLargestConfigBytes) {
      throw ConfigError(file.string() + ": is " + std::to_string(size) +
                        " bytes; a config file may be at most 4 MiB");
    }
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ConfigError(file.string() + ": cannot read config file (" + std::strerror(errno) + ")");
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Walks every value of a parsed config once, as later steps would see it (an alias
// is visited wherever it is used): refuses a mapping that repeats a key (YAML says
// keys are unique; yaml-cpp keeps the first silently) and a document that expands to
// more than kMostConfigValues values.
void check_tree(const YAML::Node& root, const fs::path& file) {
  std::size_t visited = 0;
  std::vector<YAML::Node> pending{root};
  while (!pending.empty()) {
    const YAML::Node node = pending.back();
    pending.pop_back();
    if (++visited > kMostConfigValues) {
      throw ConfigError(file.string() + ": expands to more than " +
                        std::to_string(kMostConfigValues) +
                        " values (nested YAML aliases?); a config is a short list of settings");
    }
    if (node.IsSequence()) {
      for (const auto& item : node) pending.push_back(item);
    } else if (node.IsMap()) {
      std::map<std::string, YAML::Mark> keys;
      for (const auto& entry : node) {
        if (entry.first.IsScalar()) {
          const auto [first, fresh] = keys.emplace(entry.first.Scalar(), entry.first.Mark());
          if (!fresh) {
            throw ConfigError(locate_by_mark(file.string(), entry.first) + ": key '" +
                              entry.first.Scalar() + "' appears twice in this mapping (first at " +
                              mark_of(file, first->second) + ")");
          }
        }
        pending.push_back(entry.second);
      }
    }
  }
}

// file names the text in messages.
YAML::Node parse_text(const std::string& text, const fs::path& file) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(mark_of(file, e.mark) + ": malformed YAML: " + e.msg);
  }
  if (root.IsNull()) return YAML::Node(YAML::NodeType::Map);  // an empty file says nothing
  check_tree(root, file);
  if (!root.IsMap()) {
    throw ConfigError(locate_by_mark(file.string(), root) +
                      ": a config must be a mapping of keys (experiment, dataset, model, ...)");
  }
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) {
      throw ConfigError(locate_by_mark(file.string(), entry.first) + ": keys must be plain words");
    }
  }
  return root;
}

// plugin_paths are relative to the file that names them; they become absolute here.
void anchor_plugin_paths(YAML::Node& root, const fs::path& file) {
  const YAML::Node given = std::as_const(root)["plugin_paths"];
  if (!given) return;
  const auto problem = [&](const YAML::Node& node) {
    return ConfigError(locate_by_mark(file.string(), node) +
                       ": plugin_paths: expected a list of folders, found " +
                       (node.IsScalar() ? "'" + node.Scalar() + "'" : std::string("a mapping")));
  };
  if (given.IsMap()) throw problem(given);
  YAML::Node anchored(YAML::NodeType::Sequence);
  const auto add = [&](const YAML::Node& item) {
    if (!item.IsScalar()) throw problem(item);
    anchored.push_back(
        fs::absolute(file.parent_path() / item.Scalar()).lexically_normal().string());
  };
  if (given.IsScalar()) {
    add(given);
  } else {
    for (const auto& item : given) add(item);
  }
  anchored.SetStyle(YAML::EmitterStyle::Flow);
  root["plugin_paths"] = anchored;
}

// Merges base under child: the child's values win; mappings merge key by key.
void merge_under(YAML::Node child, const YAML::Node& base, const std::string& prefix,
                 Origins& origins, const Origins& base_origins) {
  for (const auto& entry : base) {
    const std::string key = entry.first.Scalar();
    const std::string path = join(prefix, key);
    const YAML::Node mine = std::as_const(child)[key];
    // A section that names another plugin replaces the base's; one without a name
    // adjusts the base's plugin.
    const bool replaced_plugin = is_plugin_section(path) && !plugin_name_of(mine).empty() &&
                                 plugin_name_of(mine) != plugin_name_of(entry.second);
    if (!mine) {
      child[key] = entry.second;
      for (const auto& [origin_path, origin] : base_origins) {
        if (is_under(origin_path, path)) origins[origin_path] = origin;
      }
    } else if (mine.IsMap() && entry.second.IsMap() && !replaced_plugin) {
      merge_under(mine, entry.second, path, origins, base_origins);
    }
  }
}

struct Loaded {
  YAML::Node root;
  Origins origins;
};

// text is the file's content when it is already in memory (ConfigSource::parse).
Loaded load_chain(const fs::path& file, std::vector<fs::path>& chain,
                  const std::string* text = nullptr) {
  // Without throwing: a path the system refuses (a name over 255 bytes) is reported
  // when the file is read, as a config error naming it.
  std::error_code unresolved;
  fs::path canonical = fs::weakly_canonical(fs::absolute(file), unresolved);
  if (unresolved) canonical = fs::absolute(file).lexically_normal();
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end()) {
    std::string cycle;
    for (const auto& link : chain) cycle += link.string() + " -> ";
    throw ConfigError(file.string() + ": extends cycle: " + cycle + canonical.string());
  }
  chain.push_back(canonical);
  Loaded loaded{parse_text(text ? *text : read_file(file), file), {}};
  for (const char* section : kPluginSections) {
    const YAML::Node given = std::as_const(loaded.root)[section];
    if (given && given.IsScalar()) loaded.root[section] = as_section(given);
  }
  anchor_plugin_paths(loaded.root, file);
  record(loaded.origins, "", loaded.root, {file.string(), true});
  if (const YAML::Node extends = std::as_const(loaded.root)["extends"]) {
    if (!extends.IsScalar() || extends.Scalar().empty()) {
      throw ConfigError(locate_by_mark(file.string(), extends) +
                        ": extends: expected the path of one config file");
    }
    const fs::path base_file = file.parent_path() / extends.Scalar();
    Loaded base;
    try {
      base = load_chain(base_file, chain);
    } catch (const ConfigError& e) {
      // A missing base is reported where it is named.
      std::error_code unreadable;  // a name the system refuses (too long) is not missing
      if (!fs::exists(base_file, unreadable)) {
        throw ConfigError(locate_by_mark(file.string(), extends) + ": extends: " +
                          (unreadable ? "cannot read config file '" + base_file.string() + "' (" +
                                            unreadable.message() + ")"
                                      : "no config file '" + base_file.string() + "'"));
      }
      throw;
    }
    loaded.root.remove("extends");
    erase_under(loaded.origins, "extends");
    merge_under(loaded.root, base.root, "", loaded.origins, base.origins);
  }
  chain.pop_back();
  return loaded;
}

std::size_t depth(const std::string& key_path) {
  return std::size_t(std::count(key_path.begin(), key_path.end(), '.'));
}

// "optimizer.lr=0.1, optimizer.momentum=0.9": the keys of a section besides its name
// and those an override sets anyway.
std::string section_keys(const std::string& section, const YAML::Node& node,
                         const std::set<std::string>& overridden) {
  std::string keys;
  if (!node || !node.IsMap()) return keys;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (key == "name" || overridden.count(section + "." + key)) continue;
    YAML::Emitter value;
    value << YAML::Flow << entry.second;
    keys += (keys.empty() ? "" : ", ") + section + "." + key + "=" + value.c_str();
  }
  return keys;
}

void apply(YAML::Node root, const Override& change, Origins& origins,
           const std::set<std::string>& overridden, std::vector<std::string>& notices) {
  const ConfigSource::Origin origin{change.origin, false};
  std::vector<std::string> keys;
  std::stringstream parts(change.key_path);
  for (std::string key; std::getline(parts, key, '.');) keys.push_back(key);
  if (keys.front() == "extends") {
    throw ConfigError(change.origin +
                      ": extends: cannot be overridden; name the file to extend in a config");
  }
  if (keys.size() == 2 && keys[1] == "name" && is_plugin_section(keys[0])) {
    // A different plugin starts from its own defaults (see ConfigSource::load).
    const YAML::Node before = std::as_const(root)[keys[0]];
    if (plugin_name_of(before) != (change.value.IsScalar() ? change.value.Scalar() : "")) {
      const std::string dropped = section_keys(keys[0], before, overridden);
      if (!dropped.empty())
        notices.push_back("notice: " + change.origin + " starts " + keys[0] +
                          " afresh from the new plugin's defaults, dropping " + dropped +
                          " (give them again to keep them)");
      root[keys[0]] = YAML::Node(YAML::NodeType::Map);
      erase_under(origins, keys[0]);
      origins[keys[0]] = origin;
    }
  }
  YAML::Node node = root;
  std::string path;
  for (std::size_t i = 0; i + 1 < keys.size(); ++i) {
    path = join(path, keys[i]);
    // yaml-cpp's Node::operator= changes the node referred to; reset() rebinds a handle.
    YAML::Node next = std::as_const(node)[keys[i]];
    if (next && next.IsScalar() && is_plugin_section(path)) {
      node[keys[i]] = as_section(next);
    } else if (!next || next.IsNull()) {
      node[keys[i]] = YAML::Node(YAML::NodeType::Map);
      origins[path] = origin;
    } else if (!next.IsMap()) {
      throw ConfigError(change.origin + ": " + path + ": is not a mapping, so it has no key '" +
                        keys[i + 1] + "'");
    }
    node.reset(std::as_const(node)[keys[i]]);
  }
  const YAML::Node value =
      is_plugin_section(change.key_path) ? as_section(change.value) : change.value;
  node[keys.back()] = value;
  erase_under(origins, change.key_path);
  record(origins, change.key_path, value, origin);
}

}  // namespace

Override Override::parse(const std::string& argument) {
  const std::string origin = "override '" + argument + "'";
  const std::size_t equals = argument.find('=');
  if (equals == std::string::npos) {
    throw ConfigError(origin + ": expected key.path=value (e.g. optimizer.lr=0.01)");
  }
  return from_option(argument.substr(0, equals), argument.substr(equals + 1), origin);
}

Override Override::from_option(const std::string& key_path, const std::string& value,
                               const std::string& option_text) {
  Override change{key_path, {}, option_text};
  std::stringstream parts(key_path);
  std::string key;
  bool valid = !key_path.empty() && key_path.back() != '.';
  while (valid && std::getline(parts, key, '.')) {
    valid = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
  }
  if (!valid) {
    throw ConfigError(option_text + ": '" + key_path +
                      "' is not a key path (words joined by dots, e.g. optimizer.lr)");
  }
  if (std::all_of(value.begin(), value.end(), [](char c) { return std::isspace(int(c)); })) {
    throw ConfigError(option_text + ": " + key_path +
                      ": no value after '='; to keep the config's value or the default, leave "
                      "the key out");
  }
  try {
    change.value = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    throw ConfigError(option_text + ": " + key_path + ": malformed YAML value: " + e.msg);
  }
  check_tree(change.value, option_text);
  return change;
}

ConfigSource ConfigSource::load(const fs::path& file, const std::vector<Override>& overrides) {
  return load_text(file, nullptr, overrides);
}

ConfigSource ConfigSource::parse(const std::string& text, const fs::path& name,
                                 const std::vector<Override>& overrides) {
  return load_text(name, &text, overrides);
}

ConfigSource ConfigSource::load_text(const fs::path& file, const std::string* text,
                                     const std::vector<Override>& overrides) {
  std::vector<fs::path> chain;
  Loaded loaded = load_chain(file, chain, text);
  ConfigSource source;
  source.file_ = file;
  source.root_ = loaded.root;
  source.origins_ = std::make_shared<Origins>(std::move(loaded.origins));
  // Sorted by pointer: assigning an Override would assign its YAML::Node, and
  // yaml-cpp's Node::operator= rewrites the node referred to instead of rebinding.
  std::vector<const Override*> ordered;
  for (const auto& change : overrides) ordered.push_back(&change);
  std::stable_sort(ordered.begin(), ordered.end(), [](const Override* a, const Override* b) {
    return depth(a->key_path) < depth(b->key_path);
  });
  for (std::size_t i = 0; i < ordered.size(); ++i) {
    // What later overrides set again is not lost.
    std::set<std::string> set_later;
    for (std::size_t j = i + 1; j < ordered.size(); ++j) set_later.insert(ordered[j]->key_path);
    apply(source.root_, *ordered[i], *source.origins_, set_later, *source.notices_);
  }
  return source;
}

std::string ConfigSource::locate(const std::string& key_path, const YAML::Node& node) const {
  std::string path = key_path;
  for (;;) {
    const auto found = origins_->find(path);
    if (found != origins_->end()) {
      return found->second.is_file ? locate_by_mark(found->second.source, node)
                                   : found->second.source;
    }
    const std::size_t dot = path.rfind('.');
    if (dot == std::string::npos) break;
    path.resize(dot);
  }
  return locate_by_mark(file_.string(), node);
}

Locate ConfigSource::locator() const {
  // A copy of the source (the tree and origins are shared), valid after this one goes.
  return [source = *this](const std::string& key_path, const YAML::Node& node) {
    return source.locate(key_path, node);
  };
}

}  // namespace xp
