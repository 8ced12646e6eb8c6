// The fast path of the shortcut, for every layer: one sample's loss change as a
// power series in the change delta of one pre-activation,
//
//   F_nu(delta) = l_n(a_nu + delta) - l_n = c_1 delta + ... + c_N delta^N + remainder,
//
// with coefficients computed once per sample n and unit u, so that each parameter
// then costs one short polynomial per affected sample. The series is exact in the
// sense that matters: its remainder is bounded, at run time, below the rounding of
// the batch loss that a full evaluation computes (BatchCache::tolerance), for
// |delta| <= radius(n)[u]; callers check every delta against that radius and take
// the general exact path (sample_change.hpp) when it fails.
//
// Where the coefficients come from (w: the output pre-activations' change per unit
// change s of the unit's activation: row u of the last weights, or e_u for an
// output unit):
//  - softmax with cross-entropy: y'_k = y_k e^{s w_k} / (1 + Q(s)) with
//    Q(s) = sum_k y_k expm1(s w_k) = sum_m s^m (sum_k y_k w_k^m) / m!, a series whose
//    coefficients are moments of w under y. With alpha_k = y_k / (y_k + eps),
//    R_k(s) = alpha_k expm1(s w_k) + (1 - alpha_k) Q(s), the loss change is exactly
//    G(s) = (sum_k t_k) log1p(Q(s)) - sum_k t_k log1p(R_k(s)), a composition of series.
//  - identity with squared error: G(s) = s sum_k w_k (y_k - t_k) + s^2/2 sum_k w_k^2,
//    exactly.
//  - a hidden unit's activation change s(delta) = act(a + delta) - act(a) has the
//    Taylor series of the activation at a (from the ODEs sigmoid' = sigmoid (1 -
//    sigmoid), tanh' = 1 - tanh^2; relu is linear on each side of 0), and F = G o s.
// The bound (Cauchy's estimate): F is analytic on the complex disk |delta| <= rho
// and |F| <= M there, so |c_m| <= M / rho^m and the remainder after degree N is at
// most M (r/rho)^{N+1} / (1 - r/rho) for |delta| <= r. On that disk |s| <= Lambda
// rho, with Lambda = 1 / (4 cos^2(rho/2)) for sigmoid, 1 / cos^2(rho) for tanh
// (bounds of |act'| within |Im| <= rho), so |Q|, |R_k| <= qbar = expm1(Lambda rho
// max|w|) and |log1p(u)| <= -log(1 - |u|). rho is chosen so that qbar <= 1/2.
//
// Deeper layers (all but the last two; deep_series.cpp) use the same idea with the
// change carried through every layer below the unit as univariate Taylor-mode
// arithmetic: see build_through_layers.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <vector>

#include "batch_cache.hpp"
#include "exp/parallel.hpp"
#include "exp/process_group.hpp"
#include "lane_series.hpp"
#include "setup_job.hpp"
#include "truncation.hpp"
#include "uninitialized.hpp"

namespace xp::mlp {

// Units are padded to a multiple of this: one AVX-512 register of doubles.
inline constexpr std::size_t kLaneMultiple = 8;

// A radius without limit, or a bound that does not hold.
inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Adds sample n's cross-entropy G (above) to g, given Q = sum_k y_k E_k as q and
// class_series(k, m), coefficient m of E_k, one per lane; r and work are scratch.
// E_k is expm1 of output k's change: w_k^m / m! for the last two layers, a
// composition for deeper ones.
template <typename ClassSeries>
void add_cross_entropy_series(const BatchCache& cache, std::size_t n, const LaneSeries& q,
                              const ClassSeries& class_series, LaneSeries& r, LaneSeries& g,
                              SeriesWorkspace& work) {
  const auto y = cache.pass.outputs().row(Eigen::Index(n));
  for (const auto& [k, t] : cache.target_entries[n]) {
    const double alpha = cache.alpha(y[Eigen::Index(k)]);
    const double beta = 1.0 - alpha;
    for (std::size_t m = 1; m <= q.degree(); ++m) {
      const double* e = class_series(k, m);
      const double* qm = q[m];
      double* rm = r[m];
      for (std::size_t u = 0; u < q.lanes(); ++u) rm[u] = alpha * e[u] + beta * qm[u];
    }
    add_log1p(r, -t, g, work);
  }
  add_log1p(q, cache.target_sum[n], g, work);
}

class LossSeries {
 public:
  // Softmax with cross-entropy and identity with squared error have a series form.
  static bool available(const BatchCache& cache);

  // The series of every sample and unit of every layer. The setup runs over blocks of
  // samples on `pool`, the processes of `group` each taking a share of the samples
  // (sample_share.hpp); each sample's series depends on that sample alone. Layers
  // before the last two are built here, in pool jobs of their own; the last two add
  // their pieces to `job`, which the caller runs (with pieces of its own) before
  // calling finish_setup on every series, in layer order: it gathers between
  // processes, so every process calls it in the same order. A series is usable
  // (coefficients, radius) only after its finish_setup.
  static std::vector<std::unique_ptr<LossSeries>> start_every_layer(const BatchCache& cache,
                                                                    ThreadPool& pool,
                                                                    ProcessGroup& group,
                                                                    SetupJob& job);
  void finish_setup(const BatchCache& cache, ThreadPool& pool, ProcessGroup& group);
  ~LossSeries();

  std::size_t layer() const { return layer_; }
  std::size_t lanes() const { return lanes_; }                 // units, padded for vector loads
  std::size_t degree() const { return truncation_.degree(); }  // N: 5, or 3 (truncation.hpp)
  // c_1 ... c_N of sample n: coefficient m (1-based) of unit u at [(m - 1) * lanes() + u].
  const double* coefficients(std::size_t n) const {
    return coefficients_.data() + n * degree() * lanes_;
  }
  // The largest |delta| for which the remainder is certified, per unit (0 when none).
  const double* radius(std::size_t n) const { return radius_.data() + n * lanes_; }

  // The largest r whose remainder is within tolerance for |F| <= M = bound on the
  // disk of radius rho (Cauchy's estimate; truncation.hpp).
  static double certified_radius(double rho, double bound, double tolerance,
                                 const Truncation& truncation);

 private:
  // The cross-entropy bound refined by each sample's confidence. On a disk where
  // every output pre-activation changes by at most D in modulus (complex), with
  // e = expm1(D): |E_j| <= e and |Q| <= S e; G = -sum_k t_k log1p(alpha_k (E_k - Q) /
  // (1 + Q)) (the G above, rewritten), and E_k - Q = E_k (1 - S) + sum_{j != k} y_j
  // (E_k - E_j), so each argument is at most spread[n] beta with beta = e / (1 - S* e)
  // (BatchCache). Where that is <= 1/2, |log1p| <= 2 |argument| and M <= 2 (sum |t|)
  // spread[n] beta: a bound that vanishes with the sample's loss, where the
  // batch-wide one (log1p of qbar) does not. Elsewhere the batch-wide bound stands.
  class ConfidentDisk {
   public:
    // rho: the disk's radius in delta; fallback: the radius the batch-wide bound
    // certifies on it; series: the series it bounds (its truncation and confidences).
    ConfidentDisk(const LossSeries& series, const BatchCache& cache, double rho, double e,
                  double fallback);
    double radius(const BatchCache& cache, std::size_t n) const;

   private:
    const LossSeries* series_;
    double rho_, beta_, inverse_root_, fallback_;  // inverse_root_ = beta^(-1/p)
  };

  LossSeries(const BatchCache& cache, std::size_t layer);  // not built yet
  void set_confidence(const BatchCache& cache);            // confidence_ for truncation_
  // Whether the radii cover the steps the caller announced (BatchCache::steps) for all
  // but a thousandth of the (sample, unit) pairs: from a count of the pairs they miss
  // (short_pairs of each sample), or counted on the pool.
  std::size_t short_pairs(const BatchCache& cache, std::size_t n) const;
  bool covers(const BatchCache& cache, std::size_t missed) const;
  bool covers_announced_steps(const BatchCache& cache, ThreadPool& pool) const;
  // The output layer and the last hidden layer: the change reaches the output
  // pre-activations as s(delta) times one fixed vector (moments,
  // near_output_series.cpp). Built in pieces of a SetupJob, finished by finish_setup.
  class NearOutput;
  void start_near_output(const BatchCache& cache, const ThreadPool& pool, const ProcessGroup& group,
                         SetupJob& job);
  // Any earlier layer: the change is carried through every later layer
  // (deep_series.cpp).
  void build_through_layers(const BatchCache& cache, ThreadPool& pool, ProcessGroup& group);
  // Per unit of a sigmoid or tanh layer: the disk its bound holds on, with
  // `transposed` the later layers' weights W^T.
  std::vector<ConfidentDisk> smooth_disks(const BatchCache& cache,
                                          const std::vector<Matrix>& transposed) const;

  std::size_t layer_;
  Truncation truncation_;
  // Cross-entropy: the ratio r / rho each sample's confidence certifies before its
  // disk's beta (truncation_.uncapped_ratio of BatchCache::confidence_budget).
  std::vector<double> confidence_;
  std::size_t lanes_;
  bool covers_steps_ = true;             // covers(...) of the last build's radii
  std::unique_ptr<NearOutput> pending_;  // a near-output setup until finish_setup
  UninitializedVector<double> coefficients_;
  UninitializedVector<double> radius_;
};

}  // namespace xp::mlp
