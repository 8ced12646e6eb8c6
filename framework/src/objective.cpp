#include "exp/checked_forward.hpp"
#include "exp/gradient.hpp"
#include "exp/seed.hpp"

namespace xp {

EvaluationCounts& EvaluationCounts::operator+=(const EvaluationCounts& other) {
  evaluations += other.evaluations;
  forward_passes += other.forward_passes;
  derivative_passes += other.derivative_passes;
  return *this;
}

namespace {

// Counts each point of a shortcut's differences as the loss evaluation a naive
// difference would have made; the unperturbed loss of one-sided differences (a or b
// zero) is one evaluation for the whole shortcut, as the naive path makes it once.
class CountedDifferences final : public LossDifferences {
 public:
  CountedDifferences(std::unique_ptr<LossDifferences> inner, const Objective& objective)
      : inner_(std::move(inner)), objective_(objective) {}

  ShortcutCounts counts() const override { return inner_->counts(); }

  void compute(std::size_t begin, std::size_t end, double a, double b,
               double* out) const override {
    inner_->compute(begin, end, a, b, out);
    const std::uint64_t points = std::uint64_t(end - begin);
    std::uint64_t evaluations = points * ((a != 0.0) + (b != 0.0));
    if ((a == 0.0 || b == 0.0) && !base_counted_.exchange(true)) ++evaluations;
    objective_.count_evaluations(evaluations);
  }

 private:
  std::unique_ptr<LossDifferences> inner_;
  const Objective& objective_;
  mutable std::atomic<bool> base_counted_{false};
};

}  // namespace

double Objective::loss(const Vector& theta) const {
  Matrix outputs;
  checked_forward(model_, theta, batch_.inputs, outputs);
  ++forward_passes_;
  ++evaluations_;
  return loss_.batch(outputs, batch_);
}

bool Objective::analytic_gradient(const Vector& theta, Vector& gradient) const {
  gradient.resize(Eigen::Index(size()));
  if (!model_.backprop(theta, batch_, loss_, gradient)) return false;
  ++evaluations_;
  ++forward_passes_;
  ++derivative_passes_;
  return true;
}

bool Objective::directional_derivative(const Vector& theta, const Vector& direction,
                                       double& derivative) const {
  if (!model_.directional_derivative(theta, batch_, loss_, direction, derivative)) return false;
  ++evaluations_;
  ++forward_passes_;
  ++derivative_passes_;
  return true;
}

std::unique_ptr<LossDifferences> Objective::differences(const Vector& theta,
                                                        DifferenceSteps steps) const {
  auto shortcut = model_.loss_differences(theta, batch_, loss_, steps, pool_, group_);
  if (!shortcut) return nullptr;
  return std::make_unique<CountedDifferences>(std::move(shortcut), *this);
}

EvaluationCounts Objective::counts() const {
  return {evaluations_.load(), forward_passes_.load(), derivative_passes_.load()};
}

void Objective::count_evaluations(std::uint64_t evaluations) const {
  evaluations_ += evaluations;
}

void Objective::count(const EvaluationCounts& more) const {
  evaluations_ += more.evaluations;
  forward_passes_ += more.forward_passes;
  derivative_passes_ += more.derivative_passes;
}

std::uint64_t step_random_seed(std::uint64_t run_seed, std::size_t step) {
  // A fixed tag keeps these streams apart from datasets' derive_seed(seed, plugin seed).
  constexpr std::uint64_t kGradientStreams = 0x6772616469656e74ULL;  // "gradient"
  return derive_seed(derive_seed(run_seed, kGradientStreams), std::uint64_t(step));
}

}  // namespace xp
