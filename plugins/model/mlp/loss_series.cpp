#include "loss_series.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace xp::mlp {

namespace {

constexpr std::size_t N = kSeriesDegree;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Power series without constant term, one per lane (unit): term m (0..N) of lane u
// at [m * lanes + u], so that every operation is a loop over units.
class LaneSeries {
 public:
  explicit LaneSeries(std::size_t lanes) : lanes_(lanes), terms_((N + 1) * lanes, 0.0) {}
  double* operator[](std::size_t m) { return terms_.data() + m * lanes_; }
  const double* operator[](std::size_t m) const { return terms_.data() + m * lanes_; }
  void clear() { std::fill(terms_.begin(), terms_.end(), 0.0); }
  std::size_t lanes() const { return lanes_; }

 private:
  std::size_t lanes_;
  std::vector<double> terms_;
};

// product = a * b, truncated after degree N; a has no terms below degree `lowest`.
void multiply(const LaneSeries& a, std::size_t lowest, const LaneSeries& b, LaneSeries& product) {
  product.clear();
  const std::size_t lanes = a.lanes();
  for (std::size_t d = lowest + 1; d <= N; ++d) {
    double* out = product[d];
    for (std::size_t i = lowest; i < d; ++i) {
      const double* x = a[i];
      const double* y = b[d - i];
      for (std::size_t u = 0; u < lanes; ++u) out[u] += x[u] * y[u];
    }
  }
}

// Scratch for compositions of series.
struct Workspace {
  explicit Workspace(std::size_t lanes) : power(lanes), next(lanes) {}
  LaneSeries power;
  LaneSeries next;
};

// out += scale * log1p(x) = scale * sum_k (-1)^{k+1} x^k / k, truncated after degree N.
void add_log1p(const LaneSeries& x, double scale, LaneSeries& out, Workspace& work) {
  work.power = x;
  for (std::size_t k = 1; k <= N; ++k) {
    const double coefficient = (k % 2 == 1 ? scale : -scale) / double(k);
    for (std::size_t m = k; m <= N; ++m) {
      const double* p = work.power[m];
      double* o = out[m];
      for (std::size_t u = 0; u < x.lanes(); ++u) o[u] += coefficient * p[u];
    }
    if (k < N) {
      multiply(work.power, k, x, work.next);
      std::swap(work.power, work.next);
    }
  }
}

// out = g(s) = sum_k g_k s^k with per-lane coefficients g_k = g[k], truncated.
void compose(const LaneSeries& g, const LaneSeries& s, LaneSeries& out, Workspace& work) {
  out.clear();
  work.power = s;
  for (std::size_t k = 1; k <= N; ++k) {
    const double* gk = g[k];
    for (std::size_t m = k; m <= N; ++m) {
      const double* p = work.power[m];
      double* o = out[m];
      for (std::size_t u = 0; u < s.lanes(); ++u) o[u] += gk[u] * p[u];
    }
    if (k < N) {
      multiply(work.power, k, s, work.next);
      std::swap(work.power, work.next);
    }
  }
}

// s(delta) = act(a + delta) - act(a) as a series, for every unit of one sample;
// `other` is scratch. Every step is a loop over units.
void activation_series(Activation activation, const double* a, const double* z, std::size_t units,
                       LaneSeries& s, LaneSeries& other) {
  s.clear();
  switch (activation) {
    case Activation::sigmoid: {
      // sigma' = sigma (1 - sigma): (m + 1) c_{m+1} = sum_i c_i d_{m-i} with d the
      // series of 1 - sigma (d_0 = sigmoid(-a), computed apart so nothing cancels).
      double* d0 = other[0];
      for (std::size_t u = 0; u < units; ++u) {
        s[0][u] = z[u];
        d0[u] = sigmoid(-a[u]);
      }
      for (std::size_t m = 0; m < N; ++m) {
        double* next = s[m + 1];
        for (std::size_t i = 0; i <= m; ++i) {
          const double* c = s[i];
          const double* d = other[m - i];
          for (std::size_t u = 0; u < units; ++u) next[u] += c[u] * d[u];
        }
        const double scale = 1.0 / double(m + 1);
        double* complement = other[m + 1];
        for (std::size_t u = 0; u < units; ++u) {
          next[u] *= scale;
          complement[u] = -next[u];
        }
      }
      break;
    }
    case Activation::tanh:
      // tanh' = 1 - tanh^2, with c_1 = 1 / cosh^2(a) (1 - tanh^2 would cancel).
      for (std::size_t u = 0; u < units; ++u) {
        const double c = std::cosh(a[u]);
        s[0][u] = z[u];
        s[1][u] = 1.0 / (c * c);
      }
      for (std::size_t m = 1; m < N; ++m) {
        double* next = s[m + 1];
        for (std::size_t i = 0; i <= m; ++i) {
          const double* c = s[i];
          const double* d = s[m - i];
          for (std::size_t u = 0; u < units; ++u) next[u] -= c[u] * d[u];
        }
        const double scale = 1.0 / double(m + 1);
        for (std::size_t u = 0; u < units; ++u) next[u] *= scale;
      }
      break;
    case Activation::relu:
      for (std::size_t u = 0; u < units; ++u) s[1][u] = a[u] > 0.0 ? 1.0 : 0.0;
      break;
  }
  std::fill(s[0], s[0] + units, 0.0);  // the change has no constant term
}

// rho (the Cauchy disk's radius in delta) and Lambda (the bound of |act'| on it) for
// a smooth activation, given that the disk in s may not exceed s_radius.
void smooth_disk(Activation activation, double s_radius, double& rho, double& lambda) {
  // Largest disks used: where cos^2 stays above 0.77 (Lambda 0.325 and 1.30).
  const double rho_max = activation == Activation::sigmoid ? 1.0 : 0.5;
  const auto lambda_of = [activation](double r) {
    const double c = activation == Activation::sigmoid ? std::cos(0.5 * r) : std::cos(r);
    return activation == Activation::sigmoid ? 0.25 / (c * c) : 1.0 / (c * c);
  };
  rho = std::min(rho_max, s_radius / lambda_of(rho_max));
  lambda = lambda_of(rho);
}

// The certified radius: the largest r with M (r/rho)^{N+1} / (1 - r/rho) <= tolerance
// (taking r <= rho/2, where the last factor is at most 2).
double certified_radius(double rho, double bound, double tolerance) {
  if (bound == 0.0) return kInfinity;
  if (!(bound < kInfinity) || !(rho > 0.0)) return 0.0;
  const double ratio = std::pow(tolerance / (2.0 * bound), 1.0 / double(N + 1));
  return rho * std::min(0.5, ratio);
}

}  // namespace

bool LossSeries::available(const BatchCache& cache) {
  const OutputFunction output = cache.network.architecture().output;
  return (output == OutputFunction::softmax && cache.form == ClosedForm::cross_entropy) ||
         (output == OutputFunction::identity && cache.form == ClosedForm::squared_error);
}

LossSeries::LossSeries(const BatchCache& cache, std::size_t layer) : layer_(layer) {
  const Network& network = cache.network;
  const std::size_t last = network.layers() - 1;
  const bool output_layer = layer == last;
  const std::size_t units = network.units_of(layer);
  const std::size_t classes = network.units_of(last);
  const std::size_t samples = cache.batch_size();
  lanes_ = (units + kLaneMultiple - 1) / kLaneMultiple * kLaneMultiple;
  coefficients_.assign(samples * N * lanes_, 0.0);
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
  Matrix powers(Eigen::Index(N * classes), Eigen::Index(lanes_));
  for (std::size_t k = 0; k < classes; ++k) {
    for (std::size_t u = 0; u < lanes_; ++u) {
      const double w = direction(Eigen::Index(k), Eigen::Index(u));
      double term = 1.0;
      for (std::size_t m = 1; m <= N; ++m) {
        term = term * w / double(m);
        powers(Eigen::Index((m - 1) * classes + k), Eigen::Index(u)) = term;
      }
    }
  }

  const bool cross_entropy = cache.form == ClosedForm::cross_entropy;
  const Activation activation = network.architecture().activation;
  const double log_three_halves = std::log(1.5);
  LaneSeries q(lanes_), r(lanes_), g(lanes_), s(lanes_), f(lanes_);
  Workspace work(lanes_);
  std::vector<double> a(lanes_, 0.0), z(lanes_, 0.0);
  const Matrix& outputs = cache.pass.outputs();
  double worst_weight_total = 0.0;
  double worst_probability_total = 1.0;
  std::vector<double> worst_slope(lanes_, 0.0), worst_curvature(lanes_, 0.0);

  for (std::size_t n = 0; n < samples; ++n) {
    const auto row = Eigen::Index(n);
    const auto y = outputs.row(row);
    g.clear();
    double weight_sum = 0.0;    // sum_k t_k
    double weight_total = 0.0;  // |sum_k t_k| + sum_k |t_k|: the bound's factor
    if (cross_entropy) {
      for (std::size_t m = 1; m <= N; ++m) {
        double* qm = q[m];
        std::fill(qm, qm + lanes_, 0.0);
        for (std::size_t k = 0; k < classes; ++k) {
          const double yk = y[Eigen::Index(k)];
          const double* pw = &powers(Eigen::Index((m - 1) * classes + k), 0);
          for (std::size_t u = 0; u < lanes_; ++u) qm[u] += yk * pw[u];
        }
      }
      double absolute = 0.0;
      for (const auto& [k, t] : cache.target_entries[n]) {
        weight_sum += t;
        absolute += std::abs(t);
        const double yk = y[Eigen::Index(k)];
        const double denominator = yk + cache.epsilon;
        const double alpha = denominator > 0.0 ? yk / denominator : 1.0;
        const double beta = 1.0 - alpha;
        for (std::size_t m = 1; m <= N; ++m) {
          const double* pw = &powers(Eigen::Index((m - 1) * classes + k), 0);
          const double* qm = q[m];
          double* rm = r[m];
          for (std::size_t u = 0; u < lanes_; ++u) rm[u] = alpha * pw[u] + beta * qm[u];
        }
        add_log1p(r, -t, g, work);
      }
      add_log1p(q, weight_sum, g, work);
      weight_total = std::abs(weight_sum) + absolute;
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

    double* coefficients = coefficients_.data() + n * N * lanes_;
    for (std::size_t m = 1; m <= N; ++m) {
      std::copy_n(f[m], lanes_, coefficients + (m - 1) * lanes_);
    }

    // What the remainder bounds need from this sample (their worst case is taken over
    // the batch, so that each unit needs one bound).
    if (cross_entropy) {
      worst_weight_total = std::max(worst_weight_total, weight_total);
      worst_probability_total = std::max(worst_probability_total, y.sum());
    } else {
      for (std::size_t u = 0; u < units; ++u) {
        worst_slope[u] = std::max(worst_slope[u], std::abs(g[1][u]));
        worst_curvature[u] = std::max(worst_curvature[u], std::abs(g[2][u]));
      }
    }
  }

  // The certified radius of each unit: M bounds |F| on the disk |delta| <= rho.
  const bool smooth = !output_layer && activation != Activation::relu;
  std::vector<double> certified(units, kInfinity);
  for (std::size_t u = 0; u < units; ++u) {
    const double w = largest[u];
    double rho = kInfinity;
    double lambda = 1.0;
    double bound = 0.0;
    if (cross_entropy) {
      const double s_radius = w > 0.0 ? log_three_halves / w : kInfinity;
      if (smooth) {
        smooth_disk(activation, s_radius, rho, lambda);
      } else {
        rho = s_radius;
      }
      const double q_bound = w > 0.0 ? worst_probability_total * std::expm1(lambda * rho * w) : 0.0;
      bound = worst_weight_total * -std::log1p(-q_bound);
    } else if (smooth) {
      // Squared error through a smooth activation: G is a quadratic in s.
      smooth_disk(activation, kInfinity, rho, lambda);
      const double s_radius = lambda * rho;
      bound = worst_slope[u] * s_radius + worst_curvature[u] * s_radius * s_radius;
    }  // else: F is G itself, a polynomial of degree 2: no remainder at all.
    if (std::isnan(bound)) bound = kInfinity;
    // A little slack for the rounding of the bound's own arithmetic.
    certified[u] = certified_radius(rho, bound * (1.0 + 1e-6), cache.tolerance);
  }
  for (std::size_t n = 0; n < samples; ++n) {
    double* radius = radius_.data() + n * lanes_;
    for (std::size_t u = 0; u < units; ++u) {
      radius[u] = certified[u];
      if (!output_layer && activation == Activation::relu) {
        // relu(a + delta) - relu(a) is delta (a > 0) or 0 (a < 0) only while a + delta
        // keeps the sign of a; zero of the pre-activations is a kink: no series.
        const double pre = cache.pass.pre_activations[layer](Eigen::Index(n), Eigen::Index(u));
        radius[u] = pre < 0.0 ? -pre : std::min(certified[u], pre);
      }
    }
  }
}

}  // namespace xp::mlp
