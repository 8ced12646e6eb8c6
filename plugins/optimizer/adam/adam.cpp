// Adam in the book's form (common/optimizer.py), with the bias correction folded
// into the step size:
//   t += 1; lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t);
//   m += (1 - beta1) * (g - m); v += (1 - beta2) * (g*g - v);
//   theta -= lr_t * m / (sqrt(v) + 1e-7).
#include <cmath>

#include "exp/error.hpp"
#include "exp/optimizer_state.hpp"

namespace {

constexpr double kEpsilon = 1e-7;  // the book's

constexpr xp::ParameterSpec kParameters[] = {
    xp::positive_real("lr", "0.001", "learning rate (the book's default)"),
    xp::kept_fraction("beta1", "0.9", "decay of the gradient's running mean m (the book's default)"),
    xp::kept_fraction("beta2", "0.999", "decay of the squared gradient's running mean v (the book's default)"),
};

class Adam final : public xp::Optimizer {
 public:
  Adam(double lr, double beta1, double beta2) : lr_(lr), beta1_(beta1), beta2_(beta2) {}

  void step(xp::Vector& theta, const xp::Vector& gradient) override {
    xp::prepare_state(m_, theta, "m", "adam");
    xp::prepare_state(v_, theta, "v", "adam");
    steps_ += 1;
    const double t = double(steps_);
    const double lr_t = lr_ * std::sqrt(1.0 - std::pow(beta2_, t)) / (1.0 - std::pow(beta1_, t));
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      const double g = gradient[i];
      m_[i] += (1.0 - beta1_) * (g - m_[i]);
      v_[i] += (1.0 - beta2_) * (g * g - v_[i]);
      theta[i] -= lr_t * m_[i] / (std::sqrt(v_[i]) + kEpsilon);
    }
  }

  xp::NamedVectors state() const override {
    xp::Vector t(1);
    t[0] = double(steps_);
    return {{"m", m_}, {"v", v_}, {"t", t}};
  }
  void restore(const xp::NamedVectors& state) override {
    const xp::Vector& t = xp::saved_state(state, "t", "adam");
    if (t.size() != 1 || !(t[0] >= 0) || t[0] != std::floor(t[0])) {
      throw xp::Error("adam optimizer: saved step count 't' must be one whole number >= 0");
    }
    m_ = xp::saved_state(state, "m", "adam");
    v_ = xp::saved_state(state, "v", "adam");
    steps_ = std::uint64_t(t[0]);
  }

 private:
  double lr_;
  double beta1_;
  double beta2_;
  std::uint64_t steps_ = 0;  // the book's iter
  xp::Vector m_;             // running mean of g; empty until the first step
  xp::Vector v_;             // running mean of g*g; empty until the first step
};

std::unique_ptr<xp::PluginObject> create(const xp::Parameters& parameters, const xp::Context&) {
  return std::make_unique<Adam>(parameters.real("lr"), parameters.real("beta1"),
                                parameters.real("beta2"));
}

const xp::PluginInfo& info() {
  static const xp::PluginInfo record{
      .api_version = xp::kPluginApiVersion,
      .kind = xp::PluginKind::optimizer,
      .name = "adam",
      .version = "1.0.0",
      .summary = "Adam (the book's form, bias correction in the step size)",
      .parameters = kParameters,
      .create = &create};
  return record;
}

}  // namespace

EXP_PLUGIN(info)
