#include "loss_differences.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sample_change.hpp"
#include "series_kernel.hpp"
#include "setup_job.hpp"

namespace xp::mlp {

// Working arrays of one compute() call, reused row after row.
struct MlpLossDifferences::Scratch {
  std::vector<double> step_a, step_b, reach, sum;
  std::vector<std::int64_t> unsure;
  std::vector<char> opposite;           // per block of units: the odd form applies
  std::unique_ptr<SampleChange> exact;  // made on first use of the general path
  ShortcutCounts counts;                // added to the totals once, at the end
  void resize(std::size_t width) {
    if (step_a.size() >= width) return;
    step_a.resize(width);
    step_b.resize(width);
    reach.resize(width);
    sum.resize(width);
    unsure.resize(width);
  }
};

struct MlpLossDifferences::Row {
  std::size_t layer = 0;
  bool bias = false;      // the bias row: an input that is 1 for every sample
  std::size_t input = 0;  // i, the row of the weights (unused for the bias)
  std::size_t first = 0;  // units [first, last)
  std::size_t last = 0;
  std::size_t offset = 0;  // where parameter (row, unit 0) sits in theta
};

namespace {

// (theta_i + step) - theta_i: the step a full evaluation actually takes.
inline double actual_step(double theta, double step) { return (theta + step) - theta; }

// The samples whose input to a row is non-zero (every sample for the bias row).
AffectedSamples affected_by(const BatchCache& cache, std::size_t layer, bool bias,
                            std::size_t input) {
  if (bias) return {nullptr, nullptr, cache.batch_size()};
  const InputColumns& columns = cache.columns[layer];
  const std::size_t start = columns.starts[input];
  return {columns.samples.data() + start, columns.values.data() + start,
          columns.ends[input] - start};
}

}  // namespace

MlpLossDifferences::MlpLossDifferences(const Network& network, const Vector& theta,
                                       const Batch& batch, const Loss& loss, DifferenceSteps steps,
                                       ThreadPool& pool, ProcessGroup& group, VectorPath path)
    : cache_(network, theta, batch, loss, steps, pool), series_(network.layers()), path_(path) {
  // The series' pieces (costly) first, the later layers' input lists after them.
  SetupJob job;
  if (batch.size() > 0 && LossSeries::available(cache_)) {
    series_ = LossSeries::start_every_layer(cache_, pool, group, job);
  }
  job.add(cache_.later_input_tiles(), [this](std::size_t t) { cache_.build_later_input_tile(t); });
  job.run(pool);
  for (const auto& layer : series_) {
    if (layer) layer->finish_setup(cache_, pool, group);
  }
}

ShortcutCounts MlpLossDifferences::counts() const {
  return {pairs_.load(), general_pairs_.load(), kink_parameters_.load()};
}

void MlpLossDifferences::compute(std::size_t begin, std::size_t end, double a, double b,
                                 double* out) const {
  const Network& network = cache_.network;
  Scratch scratch;  // per call: calls run concurrently
  for (std::size_t l = 0; l < network.layers() && begin < end; ++l) {
    const std::size_t units = network.units_of(l);
    Row row;
    row.layer = l;
    // The weights, row by row, then the bias row.
    const std::size_t rows = network.inputs_of(l) + (network.architecture().bias ? 1 : 0);
    for (std::size_t i = 0; i < rows; ++i) {
      row.bias = i == network.inputs_of(l);
      row.input = i;
      row.offset = row.bias ? network.bias_offset(l) : network.weight_offset(l) + i * units;
      const std::size_t row_end = row.offset + units;
      if (row_end <= begin || row.offset >= end) continue;
      row.first = std::max(begin, row.offset) - row.offset;
      row.last = std::min(end, row_end) - row.offset;
      compute_row(row, a, b, scratch, out + (row.offset + row.first - begin));
    }
  }
  pairs_ += scratch.counts.pairs;
  general_pairs_ += scratch.counts.general_pairs;
  kink_parameters_ += scratch.counts.kink_parameters;
}

void MlpLossDifferences::compute_row(const Row& row, double a, double b, Scratch& scratch,
                                     double* out) const {
  const std::size_t count = row.last - row.first;
  const std::size_t samples = cache_.batch_size();
  if (samples == 0) {
    std::fill(out, out + count, 0.0);  // the loss of an empty batch is 0
    return;
  }
  const double* theta = cache_.theta.data() + row.offset;
  // Arrays that start at the first unit's block of kBlock units.
  const std::size_t block_first = row.first / kBlock * kBlock;
  const std::size_t blocks = (row.last - block_first + kBlock - 1) / kBlock;
  const std::size_t width = blocks * kBlock;
  scratch.resize(width);
  double* step_a = scratch.step_a.data();
  double* step_b = scratch.step_b.data();
  double* reach = scratch.reach.data();
  double* sum = scratch.sum.data();              // written by series_sums
  std::int64_t* unsure = scratch.unsure.data();  // likewise
  // The steps of every lane's unit (zero past the layer's units); per block whether
  // every unit of it, in this range or not, has d_b = -d_a: the formula a block takes
  // must not depend on where the caller's ranges end (whole and pieces give the same
  // bits); then only the units [first, last) keep their steps. Loops over lanes that
  // the compiler vectorises.
  const bool two_sided = b != 0.0;
  const std::size_t units = cache_.network.units_of(row.layer);
  const std::size_t present = std::min(width, units - block_first);
  for (std::size_t lane = 0; lane < present; ++lane) {
    step_a[lane] = actual_step(theta[block_first + lane], a);
    step_b[lane] = actual_step(theta[block_first + lane], b);
  }
  scratch.opposite.resize(blocks);
  for (std::size_t k = 0; k < blocks; ++k) {
    int opposite = two_sided ? 1 : 0;
    for (std::size_t lane = k * kBlock; lane < std::min(present, (k + 1) * kBlock); ++lane) {
      opposite &= step_b[lane] == -step_a[lane] ? 1 : 0;
    }
    scratch.opposite[k] = char(opposite);
  }
  const auto keep_only = [&](double* steps) {
    std::fill(steps, steps + (row.first - block_first), 0.0);
    std::fill(steps + (row.last - block_first), steps + width, 0.0);
  };
  keep_only(step_a);
  keep_only(step_b);
  // Series certified for symmetric steps only: any other pair takes the general path.
  const bool symmetric_series = cache_.steps.symmetric;
  for (std::size_t lane = 0; lane < width; ++lane) {
    const double largest = std::max(std::abs(step_a[lane]), std::abs(step_b[lane]));
    const bool certified = !symmetric_series || std::abs(step_a[lane] + step_b[lane]) <=
                                                    Truncation::kNearlyOpposite * largest;
    reach[lane] = certified ? largest : std::numeric_limits<double>::infinity();
  }

  const LossSeries* series = series_[row.layer].get();
  const AffectedSamples affected = affected_by(cache_, row.layer, row.bias, row.input);
  if (series != nullptr) {
    series_sums(path_, *series, affected, block_first, blocks, two_sided, scratch.opposite.data(),
                step_a, step_b, reach, sum, unsure);
  }

  ShortcutCounts& counts = scratch.counts;
  counts.pairs += affected.count * count;
  // Every unit's series sum, in loops that the compiler vectorises (read one lane at a
  // time, what the kernel has just stored a register at a time waits for the store);
  // the units some sample of which was unsure are computed again below.
  if (series != nullptr) {
    const std::size_t first = row.first - block_first;
    std::int64_t any_unsure = 0;
    for (std::size_t u = 0; u < count; ++u) {
      out[u] = sum[first + u] / double(samples);
      any_unsure |= unsure[first + u];
    }
    if (any_unsure == 0) return;
  }
  std::unique_ptr<SampleChange>& exact = scratch.exact;
  for (std::size_t u = 0; u < count; ++u) {
    const std::size_t lane = row.first + u - block_first;
    if (series != nullptr && unsure[lane] == 0) continue;
    // Some sample was beyond its certified radius: those samples take the general
    // exact path, the others their series term.
    const std::size_t unit = row.first + u;
    const bool opposite = series != nullptr && scratch.opposite[lane / kBlock] != 0;
    double total = 0.0;
    bool kink = false;
    for (std::size_t e = 0; e < affected.count; ++e) {
      const std::size_t n = affected.sample(e);
      const double x = affected.input(e);
      double term = 0.0;
      if (series != nullptr && series_term(*series, n, unit, x, step_a[lane], step_b[lane],
                                           reach[lane], b != 0.0, opposite, term)) {
        total += term;
        continue;
      }
      ++counts.general_pairs;
      if (!exact) exact = std::make_unique<SampleChange>(cache_);
      double change = (*exact)(row.layer, unit, n, step_a[lane] * x);
      kink = kink || exact->crossed_kink();
      if (step_b[lane] != 0.0) {
        change -= (*exact)(row.layer, unit, n, step_b[lane] * x);
        kink = kink || exact->crossed_kink();
      }
      total += change;
    }
    counts.kink_parameters += kink ? 1 : 0;
    out[u] = total / double(samples);
  }
}

}  // namespace xp::mlp
