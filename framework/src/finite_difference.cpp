#include "exp/finite_difference.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

namespace xp {

std::string_view to_string(DifferenceStrategy strategy) {
  return strategy == DifferenceStrategy::fast ? "fast" : "naive";
}

std::optional<DifferenceStrategy> difference_strategy_from_string(std::string_view word) {
  if (word == "fast") return DifferenceStrategy::fast;
  if (word == "naive") return DifferenceStrategy::naive;
  return std::nullopt;
}

namespace {

// Cost per parameter: one or two full forward passes over the batch. This is the
// definition the fast path is checked against. Fills gradient[first, last).
void naive_differences(const Objective& objective, const Vector& theta, double a, double b,
                       std::size_t first, std::size_t last, Vector& gradient) {
  // With b == 0 every L(theta + b e_i) is L(theta): evaluate it once (P + 1 passes).
  const bool b_is_base = (b == 0.0);
  const double base = b_is_base ? objective.loss(theta) : 0.0;
  objective.pool().for_each_block(last - first, [&](std::size_t begin, std::size_t end) {
    Vector shifted = theta;
    for (std::size_t i = first + begin; i < first + end; ++i) {
      const auto k = Eigen::Index(i);
      const double original = theta[k];
      shifted[k] = original + a;
      const double upper = objective.loss(shifted);
      double lower = base;
      if (!b_is_base) {
        shifted[k] = original + b;
        lower = objective.loss(shifted);
      }
      shifted[k] = original;
      gradient[k] = (upper - lower) / (a - b);
    }
  });
}

void shortcut_differences(const Objective& objective, const LossDifferences& differences, double a,
                          double b, std::size_t first, std::size_t last, Vector& gradient) {
  objective.pool().for_each_block(last - first, [&](std::size_t begin, std::size_t end) {
    double* out = gradient.data() + first + begin;
    differences.compute(first + begin, first + end, a, b, out);
    for (std::size_t i = 0; i < end - begin; ++i) out[i] /= (a - b);
  });
}

// The fast path's shortcut for these steps, or null (naive strategy, or a model
// without one): full evaluations then. Its per-batch setup is shared by the processes
// of the objective's group, so every process prepares it.
std::unique_ptr<LossDifferences> prepare_shortcut(const Objective& objective, const Vector& theta,
                                                  double a, double b,
                                                  DifferenceStrategy strategy) {
  if (strategy != DifferenceStrategy::fast) return nullptr;
  return objective.differences(theta, {b == -a, std::max(std::abs(a), std::abs(b))});
}

// gradient[first, last) by the shortcut where there is one, else naively.
void differences_in_range(const Objective& objective, const Vector& theta, double a, double b,
                          const LossDifferences* shortcut, std::size_t first, std::size_t last,
                          Vector& gradient) {
  if (shortcut != nullptr) {
    shortcut_differences(objective, *shortcut, a, b, first, last, gradient);
  } else {
    naive_differences(objective, theta, a, b, first, last, gradient);
  }
}

// Each process of the group computes its part of the split, then all of them gather
// the whole gradient, every process's seconds (for the next split) and what each
// spent. The evaluations recorded are those the estimate stands for, as one process
// would count them (so metrics.csv does not depend on the number of processes); the
// passes are those every process actually ran.
void split_between_processes(const Objective& objective, const Vector& theta, double a, double b,
                             DifferenceStrategy strategy, BalancedSplit& split, Vector& gradient) {
  ProcessGroup& group = objective.group();
  const std::size_t count = objective.size();
  const std::size_t size = group.size();
  const std::size_t rank = group.rank();
  const std::vector<std::size_t> bounds = split.bounds(count, size);
  const EvaluationCounts before = objective.counts();
  // The shortcut's setup is split by samples and gathered inside: timed apart from
  // the parameters' share, which is what the split balances.
  const auto shortcut = prepare_shortcut(objective, theta, a, b, strategy);
  const auto start = std::chrono::steady_clock::now();
  differences_in_range(objective, theta, a, b, shortcut.get(), bounds[rank], bounds[rank + 1],
                       gradient);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  group.all_gather(gradient.data(), bounds);

  const EvaluationCounts mine = objective.counts();
  constexpr std::size_t kShared = 4;  // seconds, evaluations, forward and derivative passes
  std::vector<double> shared(kShared * size);
  std::vector<std::size_t> slots(size + 1);
  for (std::size_t r = 0; r <= size; ++r) slots[r] = kShared * r;
  shared[kShared * rank] = seconds;
  shared[kShared * rank + 1] = double(mine.evaluations - before.evaluations);
  shared[kShared * rank + 2] = double(mine.forward_passes - before.forward_passes);
  shared[kShared * rank + 3] = double(mine.derivative_passes - before.derivative_passes);
  group.all_gather(shared.data(), slots);

  std::vector<double> times(size);
  EvaluationCounts others;
  for (std::size_t r = 0; r < size; ++r) {
    times[r] = shared[kShared * r];
    if (r == rank) continue;
    others.forward_passes += std::uint64_t(shared[kShared * r + 2]);
    others.derivative_passes += std::uint64_t(shared[kShared * r + 3]);
  }
  split.record(times);
  // k points per parameter, and L(theta) once when one of them is theta itself.
  const std::uint64_t points = std::uint64_t(a != 0.0) + std::uint64_t(b != 0.0);
  const std::uint64_t stands_for = points * count + (points == 1 ? 1 : 0);
  others.evaluations = stands_for - (mine.evaluations - before.evaluations);
  objective.count(others);
}

}  // namespace

void finite_difference_gradient(const Objective& objective, const Vector& theta, double a, double b,
                                DifferenceStrategy strategy, Vector& gradient,
                                BalancedSplit* split) {
  gradient.resize(Eigen::Index(objective.size()));
  if (split != nullptr && objective.group().size() > 1) {
    split_between_processes(objective, theta, a, b, strategy, *split, gradient);
    return;
  }
  const auto shortcut = prepare_shortcut(objective, theta, a, b, strategy);
  differences_in_range(objective, theta, a, b, shortcut.get(), 0, objective.size(), gradient);
}

}  // namespace xp
