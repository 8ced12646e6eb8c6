// A gradient method that fails on MPI rank 1 alone, at step 3 (backprop otherwise):
// how a rank's own failure (a plugin's error, a file only one host lacks) reaches
// rank 0's run directory. Open MPI names the rank in OMPI_COMM_WORLD_RANK.
#include <cstdlib>
#include <string>

#include "exp/error.hpp"
#include "exp/gradient.hpp"

namespace {

class FailsOnRankOne final : public xp::GradientMethod {
 public:
  void compute(const xp::Objective& objective, const xp::Vector& theta,
               const xp::GradientStep& step, xp::Vector& gradient) override {
    const char* rank = std::getenv("OMPI_COMM_WORLD_RANK");
    if (rank != nullptr && std::string(rank) == "1" && step.step == 3) {
      throw xp::Error("deliberate failure at step 3");
    }
    if (!objective.analytic_gradient(theta, gradient)) throw xp::Error("no backprop");
  }
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<FailsOnRankOne>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "fails_on_rank_one",
                                     .version = "1.0.0",
                                     .summary = "backprop, but MPI rank 1 fails at step 3",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
