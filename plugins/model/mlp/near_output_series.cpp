// LossSeries::NearOutput (near_output_series.hpp).
#include "near_output_series.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace xp::mlp {

namespace {

// rho (the Cauchy disk's radius in delta) and Lambda (the bound of |act'| on it) for
// a smooth activation, given that the disk in s may not exceed s_radius.
void smooth_disk(Activation activation, double s_radius, double& rho, double& lambda) {
  const double rho_max = largest_strip(activation);
  rho = std::min(rho_max, s_radius / derivative_bound(activation, rho_max));
  lambda = derivative_bound(activation, rho);
}

// The output layer with cross-entropy, sample n, output unit u: only a_nu changes,
// so (in ConfidentDisk's terms) E_k - Q is -y_u E for k != u and (1 - y_u) E for
// k = u, with E = expm1(delta), |E| <= e = expm1(rho) on |delta| <= rho, and
// |1 + Q| >= 1 - y_u e. Each log1p's argument is then at most a_k = alpha_k c_k e /
// (1 - y_u e), c_k = y_u or |1 - y_u|, and |F| <= M = sum_k |t_k| (-log1p(-a_k)).
// An unlikely class (small y_u, not a target) affords a wide disk: e up to 1/(3 y_u),
// capped at e^6 - 1 (near where log(1 + e) e^(-1/p), the radius' growth, peaks: at
// log(1 + e) ~ p for the exponents p = 6, 7 of truncation.hpp);
// a target class takes e = 1/2, where a_u shrinks with 1 - y_u. The radius certified
// for sample n's budget, or 0 where the bound does not apply.
double output_unit_radius(const BatchCache& cache, const Truncation& truncation, std::size_t n,
                          std::size_t u) {
  const double y = cache.pass.outputs()(Eigen::Index(n), Eigen::Index(u));
  bool target = false;
  for (const auto& entry : cache.target_entries[n]) target = target || entry.first == u;
  const double e = target ? 0.5 : std::min(std::expm1(6.0), 1.0 / (3.0 * y));
  if (!(y * e < 1.0)) return 0.0;
  double bound = 0.0;
  for (const auto& [k, t] : cache.target_entries[n]) {
    const double alpha = cache.alpha(cache.pass.outputs()(Eigen::Index(n), Eigen::Index(k)));
    const double a = alpha * (k == u ? std::abs(1.0 - y) : y) * e / (1.0 - y * e);
    if (!(a < 1.0)) return 0.0;
    bound += std::abs(t) * -std::log1p(-a);
  }
  return LossSeries::certified_radius(std::log1p(e), bound * (1.0 + 1e-6),
                                      cache.sample_tolerance[n], truncation);
}

// The squared error's worst slope and curvature of each unit over the whole batch,
// from each process's worst over its own samples.
void share_maxima(std::vector<double>& slope, std::vector<double>& curvature, ProcessGroup& group) {
  if (group.size() == 1) return;
  const std::size_t lanes = slope.size();
  const std::size_t width = 2 * lanes;
  std::vector<double> all(width * group.size(), 0.0);
  std::vector<std::size_t> bounds;
  for (std::size_t r = 0; r <= group.size(); ++r) bounds.push_back(r * width);
  std::copy(slope.begin(), slope.end(), all.begin() + std::ptrdiff_t(group.rank() * width));
  std::copy(curvature.begin(), curvature.end(),
            all.begin() + std::ptrdiff_t(group.rank() * width + lanes));
  group.all_gather(all.data(), bounds);
  for (std::size_t r = 0; r < group.size(); ++r) {
    for (std::size_t u = 0; u < lanes; ++u) {
      slope[u] = std::max(slope[u], all[r * width + u]);
      curvature[u] = std::max(curvature[u], all[r * width + lanes + u]);
    }
  }
}

}  // namespace

struct LossSeries::NearOutput::Work {
  Work(std::size_t lanes, std::size_t degree)
      : q(lanes, degree),
        r(lanes, degree),
        g(lanes, degree),
        s(lanes, degree),
        f(lanes, degree),
        scratch(lanes, degree),
        a(lanes, 0.0),
        z(lanes, 0.0),
        slope(lanes, 0.0),
        curvature(lanes, 0.0) {}
  LaneSeries q, r, g, s, f;
  SeriesWorkspace scratch;
  std::vector<double> a, z;
  std::vector<double> slope, curvature;  // squared error: this block's worst
};

LossSeries::NearOutput::NearOutput(LossSeries& series, const BatchCache& cache,
                                   const ThreadPool& pool, const ProcessGroup& group)
    : series_(series),
      cache_(cache),
      layer_(series.layer_),
      units_(cache.network.units_of(layer_)),
      classes_(cache.network.units_of(cache.network.layers() - 1)),
      degree_(series.truncation_.degree()),
      lanes_((units_ + kLaneMultiple - 1) / kLaneMultiple * kLaneMultiple),
      output_layer_(layer_ + 1 == cache.network.layers()),
      cross_entropy_(cache.form == ClosedForm::cross_entropy),
      smooth_(!output_layer_ && cache.network.architecture().activation != Activation::relu),
      activation_(cache.network.architecture().activation),
      counting_(degree_ < kSeriesDegree),
      share_(cache.batch_size(), group),
      certified_(units_, kInfinity),
      worst_slope_(lanes_, 0.0),
      worst_curvature_(lanes_, 0.0) {
  const std::size_t samples = cache.batch_size();
  series.lanes_ = lanes_;
  series.coefficients_.resize(samples * degree_ * lanes_);  // every sample's row written
  series.radius_.resize(samples * lanes_);  // every sample's row written (set_radius)
  // Filled per sample with its radii (ConfidentDisk reads it; empty: no confidences).
  series.confidence_.assign(cache.confidence_budget.size(), 0.0);
  if (cross_entropy_) disks_.reserve(units_);  // certify_units may not throw (SetupJob)
  prepare_directions();
  // This process's share of the samples (series, and radii for cross-entropy), then
  // for cross-entropy the other samples (radii only), so that the series spread over
  // every thread whatever the number of processes.
  const auto add_ranges = [&](std::size_t begin, std::size_t end, bool with_series) {
    const std::size_t block = samples_per_block(end - begin, pool);
    for (std::size_t b = begin; b < end; b += block) {
      ranges_.push_back({b, std::min(end, b + block), with_series});
    }
  };
  add_ranges(share_.begin, share_.end, true);
  if (cross_entropy_) {
    add_ranges(0, share_.begin, false);
    add_ranges(share_.end, samples, false);
  }
}

void LossSeries::NearOutput::prepare_directions() {
  const Network& network = cache_.network;
  direction_ = Matrix::Zero(Eigen::Index(classes_), Eigen::Index(lanes_));
  if (output_layer_) {
    for (std::size_t k = 0; k < classes_; ++k) direction_(Eigen::Index(k), Eigen::Index(k)) = 1.0;
  } else {
    direction_.leftCols(Eigen::Index(units_)) =
        network.weights(cache_.theta, network.layers() - 1).transpose();
  }
  largest_.assign(lanes_, 0.0);
  for (std::size_t u = 0; u < lanes_; ++u) {
    largest_[u] = direction_.col(Eigen::Index(u)).cwiseAbs().maxCoeff();
  }
  powers_.resize(Eigen::Index(degree_ * classes_), Eigen::Index(lanes_));
  for (std::size_t k = 0; k < classes_; ++k) {
    for (std::size_t u = 0; u < lanes_; ++u) {
      const double w = direction_(Eigen::Index(k), Eigen::Index(u));
      double term = 1.0;
      for (std::size_t m = 1; m <= degree_; ++m) {
        term = term * w / double(m);
        powers_(Eigen::Index((m - 1) * classes_ + k), Eigen::Index(u)) = term;
      }
    }
  }
}

void LossSeries::NearOutput::add_pieces(SetupJob& job) {
  // Cross-entropy's bounds need nothing from the series: they come first, and each
  // block sets its radii after its series, by when the bounds are usually there (a
  // block of other processes' samples, radii only, may wait for them).
  if (cross_entropy_) job.add(1, [this](std::size_t) { certify_units(); });
  job.add(ranges_.size(), [this](std::size_t i) { run_range(ranges_[i]); });
}

// The certified radius of each unit: M bounds |F| on the disk |delta| <= rho; for
// cross-entropy refined per sample (ConfidentDisk).
void LossSeries::NearOutput::certify_units() noexcept {
  const double log_three_halves = std::log(1.5);
  for (std::size_t u = 0; u < units_; ++u) {
    const double w = largest_[u];
    double rho = kInfinity;
    double lambda = 1.0;
    double bound = 0.0;
    double e = 0.0;  // cross-entropy: expm1 of the bound on the output changes
    if (cross_entropy_) {
      const double s_radius = w > 0.0 ? log_three_halves / w : kInfinity;
      if (smooth_) {
        smooth_disk(activation_, s_radius, rho, lambda);
      } else {
        rho = s_radius;
      }
      e = w > 0.0 ? std::expm1(lambda * rho * w) : 0.0;
      bound = cache_.largest_target_weight * -std::log1p(-cache_.largest_probability_total * e);
    } else if (smooth_) {
      // Squared error through a smooth activation: G is a quadratic in s.
      smooth_disk(activation_, kInfinity, rho, lambda);
      const double s_radius = lambda * rho;
      bound = worst_slope_[u] * s_radius + worst_curvature_[u] * s_radius * s_radius;
    }  // else: F is G itself, a polynomial of degree 2: no remainder at all.
    if (std::isnan(bound)) bound = kInfinity;
    // A little slack for the rounding of the bound's own arithmetic.
    certified_[u] =
        certified_radius(rho, bound * (1.0 + 1e-6), cache_.tolerance, series_.truncation_);
    if (cross_entropy_) disks_.emplace_back(series_, cache_, rho, e, certified_[u]);
  }
  certified_ready_.store(true, std::memory_order_release);
}

void LossSeries::NearOutput::run_range(const Range& range) {
  if (range.series) {
    Work work(lanes_, degree_);
    for (std::size_t n = range.begin; n < range.end; ++n) series_of(n, work);
    if (!cross_entropy_) merge_worst(work);
  }
  if (!cross_entropy_) return;  // its radii need the whole batch's worst slopes (finish)
  // The bounds' piece was handed out before this one (SetupJob): its thread is on it.
  while (!certified_ready_.load(std::memory_order_acquire)) std::this_thread::yield();
  std::size_t missed = 0;
  for (std::size_t n = range.begin; n < range.end; ++n) missed += set_radius(n);
  short_count_ += missed;
}

void LossSeries::NearOutput::merge_worst(const Work& work) {
  const std::lock_guard<std::mutex> lock(merge_);
  for (std::size_t u = 0; u < units_; ++u) {
    worst_slope_[u] = std::max(worst_slope_[u], work.slope[u]);
    worst_curvature_[u] = std::max(worst_curvature_[u], work.curvature[u]);
  }
}

// G(s) of sample n: the loss change per change s of the unit's activation.
void LossSeries::NearOutput::loss_series_of(std::size_t n, Work& work) const {
  const auto row = Eigen::Index(n);
  const auto y = cache_.pass.outputs().row(row);
  LaneSeries& g = work.g;
  g.clear();
  if (!cross_entropy_) {
    for (std::size_t k = 0; k < classes_; ++k) {
      const double residual = y[Eigen::Index(k)] - cache_.targets(row, Eigen::Index(k));
      const double* w = &direction_(Eigen::Index(k), 0);
      for (std::size_t u = 0; u < lanes_; ++u) {
        g[1][u] += w[u] * residual;
        g[2][u] += 0.5 * w[u] * w[u];
      }
    }
    return;
  }
  LaneSeries& q = work.q;
  for (std::size_t m = 1; m <= degree_; ++m) {
    double* qm = q[m];
    std::fill(qm, qm + lanes_, 0.0);
    for (std::size_t k = 0; k < classes_; ++k) {
      const double yk = y[Eigen::Index(k)];
      const double* pw = &powers_(Eigen::Index((m - 1) * classes_ + k), 0);
      for (std::size_t u = 0; u < lanes_; ++u) qm[u] += yk * pw[u];
    }
  }
  const auto class_series = [&](std::size_t k, std::size_t m) {
    return &powers_(Eigen::Index((m - 1) * classes_ + k), 0);
  };
  add_cross_entropy_series(cache_, n, q, class_series, work.r, g, work.scratch);
}

void LossSeries::NearOutput::series_of(std::size_t n, Work& work) {
  loss_series_of(n, work);
  const LaneSeries* f = &work.g;
  if (!output_layer_) {
    const auto row = Eigen::Index(n);
    std::copy_n(&cache_.pass.pre_activations[layer_](row, 0), units_, work.a.begin());
    std::copy_n(&cache_.pass.activations[layer_](row, 0), units_, work.z.begin());
    activation_series(activation_, work.a.data(), work.z.data(), units_, work.s, work.r);
    compose(work.g, work.s, work.f, work.scratch);
    f = &work.f;
  }
  double* coefficients = series_.coefficients_.data() + n * degree_ * lanes_;
  for (std::size_t m = 1; m <= degree_; ++m) {
    std::copy_n((*f)[m], lanes_, coefficients + (m - 1) * lanes_);
  }
  if (!cross_entropy_) {
    for (std::size_t u = 0; u < units_; ++u) {
      work.slope[u] = std::max(work.slope[u], std::abs(work.g[1][u]));
      work.curvature[u] = std::max(work.curvature[u], std::abs(work.g[2][u]));
    }
  }
}

std::size_t LossSeries::NearOutput::set_radius(std::size_t n) {
  if (cross_entropy_) {
    series_.confidence_[n] = series_.truncation_.uncapped_ratio(cache_.confidence_budget[n]);
  }
  double* radius = series_.radius_.data() + n * lanes_;
  for (std::size_t u = 0; u < units_; ++u) {
    radius[u] = cross_entropy_ ? disks_[u].radius(cache_, n) : certified_[u];
    if (output_layer_ && cross_entropy_) {
      radius[u] = std::max(radius[u], output_unit_radius(cache_, series_.truncation_, n, u));
    }
    if (!output_layer_ && activation_ == Activation::relu) {
      // relu(a + delta) - relu(a) is delta (a > 0) or 0 (a < 0) only while a + delta
      // keeps the sign of a; zero of the pre-activations is a kink: no series.
      const double pre = cache_.pass.pre_activations[layer_](Eigen::Index(n), Eigen::Index(u));
      radius[u] = pre < 0.0 ? -pre : std::min(radius[u], pre);
    }
  }
  std::fill(radius + units_, radius + lanes_, 0.0);  // the padding: no unit, no series
  return counting_ ? series_.short_pairs(cache_, n) : 0;
}

void LossSeries::NearOutput::finish(ThreadPool& pool, ProcessGroup& group) {
  share_.gather(series_.coefficients_.data(), degree_ * lanes_, group);
  if (!cross_entropy_) {
    // The squared error's bounds need the whole batch's worst slopes: a second job.
    share_maxima(worst_slope_, worst_curvature_, group);
    certify_units();
    pool.for_each_block(cache_.batch_size(), [&](std::size_t first, std::size_t end) {
      std::size_t here = 0;
      for (std::size_t n = first; n < end; ++n) here += set_radius(n);
      short_count_ += here;
    });
  }
  series_.covers_steps_ = series_.covers(cache_, short_count_.load());
}

}  // namespace xp::mlp
