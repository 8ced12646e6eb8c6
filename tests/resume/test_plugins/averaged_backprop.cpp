// A gradient method with state, to test that a gradient method's state survives a
// checkpoint: the mean of the backprop gradients of every step so far (Polyak-style
// averaging of the gradient). Its state is their sum and count; a resume that lost
// them would average over the resumed steps only.
#include "exp/error.hpp"
#include "exp/gradient.hpp"
#include "exp/optimizer_state.hpp"

namespace {

class AveragedBackprop final : public xp::GradientMethod {
 public:
  void compute(const xp::Objective& objective, const xp::Vector& theta, const xp::GradientStep&,
               xp::Vector& gradient) override {
    if (!objective.analytic_gradient(theta, gradient)) throw xp::Error("no backprop");
    if (sum_.size() == 0) sum_.setZero(gradient.size());
    sum_ += gradient;
    count_[0] += 1.0;
    gradient = sum_ / count_[0];
  }
  xp::NamedVectors state() const override { return {{"sum", sum_}, {"count", count_}}; }
  void restore(const xp::NamedVectors& state) override {
    sum_ = xp::saved_state(state, "sum", "averaged_backprop");
    count_ = xp::saved_state(state, "count", "averaged_backprop");
  }

 private:
  xp::Vector sum_;
  xp::Vector count_ = xp::Vector::Zero(1);
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters&, const xp::Context&) {
  return std::make_unique<AveragedBackprop>();
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{.api_version = xp::kPluginApiVersion,
                                     .kind = xp::PluginKind::gradient,
                                     .name = "averaged_backprop",
                                     .version = "1.0.0",
                                     .summary = "the mean of every step's backprop gradient so far",
                                     .parameters = {},
                                     .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
