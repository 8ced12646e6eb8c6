// What the loss-difference shortcut keeps of one batch at fixed parameters: the
// unperturbed forward pass, where each layer's inputs are non-zero, the targets in
// the form the loss's closed form needs, and each sample's loss.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "exp/loss.hpp"
#include "exp/model.hpp"
#include "exp/parallel.hpp"
#include "network.hpp"
#include "uninitialized.hpp"

namespace xp::mlp {

// The loss differences the shortcut can write in closed form (see sample_change.hpp).
enum class ClosedForm { none, cross_entropy, squared_error };

// The non-zero entries of a layer's input matrix (B x In), column by column: the
// samples that a weight in row i of that layer touches. Zero inputs are skipped
// exactly: a weight multiplied by 0 changes nothing.
struct InputColumns {
  std::vector<std::size_t> starts;  // column i is [starts[i], ends[i])
  std::vector<std::size_t> ends;
  // Column i's entries in [starts[i], ends[i]); the slots after ends[i] are not read.
  UninitializedVector<std::uint32_t> samples;
  UninitializedVector<double> values;
  // Built in parts, so that the tiles can share a job with other work: prepare, then
  // every tile of eight columns once, in any order and on any thread.
  static constexpr std::size_t kTile = 8;
  static std::size_t tiles(const Matrix& inputs);
  void prepare(const Matrix& inputs);
  void build_tile(const Matrix& inputs, std::size_t tile);
};

struct BatchCache {
  // The setup's loops run on `pool`; nothing in the cache depends on its size. The
  // input lists of the layers after the first are left to build: later_input_tiles()
  // independent pieces, for a job of the caller's (the shortcut's series need none).
  BatchCache(const Network& network, const Vector& theta, const Batch& batch, const Loss& loss,
             DifferenceSteps steps, ThreadPool& pool);
  std::size_t later_input_tiles() const { return later_tiles_.size(); }
  void build_later_input_tile(std::size_t tile);  // once each, in any order, on any thread

  const Matrix& layer_input(std::size_t layer) const {
    return layer == 0 ? batch.inputs : pass.activations[layer - 1];
  }
  std::size_t batch_size() const { return batch.size(); }

  const Network& network;
  const Vector& theta;  // the caller keeps it, unchanged, while the shortcut lives (model.hpp)
  const Batch& batch;
  const Loss& loss;
  const DifferenceSteps steps;  // what the series will be asked for (truncation.hpp)
  ForwardPass pass;
  std::vector<InputColumns> columns;  // per layer (after the first: see above)
  ClosedForm form = ClosedForm::none;
  double epsilon = 0.0;  // the cross-entropy's, inside the log
  // alpha = y / (y + eps): the share of a target's probability in its log's argument
  // (1 where both are 0).
  double alpha(double y) const {
    const double denominator = y + epsilon;
    return denominator > 0.0 ? y / denominator : 1.0;
  }
  Matrix targets;  // B x K target rows (labels made one-hot)
  std::vector<std::vector<std::pair<std::size_t, double>>> target_entries;  // non-zero t_k
  std::vector<double> sample_losses;  // l_n at theta (Loss::sample)
  // The truncation error allowed per sample: budgets b_n whose mean, 2^-56 times the
  // mean |l_n|, stays well below the rounding of the batch loss that a full
  // evaluation computes. Each sample gets half of it in common (`tolerance`, 2^-57
  // times the mean |l_n|, what batch-wide bounds use) and half in proportion to its
  // own loss (sample_tolerance[n] = tolerance + 2^-57 |l_n|): a confident sample's
  // series is small, an uncertain one's may use more of the budget.
  double tolerance = 0.0;
  std::vector<double> sample_tolerance;

  // Cross-entropy only: how far each sample is from certainty, for remainder bounds
  // that shrink with the sample's loss (LossSeries::ConfidentDisk). With S = sum_k
  // y_k and o_k = sum_{j != k} y_j (summed directly: 1 - y_k would cancel),
  //   spread[n] = max over targets k of alpha_k (2 o_k + |1 - S|), alpha_k = y_k / (y_k + eps),
  //   confidence_budget[n] = sample_tolerance[n] / (2 (sum_k |t_k|) spread[n]) (infinite
  //   at spread 0), the tolerance over the bound 2 (sum |t|) spread beta without its
  //   beta (each series takes its own root of it),
  // and largest_probability_total = max(1, max_n S). The series and their bounds also
  // need target_sum[n] = sum_k t_k, target_weight[n] = |sum_k t_k| + sum_k |t_k| (the
  // factor of the batch-wide bound) and its largest value over the batch.
  std::vector<double> spread;
  std::vector<double> confidence_budget;
  std::vector<double> target_sum;
  std::vector<double> target_weight;
  double largest_probability_total = 1.0;
  double largest_target_weight = 0.0;

 private:
  void prepare_measures();  // the loss's form, targets, and room for each sample's measures
  // One pool job: the forward blocks (with their measures), the first layer's input
  // lists, and, by the thread that finishes the last block, finish_measures and
  // prepare_later_inputs. These two must not resize `columns` or touch columns[0],
  // which other threads are still building.
  void forward_and_first_inputs(ThreadPool& pool);
  // Rows [8 block, 8 block + 8) of the batch through every layer, then their measures.
  void forward_block(std::size_t block);
  // Sample n's loss, target entries and (cross-entropy) its terms of the confidence
  // (as soon as its row is through); then, once the whole batch is, the tolerances,
  // the maxima and each sample's confidence budget.
  void measure_sample(std::size_t n);
  void finish_measures();
  void finish_confidence();
  void prepare_later_inputs();             // room for the later layers' lists, and their tiles
  std::vector<double> probability_total_;  // S = sum_k y_k per sample
  std::vector<double> target_magnitude_;   // sum_k |t_k| per sample
  std::vector<std::pair<std::size_t, std::size_t>> later_tiles_;  // (layer, tile)
};

}  // namespace xp::mlp
