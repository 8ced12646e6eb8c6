// The mlp's exact shortcut for finite differences: L(theta + a e_i) - L(theta + b e_i)
// for every parameter i, from caches of one unperturbed forward pass instead of a
// full re-evaluation per parameter (xp::LossDifferences).
//
// A weight W[i][u] of layer l (a bias: the weight of an input that is always 1)
// moves only the pre-activation of unit u, by d * z_i for a sample whose input to
// the layer is z, where d = (theta_i + a) - theta_i is the step as a full evaluation
// takes it. So only samples with z_i != 0 change (MNIST pixels are ~81 % zero), and
// each changes by F_nu(d z_i), the change of its loss when pre-activation (n, u)
// moves; the difference is (1/B) sum_n [F_nu(d_a z_ni) - F_nu(d_b z_ni)].
//  - Every layer, softmax + cross-entropy or identity + squared error: F_nu is a
//    short power series certified below rounding (loss_series.hpp; set up once per
//    batch, through all later layers; degree 3 or 5 depending on the steps promised
//    and the layer: truncation.hpp). Cost per parameter, whatever the depth:
//    two short polynomials per affected sample, vectorised over u (series_kernel.hpp).
//  - Everything else, and any delta outside the certified radius: SampleChange
//    (sample_change.hpp), exact propagation of the one changed unit.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "batch_cache.hpp"
#include "exp/model.hpp"
#include "loss_series.hpp"
#include "series_kernel.hpp"

namespace xp::mlp {

class MlpLossDifferences final : public LossDifferences {
 public:
  MlpLossDifferences(const Network& network, const Vector& theta, const Batch& batch,
                     const Loss& loss, DifferenceSteps steps, ThreadPool& pool,
                     ProcessGroup& group, VectorPath path);
  void compute(std::size_t begin, std::size_t end, double a, double b, double* out) const override;
  ShortcutCounts counts() const override;

 private:
  struct Row;      // one row of one layer's weights (or its bias), some of its units
  struct Scratch;  // working arrays of one compute() call
  void compute_row(const Row& row, double a, double b, Scratch& scratch, double* out) const;

  BatchCache cache_;
  std::vector<std::unique_ptr<LossSeries>> series_;  // per layer; null: general path
  VectorPath path_;
  mutable std::atomic<std::uint64_t> pairs_{0};
  mutable std::atomic<std::uint64_t> general_pairs_{0};
  mutable std::atomic<std::uint64_t> kink_parameters_{0};
};

}  // namespace xp::mlp
