#include "loss_series.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "near_output_series.hpp"

namespace xp::mlp {

double LossSeries::certified_radius(double rho, double bound, double tolerance,
                                    const Truncation& truncation) {
  if (bound == 0.0) return kInfinity;
  if (!(bound < kInfinity) || !(rho > 0.0)) return 0.0;
  return rho * truncation.ratio(tolerance / bound);
}

LossSeries::ConfidentDisk::ConfidentDisk(const LossSeries& series, const BatchCache& cache,
                                         double rho, double e, double fallback)
    : series_(&series), rho_(rho), beta_(kInfinity), inverse_root_(0.0), fallback_(fallback) {
  const double q = cache.largest_probability_total * e;
  if (series.confidence_.empty() || !(q < 1.0) || !(e > 0.0)) return;
  beta_ = e / (1.0 - q);
  inverse_root_ = std::pow(beta_, -1.0 / series.truncation_.exponent());
}

double LossSeries::ConfidentDisk::radius(const BatchCache& cache, std::size_t n) const {
  if (!(cache.spread.size() > n && cache.spread[n] * beta_ <= 0.5)) return fallback_;
  const double ratio = series_->truncation_.certified(series_->confidence_[n] * inverse_root_);
  return std::max(fallback_, rho_ * ratio);
}

namespace {

// Where the degree costs (truncation.hpp): every layer of a network with a smooth
// activation, whose changes carry every degree (through matrix products, before the
// last two layers). relu carries degree 1 through its layers, and its inputs (up to
// ~10 late in training) reach farther than sigmoid's or tanh's: the wider radius of
// degree 5 pays there.
bool costly_propagation(const BatchCache& cache) {
  return cache.network.architecture().activation != Activation::relu;
}

}  // namespace

LossSeries::LossSeries(const BatchCache& cache, std::size_t layer)
    : layer_(layer), truncation_(cache.steps, costly_propagation(cache)) {}

std::vector<std::unique_ptr<LossSeries>> LossSeries::start_every_layer(const BatchCache& cache,
                                                                       ThreadPool& pool,
                                                                       ProcessGroup& group,
                                                                       SetupJob& job) {
  std::vector<std::unique_ptr<LossSeries>> every(cache.network.layers());
  for (std::size_t l = 0; l < every.size(); ++l) {
    every[l].reset(new LossSeries(cache, l));
    if (l + 2 >= every.size()) {
      every[l]->start_near_output(cache, pool, group, job);
    } else {
      every[l]->set_confidence(cache);
      every[l]->build_through_layers(cache, pool, group);  // settles its degree itself
    }
  }
  return every;
}

LossSeries::~LossSeries() = default;

void LossSeries::start_near_output(const BatchCache& cache, const ThreadPool& pool,
                                   const ProcessGroup& group, SetupJob& job) {
  pending_ = std::make_unique<NearOutput>(*this, cache, pool, group);
  pending_->add_pieces(job);
}

void LossSeries::finish_setup(const BatchCache& cache, ThreadPool& pool, ProcessGroup& group) {
  if (!pending_) return;
  pending_->finish(pool, group);
  pending_.reset();
  // Degree 3 certifies a narrower radius: where it would send more than a thousandth
  // of the announced steps to the general path, degree 5 costs less.
  if (truncation_.degree() < kSeriesDegree && !covers_steps_) {
    truncation_ = Truncation(cache.steps, false);
    SetupJob job;
    start_near_output(cache, pool, group, job);
    job.run(pool);
    finish_setup(cache, pool, group);
  }
}

void LossSeries::set_confidence(const BatchCache& cache) {
  confidence_.clear();
  for (const double budget : cache.confidence_budget) {
    confidence_.push_back(truncation_.uncapped_ratio(budget));
  }
}

std::size_t LossSeries::short_pairs(const BatchCache& cache, std::size_t n) const {
  const Matrix& inputs = cache.layer_input(layer_);
  // The largest step of sample n's pre-activations: the step times its largest input.
  double input = inputs.cols() > 0 ? inputs.row(Eigen::Index(n)).cwiseAbs().maxCoeff() : 0.0;
  if (cache.network.architecture().bias) input = std::max(input, 1.0);
  const double reach = cache.steps.largest * input;
  std::size_t count = 0;
  for (std::size_t u = 0; u < cache.network.units_of(layer_); ++u) {
    count += radius(n)[u] >= reach ? 0 : 1;
  }
  return count;
}

bool LossSeries::covers(const BatchCache& cache, std::size_t missed) const {
  return missed * 1000 <= cache.batch_size() * cache.network.units_of(layer_);
}

bool LossSeries::covers_announced_steps(const BatchCache& cache, ThreadPool& pool) const {
  std::atomic<std::size_t> count{0};  // a count: the blocks' order does not matter
  pool.for_each_block(cache.batch_size(), [&](std::size_t first, std::size_t end) {
    std::size_t here = 0;
    for (std::size_t n = first; n < end; ++n) here += short_pairs(cache, n);
    count += here;
  });
  return covers(cache, count.load());
}

bool LossSeries::available(const BatchCache& cache) {
  const OutputFunction output = cache.network.architecture().output;
  return (output == OutputFunction::softmax && cache.form == ClosedForm::cross_entropy) ||
         (output == OutputFunction::identity && cache.form == ClosedForm::squared_error);
}

}  // namespace xp::mlp
