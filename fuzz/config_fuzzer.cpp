// libFuzzer target: a config text with overrides, through ConfigSource and
// resolve_config (every key check, every plugin's parameter declarations).
//
// Input format (the seed corpus in fuzz/corpus/config/ follows it):
//   optimizer.lr=0.01        <- overrides, one per line, as on the command line
//   train.iterations=5
//   %%                       <- a line holding only %% ends the overrides
//   experiment: synthetic    <- the rest is the YAML of the config file
//   ...
// Without a %% line the whole input is YAML and there are no overrides.
//
// The text stands for configs/fuzz-input.yaml, so `extends: synthetic.yaml` reaches
// the repository's real configs. Every mistake must come out as xp::Error (a
// one-line message); any other exception, a crash or a sanitizer report is a bug.
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "exp/config.hpp"
#include "exp/error.hpp"

namespace {

constexpr std::string_view kSeparator = "\n%%\n";

}  // namespace

// The registry loads a plugin for each config and unloads it afterwards. libFuzzer
// keeps reading the coverage counters of every instrumented library it has seen, so
// an unloaded plugin would crash it: the plugins are loaded here once, for good.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  for (const auto& folder : xp::PluginRegistry::default_search_path({})) {
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(folder, error)) {
      if (entry.path().extension() == ".so") {
        dlopen(entry.path().c_str(), RTLD_NOW | RTLD_NODELETE);
      }
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string overrides_text;
  std::string yaml = input;
  if (input.starts_with("%%\n")) {
    yaml = input.substr(3);
  } else if (const std::size_t end = input.find(kSeparator); end != std::string::npos) {
    overrides_text = input.substr(0, end);
    yaml = input.substr(end + kSeparator.size());
  }
  try {
    std::vector<xp::Override> overrides;
    std::size_t start = 0;
    while (start < overrides_text.size()) {
      std::size_t end = overrides_text.find('\n', start);
      if (end == std::string::npos) end = overrides_text.size();
      const std::string line = overrides_text.substr(start, end - start);
      if (!line.empty()) overrides.push_back(xp::Override::parse(line));
      start = end + 1;
    }
    const xp::ConfigSource source = xp::ConfigSource::parse(
        yaml, std::string(EXP_SOURCE_DIR) + "/configs/fuzz-input.yaml", overrides);
    const xp::ExperimentConfig config = xp::resolve_config(source);
    // A resolved config prints and reads back (exp run writes it as config.yaml).
    const std::string resolved = config.to_yaml_text();
    xp::resolve_config(xp::ConfigSource::parse(
        resolved, std::string(EXP_SOURCE_DIR) + "/configs/fuzz-resolved.yaml"));
  } catch (const xp::Error&) {
    // The expected outcome for most inputs: a message for the user.
  }
  return 0;
}
