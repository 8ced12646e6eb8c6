// The forward difference g_i = (L(theta + h e_i) - L(theta)) / h: error O(h), half
// the cost of the central difference on the naive path (P + 1 loss evaluations).
#include "exp/finite_difference_method.hpp"

namespace {

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  const auto options = xp::FiniteDifferenceOptions::from(parameters);
  return std::make_unique<xp::FiniteDifferenceMethod>(options.h, 0.0, options.strategy);
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "forward_difference",
                                     .version = "1.0.0",
                                     .summary = "forward difference (L(theta+h) - L(theta)) / h",
                                     .parameters = xp::kFiniteDifferenceParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
