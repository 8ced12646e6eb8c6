// The plugin ABI: what a plugin library exports and what the loader checks.
//
// A plugin is one shared library that exports one entry point, `exp_plugin_info`,
// returning a PluginInfo. The loader reads `api_version` before anything else and
// refuses a library built against another version of this header.
//
//   const xp::PluginInfo& info() {
//     static const xp::PluginInfo record{
//         .api_version = xp::kPluginApiVersion, .kind = xp::PluginKind::loss,
//         .name = "huber", .version = "1.0.0", .summary = "Huber loss",
//         .parameters = kParameters, .create = &create};
//     return record;
//   }
//   EXP_PLUGIN(info)
#pragma once

#include <boost/dll/alias.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "exp/abi_fingerprint.hpp"
#include "exp/parameters.hpp"

namespace xp {

class ThreadPool;

// Bump on any change to this header or to the interfaces of the five kinds.
// 2: Model::loss_differences takes the thread pool (for its per-batch setup) and
//    LossDifferences reports ShortcutCounts; Dataset::files(); ParameterType::path;
//    EXP_PLUGIN also exports the ABI fingerprint (exp_plugin_abi), which the loader checks.
// 3: Model::loss_differences is told which steps will be asked for (DifferenceSteps:
//    any, or only symmetric ones, as central differences take, and the largest).
// 4: GradientMethod::compute is not const and gets a GradientStep (the step number and
//    a random stream of that step); gradient methods may keep state (state/restore,
//    saved in checkpoints); Model::directional_derivative (forward mode); Objective
//    counts the loss evaluations and passes an estimate cost, and carries the
//    processes of an MPI run (group(); the framework splits finite differences).
inline constexpr std::uint32_t kPluginApiVersion = 5;

enum class PluginKind : std::uint32_t { dataset, model, loss, gradient, optimizer };

std::string_view to_string(PluginKind kind);  // "dataset", "model", ...
std::optional<PluginKind> plugin_kind_from_string(std::string_view word);

// Base of every object a plugin creates; the loader checks the dynamic type.
class PluginObject {
 public:
  virtual ~PluginObject();
};

// What a factory may need beyond its own parameters.
struct Context {
  std::size_t input_size = 0;   // features per sample of the dataset (models)
  std::size_t output_size = 0;  // classes or target width of the dataset (models)
  std::uint64_t seed = 0;       // the experiment's seed (datasets that generate data)
  ThreadPool* pool = nullptr;   // the experiment's worker threads (gradient methods)
};

using Factory = std::unique_ptr<PluginObject> (*)(const Parameters&, const Context&);

struct PluginInfo {
  std::uint32_t api_version;  // first, always: read before anything else
  PluginKind kind;
  const char* name;
  const char* version;
  const char* summary;
  std::span<const ParameterSpec> parameters;
  Factory create;
};

}  // namespace xp

// Exports `info` (a function returning const xp::PluginInfo&) as the entry point,
// and the plugin's ABI fingerprint (exp/abi_fingerprint.hpp) as computed where this
// macro expands, in the plugin's own translation unit.
#define EXP_PLUGIN(info)                                                      \
  BOOST_DLL_ALIAS(info, exp_plugin_info)                                      \
  namespace {                                                                 \
  const ::xp::AbiFingerprint& exp_plugin_abi_of_this_library() {              \
    static const ::xp::AbiFingerprint fingerprint = EXP_ABI_FINGERPRINT_HERE; \
    return fingerprint;                                                       \
  }                                                                           \
  }                                                                           \
  BOOST_DLL_ALIAS(exp_plugin_abi_of_this_library, exp_plugin_abi)
