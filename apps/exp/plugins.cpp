// exp plugins: every plugin on the search path, with its parameters.
#include <algorithm>
#include <cmath>
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/error.hpp"
#include "exp/number_format.hpp"
#include "exp/plugin_registry.hpp"
#include "exp/suggest.hpp"

namespace xp::cli {
namespace po = boost::program_options;

namespace {

// A bound as the parameter's type writes it: ">= 1" for an integer, ">= 1.0" for a real.
std::string bound_value(const ParameterSpec& spec, double bound) {
  const bool integral = spec.type == ParameterType::integer || spec.type == ParameterType::integers;
  if (integral && std::abs(bound) < 9e15) return std::to_string(static_cast<long long>(bound));
  return repr(bound);
}

std::string bound_text(const ParameterSpec& spec) {
  if (spec.choices != nullptr) return std::string("one of ") + spec.choices;
  std::string text;
  if (std::isfinite(spec.minimum))
    text += std::string(spec.minimum_inclusive ? ">= " : "> ") + bound_value(spec, spec.minimum);
  if (std::isfinite(spec.maximum)) {
    text += std::string(text.empty() ? "" : ", ") + (spec.maximum_inclusive ? "<= " : "< ") +
            bound_value(spec, spec.maximum);
  }
  return text;
}

// Rows of cells as aligned columns, each line indented.
void print_table(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::cout << line << "\n";
  }
}

}  // namespace

int plugins_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp plugins options");
  options.add_options()("plugin-path", po::value<std::vector<std::string>>()->composing(),
                        "extra folder to search first (repeatable), as plugin_paths in a config");
  const auto parsed = parse_word_arguments(arguments, options, 1);
  const auto& values = parsed.options;
  if (parsed.help) {
    print_help("exp plugins [KIND] [--plugin-path DIR]",
               "Lists every plugin found (KIND: dataset, model, loss, gradient, optimizer), with\n"
               "its version, file and parameters: name, type, default, accepted values, meaning.\n"
               "Search order: --plugin-path, EXP_PLUGIN_PATH, the folder next to exp.",
               options);
    return 0;
  }
  std::optional<PluginKind> only;
  if (!parsed.words.empty()) {
    const auto& word = parsed.words.front();
    only = plugin_kind_from_string(word);
    if (!only) {
      const std::vector<std::string> kinds = {"dataset", "model", "loss", "gradient", "optimizer"};
      throw ConfigError("unknown plugin kind '" + word + "'" + did_you_mean(word, kinds) +
                        "; expected one of dataset, model, loss, gradient, optimizer");
    }
  }
  std::vector<std::filesystem::path> extra;
  if (values.count("plugin-path")) {
    for (const auto& path : values["plugin-path"].as<std::vector<std::string>>())
      extra.emplace_back(path);
  }
  PluginRegistry registry(PluginRegistry::default_search_path(extra));
  const PluginRegistry::Discovery found = registry.discover();
  std::size_t shown = 0;
  for (const auto& plugin : found.plugins) {
    const PluginInfo& info = *plugin.info;
    if (only && info.kind != *only) continue;
    std::cout << (shown++ ? "\n" : "") << to_string(info.kind) << " " << info.name << " "
              << info.version << ": " << info.summary << "\n  file: " << plugin.file.string()
              << "\n";
    if (info.parameters.empty()) {
      std::cout << "  parameters: none\n";
      continue;
    }
    std::vector<std::vector<std::string>> rows = {
        {"parameter", "type", "default", "accepted", "meaning"}};
    for (const auto& spec : info.parameters) {
      rows.push_back({spec.name, std::string(to_string(spec.type)),
                      spec.default_value ? spec.default_value : "(required)", bound_text(spec),
                      spec.meaning});
    }
    print_table(rows, "  ");
  }
  if (shown == 0) {
    std::cout << "no " << (only ? std::string(to_string(*only)) + " " : "") << "plugins found in:";
    for (const auto& path : registry.search_path()) std::cout << " " << path.string();
    std::cout << "\n";
  }
  for (const auto& [plugin, winner] : found.shadowed) {
    if (only && plugin.info->kind != *only) continue;
    std::cout << "\nshadowed: " << to_string(plugin.info->kind) << " " << plugin.info->name
              << " in " << plugin.file.string() << " (" << winner.string()
              << " comes first on the search path and is used)\n";
  }
  // A broken file is named, after everything that could be listed; it makes the
  // command fail without hiding the rest.
  for (const auto& problem : found.problems) std::cerr << "exp plugins: " << problem << "\n";
  return found.problems.empty() ? 0 : 1;
}

}  // namespace xp::cli

EXP_COMMAND(plugins, 90, "[KIND]  the plugins found, with their parameters",
            xp::cli::plugins_command)
