// The book's numerical gradient: g_i = (L(theta + h e_i) - L(theta - h e_i)) / (2h).
// Error O(h^2) on smooth functions; two loss evaluations per parameter on the naive
// path, or the model's exact shortcut.
#include "exp/finite_difference_method.hpp"

namespace {

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  const auto options = xp::FiniteDifferenceOptions::from(parameters);
  return std::make_unique<xp::FiniteDifferenceMethod>(options.h, -options.h, options.strategy);
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "central_difference",
                                     .version = "1.0.0",
                                     .summary =
                                         "central difference (L(theta+h) - L(theta-h)) / 2h, "
                                         "the book's numerical_gradient",
                                     .parameters = xp::kFiniteDifferenceParameters,
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
