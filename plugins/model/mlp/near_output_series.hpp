// LossSeries for the output layer and the last hidden layer (loss_series.hpp): the
// change of a unit reaches the output pre-activations as s(delta) times one fixed
// vector, so each sample's series needs the moments of that vector under the
// sample's probabilities and one composition with the activation's series.
//
// The setup comes in pieces (SetupJob), so that both layers and the batch cache's
// input lists share one pool job: first, for cross-entropy, the per-unit bounds; then
// blocks of samples, each computing its samples' series (this process's share) and,
// once the bounds are there, their radii (every sample). Squared error needs the whole
// batch's worst slopes before any radius: its radii are a second job (finish).
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

#include "loss_series.hpp"
#include "sample_share.hpp"
#include "setup_job.hpp"

namespace xp::mlp {

// One near-output layer's setup, from its first piece to its last: what the pieces
// share, and the pieces themselves.
class LossSeries::NearOutput {
 public:
  NearOutput(LossSeries& series, const BatchCache& cache, const ThreadPool& pool,
             const ProcessGroup& group);
  void add_pieces(SetupJob& job);
  void finish(ThreadPool& pool, ProcessGroup& group);

 private:
  // Samples [begin, end): their series when `series` (this process's share), and for
  // cross-entropy their radii.
  struct Range {
    std::size_t begin, end;
    bool series;
  };
  struct Work;  // one range's working arrays
  void prepare_directions();
  // Waited for by the range pieces (SetupJob): it must not throw, or they would wait
  // forever; noexcept turns a throw into termination instead.
  void certify_units() noexcept;
  void run_range(const Range& range);
  void merge_worst(const Work& work);  // squared error: a block's worst slopes into the batch's
  void loss_series_of(std::size_t n, Work& work) const;  // G(s) into work.g
  void series_of(std::size_t n, Work& work);
  // Sample n's radii (and, for cross-entropy, its confidence first); returns how many
  // miss the announced steps.
  std::size_t set_radius(std::size_t n);

  LossSeries& series_;
  const BatchCache& cache_;
  const std::size_t layer_, units_, classes_, degree_, lanes_;
  const bool output_layer_, cross_entropy_, smooth_;
  const Activation activation_;
  const bool counting_;  // the degree may still change: count the short radii
  const SampleShare share_;
  // direction(k, u): change of output pre-activation k per unit change of unit u's
  // activation: e_u for an output unit, row u of the last weights for a hidden one.
  Matrix direction_;
  std::vector<double> largest_;  // max_k |w_k| per unit
  Matrix powers_;  // powers_((m - 1) * classes + k, u) = w_k^m / m!: the moments' ingredients
  std::vector<double> certified_;     // per unit: the batch-wide bound's radius
  std::vector<ConfidentDisk> disks_;  // cross-entropy: per unit
  std::atomic<bool> certified_ready_{false};
  // Squared error: each unit's worst slope and curvature over the batch (maxima, so
  // the blocks' order does not matter).
  std::mutex merge_;
  std::vector<double> worst_slope_, worst_curvature_;
  std::atomic<std::size_t> short_count_{0};  // a count: the blocks' order does not matter
  std::vector<Range> ranges_;
};

}  // namespace xp::mlp
