// A loss that offers no analytic derivative (the default Loss::output_gradient), so
// that the backprop plugin's refusal can be tested. Built off the search path.
#include "exp/loss.hpp"

namespace {

class SumOfSquares final : public xp::Loss {
 public:
  double sample(std::span<const double> y, std::span<const double>, int) const override {
    double sum = 0.0;
    for (double value : y) sum += value * value;
    return sum;
  }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<SumOfSquares>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::loss,
                                     .name = "without_gradient",
                                     .version = "1.0.0",
                                     .summary = "sum of squared outputs, no output_gradient",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
