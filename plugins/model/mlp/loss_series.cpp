#include "loss_series.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <mutex>

#include "sample_share.hpp"

namespace xp::mlp {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

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

}  // namespace

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

// Where the degree costs (truncation.hpp): every layer of a network with a smooth
// activation, whose changes carry every degree (through matrix products, before the
// last two layers). relu carries degree 1 through its layers, and its inputs (up to
// ~10 late in training) reach farther than sigmoid's or tanh's: the wider radius of
// degree 5 pays there.
bool costly_propagation(const BatchCache& cache) {
  return cache.network.architecture().activation != Activation::relu;
}

}  // namespace

LossSeries::LossSeries(const BatchCache& cache, std::size_t layer, ThreadPool& pool,
                       ProcessGroup& group)
    : layer_(layer), truncation_(cache.steps, costly_propagation(cache)) {
  build(cache, pool, group);
  // Degree 3 certifies a narrower radius: where it would send more than a thousandth
  // of the announced steps to the general path, degree 5 costs less. (Layers before
  // the last two settle this before their propagation.)
  if (truncation_.degree() < kSeriesDegree && !covers_steps_) {
    truncation_ = Truncation(cache.steps, false);
    build(cache, pool, group);
  }
}

void LossSeries::set_confidence(const BatchCache& cache) {
  confidence_.clear();
  for (const double budget : cache.confidence_budget) {
    confidence_.push_back(truncation_.uncapped_ratio(budget));
  }
}

void LossSeries::build(const BatchCache& cache, ThreadPool& pool, ProcessGroup& group) {
  set_confidence(cache);
  if (layer_ + 2 >= cache.network.layers()) {
    build_near_output(cache, pool, group);
  } else {
    build_through_layers(cache, pool, group);
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

void LossSeries::build_near_output(const BatchCache& cache, ThreadPool& pool, ProcessGroup& group) {
  const std::size_t layer = layer_;
  const Network& network = cache.network;
  const std::size_t last = network.layers() - 1;
  const bool output_layer = layer == last;
  const std::size_t units = network.units_of(layer);
  const std::size_t classes = network.units_of(last);
  const std::size_t samples = cache.batch_size();
  const std::size_t degree = truncation_.degree();
  lanes_ = (units + kLaneMultiple - 1) / kLaneMultiple * kLaneMultiple;
  coefficients_.resize(samples * degree * lanes_);  // every sample's row written below
  radius_.assign(samples * lanes_, 0.0);

  // direction(k, u): change of output pre-activation k per unit change of unit u's
  // activation: e_u for an output unit, row u of the last weights for a hidden one.
  Matrix direction = Matrix::Zero(Eigen::Index(classes), Eigen::Index(lanes_));
  if (output_layer) {
    for (std::size_t k = 0; k < classes; ++k) direction(Eigen::Index(k), Eigen::Index(k)) = 1.0;
  } else {
    direction.leftCols(Eigen::Index(units)) = network.weights(cache.theta, last).transpose();
  }
  std::vector<double> largest(lanes_, 0.0);  // max_k |w_k| per unit
  for (std::size_t u = 0; u < lanes_; ++u) {
    largest[u] = direction.col(Eigen::Index(u)).cwiseAbs().maxCoeff();
  }
  // powers[(m - 1) * classes + k][u] = w_k^m / m!: the moments' ingredients.
  Matrix powers(Eigen::Index(degree * classes), Eigen::Index(lanes_));
  for (std::size_t k = 0; k < classes; ++k) {
    for (std::size_t u = 0; u < lanes_; ++u) {
      const double w = direction(Eigen::Index(k), Eigen::Index(u));
      double term = 1.0;
      for (std::size_t m = 1; m <= degree; ++m) {
        term = term * w / double(m);
        powers(Eigen::Index((m - 1) * classes + k), Eigen::Index(u)) = term;
      }
    }
  }

  const bool cross_entropy = cache.form == ClosedForm::cross_entropy;
  const Activation activation = network.architecture().activation;
  const Matrix& outputs = cache.pass.outputs();
  // What the squared error's remainder bounds need, worst case over the batch (so
  // that each unit needs one bound); maxima, so the blocks' order does not matter.
  // (Cross-entropy's come from the cache.)
  std::mutex merge;
  std::vector<double> worst_slope(lanes_, 0.0), worst_curvature(lanes_, 0.0);

  // The certified radius of each unit: M bounds |F| on the disk |delta| <= rho; for
  // cross-entropy refined per sample (ConfidentDisk).
  const bool smooth = !output_layer && activation != Activation::relu;
  std::vector<double> certified(units, kInfinity);
  std::vector<ConfidentDisk> disks;
  const auto certify_units = [&] {
    const double log_three_halves = std::log(1.5);
    for (std::size_t u = 0; u < units; ++u) {
      const double w = largest[u];
      double rho = kInfinity;
      double lambda = 1.0;
      double bound = 0.0;
      double e = 0.0;  // cross-entropy: expm1 of the bound on the output changes
      if (cross_entropy) {
        const double s_radius = w > 0.0 ? log_three_halves / w : kInfinity;
        if (smooth) {
          smooth_disk(activation, s_radius, rho, lambda);
        } else {
          rho = s_radius;
        }
        e = w > 0.0 ? std::expm1(lambda * rho * w) : 0.0;
        bound = cache.largest_target_weight * -std::log1p(-cache.largest_probability_total * e);
      } else if (smooth) {
        // Squared error through a smooth activation: G is a quadratic in s.
        smooth_disk(activation, kInfinity, rho, lambda);
        const double s_radius = lambda * rho;
        bound = worst_slope[u] * s_radius + worst_curvature[u] * s_radius * s_radius;
      }  // else: F is G itself, a polynomial of degree 2: no remainder at all.
      if (std::isnan(bound)) bound = kInfinity;
      // A little slack for the rounding of the bound's own arithmetic.
      certified[u] = certified_radius(rho, bound * (1.0 + 1e-6), cache.tolerance, truncation_);
      if (cross_entropy) disks.emplace_back(*this, cache, rho, e, certified[u]);
    }
  };
  // Sample n's radii; returns how many miss the announced steps (when the degree may
  // still change: truncation.hpp).
  const bool counting = truncation_.degree() < kSeriesDegree;
  const auto set_radius = [&](std::size_t n) -> std::size_t {
    double* radius = radius_.data() + n * lanes_;
    for (std::size_t u = 0; u < units; ++u) {
      radius[u] = cross_entropy ? disks[u].radius(cache, n) : certified[u];
      if (output_layer && cross_entropy) {
        radius[u] = std::max(radius[u], output_unit_radius(cache, truncation_, n, u));
      }
      if (!output_layer && activation == Activation::relu) {
        // relu(a + delta) - relu(a) is delta (a > 0) or 0 (a < 0) only while a + delta
        // keeps the sign of a; zero of the pre-activations is a kink: no series.
        const double pre = cache.pass.pre_activations[layer](Eigen::Index(n), Eigen::Index(u));
        radius[u] = pre < 0.0 ? -pre : std::min(radius[u], pre);
      }
    }
    return counting ? short_pairs(cache, n) : 0;
  };
  // Cross-entropy's bounds need nothing from the series: its radii are set in the
  // series' job, for every sample (the series only for this process's share).
  if (cross_entropy) certify_units();
  std::atomic<std::size_t> short_count{0};  // a count: the blocks' order does not matter

  const SampleShare share(samples, group);
  // The job's blocks: this process's share of the samples (their series, and radii for
  // cross-entropy), then for cross-entropy the other samples (radii only), so that the
  // series spread over every thread whatever the number of processes.
  struct Range {
    std::size_t begin, end;
    bool series;
  };
  std::vector<Range> ranges;
  const auto add_ranges = [&](std::size_t begin, std::size_t end, bool series) {
    const std::size_t step = samples_per_block(end - begin, pool);
    for (std::size_t b = begin; b < end; b += step) {
      ranges.push_back({b, std::min(end, b + step), series});
    }
  };
  add_ranges(share.begin, share.end, true);
  if (cross_entropy) {
    add_ranges(0, share.begin, false);
    add_ranges(share.end, samples, false);
  }
  pool.for_each_block(ranges.size(), 1, [&](std::size_t first, std::size_t last) {
    for (std::size_t i = first; i < last; ++i) {
      const Range& range = ranges[i];
      std::size_t block_short = 0;
      if (!range.series) {
        for (std::size_t n = range.begin; n < range.end; ++n) block_short += set_radius(n);
        short_count += block_short;
        continue;
      }
      LaneSeries q(lanes_, degree), r(lanes_, degree), g(lanes_, degree), s(lanes_, degree),
          f(lanes_, degree);
      SeriesWorkspace work(lanes_, degree);
      std::vector<double> a(lanes_, 0.0), z(lanes_, 0.0);
      std::vector<double> block_slope(lanes_, 0.0), block_curvature(lanes_, 0.0);
      for (std::size_t n = range.begin; n < range.end; ++n) {
        if (cross_entropy) block_short += set_radius(n);
        const auto row = Eigen::Index(n);
        const auto y = outputs.row(row);
        g.clear();
        if (cross_entropy) {
          for (std::size_t m = 1; m <= degree; ++m) {
            double* qm = q[m];
            std::fill(qm, qm + lanes_, 0.0);
            for (std::size_t k = 0; k < classes; ++k) {
              const double yk = y[Eigen::Index(k)];
              const double* pw = &powers(Eigen::Index((m - 1) * classes + k), 0);
              for (std::size_t u = 0; u < lanes_; ++u) qm[u] += yk * pw[u];
            }
          }
          for (const auto& [k, t] : cache.target_entries[n]) {
            const double alpha = cache.alpha(y[Eigen::Index(k)]);
            const double beta = 1.0 - alpha;
            for (std::size_t m = 1; m <= degree; ++m) {
              const double* pw = &powers(Eigen::Index((m - 1) * classes + k), 0);
              const double* qm = q[m];
              double* rm = r[m];
              for (std::size_t u = 0; u < lanes_; ++u) rm[u] = alpha * pw[u] + beta * qm[u];
            }
            add_log1p(r, -t, g, work);
          }
          add_log1p(q, cache.target_sum[n], g, work);
        } else {
          for (std::size_t k = 0; k < classes; ++k) {
            const double residual = y[Eigen::Index(k)] - cache.targets(row, Eigen::Index(k));
            const double* w = &direction(Eigen::Index(k), 0);
            for (std::size_t u = 0; u < lanes_; ++u) {
              g[1][u] += w[u] * residual;
              g[2][u] += 0.5 * w[u] * w[u];
            }
          }
        }

        if (output_layer) {
          f = g;
        } else {
          const auto& pre = cache.pass.pre_activations[layer];
          const auto& post = cache.pass.activations[layer];
          std::copy_n(&pre(row, 0), units, a.begin());
          std::copy_n(&post(row, 0), units, z.begin());
          activation_series(activation, a.data(), z.data(), units, s, r);
          compose(g, s, f, work);
        }

        double* coefficients = coefficients_.data() + n * degree * lanes_;
        for (std::size_t m = 1; m <= degree; ++m) {
          std::copy_n(f[m], lanes_, coefficients + (m - 1) * lanes_);
        }

        if (!cross_entropy) {
          for (std::size_t u = 0; u < units; ++u) {
            block_slope[u] = std::max(block_slope[u], std::abs(g[1][u]));
            block_curvature[u] = std::max(block_curvature[u], std::abs(g[2][u]));
          }
        }
      }
      short_count += block_short;
      if (cross_entropy) continue;
      const std::lock_guard<std::mutex> lock(merge);
      for (std::size_t u = 0; u < units; ++u) {
        worst_slope[u] = std::max(worst_slope[u], block_slope[u]);
        worst_curvature[u] = std::max(worst_curvature[u], block_curvature[u]);
      }
    }
  });
  share.gather(coefficients_.data(), degree * lanes_, group);
  if (!cross_entropy) {
    // The squared error's bounds need the whole batch's worst slopes: a second job.
    share_maxima(worst_slope, worst_curvature, group);
    certify_units();
    pool.for_each_block(samples, [&](std::size_t first, std::size_t end) {
      std::size_t here = 0;
      for (std::size_t n = first; n < end; ++n) here += set_radius(n);
      short_count += here;
    });
  }
  covers_steps_ = covers(cache, short_count.load());
}

}  // namespace xp::mlp
