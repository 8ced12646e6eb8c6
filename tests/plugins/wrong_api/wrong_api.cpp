// A plugin built against a future API version (42): the loader must refuse it.
#include "exp/optimizer.hpp"

namespace {

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) { return nullptr; }

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = 42,
                                     .kind = xp::PluginKind::optimizer,
                                     .name = "wrong_api",
                                     .version = "0.0.1",
                                     .summary = "built against another plugin API",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
