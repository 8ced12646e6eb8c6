// What computing gradients cost, in the units estimators are compared by: loss
// evaluations (queries), and the passes over the batch actually run.
//
//   xp::EvaluationCounts spent = objective.counts();
#pragma once

#include <cstdint>

namespace xp {

// What computing a gradient cost, as totals over the calls made so far.
struct EvaluationCounts {
  // Values of the batch loss the estimate used, each worth one full forward pass:
  // a loss(), one point of a fast-path difference (which runs no full pass), the
  // loss a backprop or a directional derivative computes on its way.
  std::uint64_t evaluations = 0;
  // Full forward passes over the batch actually run (a fast-path difference runs none).
  std::uint64_t forward_passes = 0;
  // Backward passes (backprop) and tangent passes (directional derivatives), each
  // also counted as the one forward pass it runs with.
  std::uint64_t derivative_passes = 0;

  EvaluationCounts& operator+=(const EvaluationCounts& other);
};

}  // namespace xp
