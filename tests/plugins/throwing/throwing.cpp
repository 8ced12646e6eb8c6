// A plugin whose factory fails: the error must name the plugin and its file.
#include <stdexcept>

#include "exp/optimizer.hpp"

namespace {

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  throw std::runtime_error("cannot allocate the imaginary accelerator");
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "throwing",
                                     .version = "0.0.1",
                                     .summary = "a factory that throws",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
