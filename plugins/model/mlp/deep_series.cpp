// LossSeries for a unit of any layer but the last two: the change of its
// pre-activation carried through every later layer as univariate Taylor-mode
// arithmetic (truncated power series in delta, lane_series.hpp).
//
// For sample n and unit u of layer l, shifted by delta:
//  - the unit's activation changes by s_u(delta), the series of act at a_nu;
//  - layer l + 1's pre-activations change by s_u(delta) W_{l+1}[u, :], one series
//    per unit k (a rank-one start);
//  - each hidden unit k of a later layer j turns its input change x_k(delta) into
//    act(a_nk + x_k) - act(a_nk) = sum_p g_kp x_k^p, with g_kp the Taylor
//    coefficients of act at a_nk (the same ODE recurrences as for the unit itself);
//  - the next pre-activations change by those changes times W_{j+1}: one matrix
//    product over coefficient vectors, for every unit u of layer l at once;
//  - at the output: softmax with cross-entropy takes E_k = expm1(x_k), Q = sum_k
//    y_k E_k and G = (sum t) log1p(Q) - sum_k t_k log1p(alpha_k E_k + (1 - alpha_k) Q)
//    (loss_series.hpp); identity with squared error G = sum_k x_k (y_k - t_k) + x_k^2/2.
//  - the top degree N skips the matrix products. In any composition f(z + sum_m
//    p_m t^m) the coefficient of t^N is f'(z) . p_N plus terms of the lower p_m only,
//    so p_N is only ever needed through a gradient. Write T_j for the top-degree
//    change of hidden layer j's activations computed with p_N = 0 coming in, and
//    v_j = dl_n/dz_j for the gradient of the sample's loss change with respect to
//    those activations (backprop: v_{j-1} = W_j (act'(a_j) v_j), from the output's
//    dG/dx). Then c_N = G_N(p_N = 0) + sum_j v_j . T_j: by induction over the
//    layers, v_j . r_{j,N} = v_j . T_j + v_{j-1} . r_{j-1,N}, down to the first
//    later layer, whose top degree comes whole from the unit's own series.
// Cost per sample, for series of degree N (truncation.hpp: 5, or 3 for symmetric
// steps): about units(l) x (N - 1) x (the weights of the layers after l + 1)
// multiply-adds for the matrix products, plus N^3 / 3 per (unit, later unit) pair for
// the compositions, plus one backprop through those layers for the top degree; relu
// carries degree 1 only (it is linear on each side of its kink).
//
// Remainder bounds (Cauchy's estimate, as loss_series.hpp):
//  - sigmoid and tanh: on the disk |delta| <= rho, |s_u| <= Lambda(rho) rho; a change
//    of modulus at most R_k at a later unit stays in the strip |Im| <= R_k, so its
//    activation changes by at most Lambda(R_k) R_k; the next layer's changes are at
//    most |W|^T times those. At the output |x_k| <= D_k, so |Q|, |R_k| <= qbar =
//    (max sum y) expm1(max D) and |F| <= M = (max weight total) (-log1p(-qbar)), or
//    M = sum_k (max |y_k - t_k|) D_k + D_k^2 / 2 for squared error. rho is the widest
//    disk (halved from the largest strip) on which every R_k stays in its strip and
//    qbar <= 1/2; the bound holds for every sample of the batch, and is refined per
//    sample by its confidence (LossSeries::ConfidentDisk).
//  - relu: F(delta) = G(delta v_nu) exactly while no unit changes side: |delta| <=
//    |a_nu| for the unit itself and |a_nk| / |v_nuk| for every later hidden unit k
//    (v: the unit's Jacobian column), then the output's bound as for one layer.
#include <algorithm>
#include <cmath>

#include "loss_series.hpp"
#include "sample_share.hpp"

namespace xp::mlp {

namespace {

// Everything one sample's propagation writes, reused from sample to sample.
struct Propagation {
  Propagation(const Network& network, std::size_t layer, std::size_t lanes, std::size_t degree)
      : own(lanes, degree),
        scratch(lanes, degree),
        powers(degree, LaneSeries(lanes, degree)),
        work(lanes, degree),
        q(lanes, degree),
        r(lanes, degree),
        g(lanes, degree),
        a(lanes, 0.0),
        z(lanes, 0.0) {
    for (std::size_t j = layer + 1; j < network.layers(); ++j) {
      const auto units = Eigen::Index(network.units_of(j));
      changes.emplace_back(Matrix::Zero(units, Eigen::Index((degree + 1) * lanes)));
      coefficients.emplace_back(network.units_of(j), degree);
      coefficient_scratch.emplace_back(network.units_of(j), degree);
    }
    activation_gradients.resize(changes.size() - 1);
  }
  LaneSeries own, scratch;         // s_u(delta) of every unit u of the layer
  std::vector<LaneSeries> powers;  // s_u^p, p = 1..degree (sigmoid and tanh)
  SeriesWorkspace work;
  LaneSeries q, r, g;  // the output's series
  std::vector<double> a, z;
  // v_j for each later hidden layer j = l + 1 + i (see the top degree above), the
  // output's dG/dx, and sum_j v_j . T_j per unit.
  std::vector<Eigen::VectorXd> activation_gradients;
  Eigen::VectorXd output_gradient, top_share, slope;
  // changes[i]: the pre-activation changes of layer l + 1 + i, one series of lanes
  // (units u of layer l) per row (its units k).
  std::vector<Matrix> changes;
  std::vector<LaneSeries> coefficients, coefficient_scratch;  // act's series at a_n
};

LaneSeries row_series(Matrix& changes, Eigen::Index k, std::size_t lanes, std::size_t degree) {
  return LaneSeries(changes.row(k).data(), lanes, degree);
}

// Backprop for sample n from the output's dG/dx down to layer + 1: v_j = dl_n/dz_j
// into state.activation_gradients[j - layer - 1]. transposed[i] is W^T of layer
// layer + 1 + i.
void backpropagate(const BatchCache& cache, std::size_t layer, std::size_t n,
                   const std::vector<Matrix>& transposed, Propagation& state) {
  const auto row = Eigen::Index(n);
  const auto y = cache.pass.outputs().row(row);
  Eigen::VectorXd& output = state.output_gradient;
  if (cache.form == ClosedForm::cross_entropy) {
    // G of loss_series.hpp: dG/dx_m = y_m A - t_m alpha_m with A = sum_k t_k alpha_k
    // (y - t when eps = 0).
    double weighted = 0.0;
    for (const auto& [k, t] : cache.target_entries[n]) {
      weighted += t * cache.alpha(y[Eigen::Index(k)]);
    }
    output = y.transpose() * weighted;
    for (const auto& [k, t] : cache.target_entries[n]) {
      output[Eigen::Index(k)] -= t * cache.alpha(y[Eigen::Index(k)]);
    }
  } else {
    output = (y - cache.targets.row(row)).transpose();
  }
  const Activation activation = cache.network.architecture().activation;
  auto& gradients = state.activation_gradients;
  gradients.back().noalias() = transposed.back().transpose() * output;
  for (std::size_t i = gradients.size() - 1; i > 0; --i) {
    const auto z = cache.pass.activations[layer + 1 + i].row(row).transpose().array();
    Eigen::VectorXd& slope = state.slope;
    if (activation == Activation::sigmoid) {
      slope = (z * (1.0 - z)).matrix();
    } else {
      slope = (1.0 - z * z).matrix();
    }
    gradients[i - 1].noalias() = transposed[i].transpose() * gradients[i].cwiseProduct(slope);
  }
}

}  // namespace

void LossSeries::build_through_layers(const BatchCache& cache, ThreadPool& pool,
                                      ProcessGroup& group) {
  const Network& network = cache.network;
  const std::size_t layer = layer_;
  const std::size_t last = network.layers() - 1;
  const std::size_t units = network.units_of(layer);
  const std::size_t samples = cache.batch_size();
  const Activation activation = network.architecture().activation;
  const bool relu = activation == Activation::relu;
  const bool cross_entropy = cache.form == ClosedForm::cross_entropy;
  lanes_ = (units + kLaneMultiple - 1) / kLaneMultiple * kLaneMultiple;
  radius_.assign(samples * lanes_, 0.0);

  // transposed[i] = W^T of layer l + 1 + i; the first is padded to lanes columns.
  std::vector<Matrix> transposed;
  for (std::size_t j = layer + 1; j <= last; ++j) {
    transposed.emplace_back(network.weights(cache.theta, j).transpose());
  }

  // sigmoid and tanh: the radii come from the weights and the cache alone, so the
  // degree is settled before the propagation, the costly part (truncation.hpp).
  const auto set_smooth_radii = [&] {
    const std::vector<ConfidentDisk> disks = smooth_disks(cache, transposed);
    for (std::size_t n = 0; n < samples; ++n) {
      double* radius = radius_.data() + n * lanes_;
      for (std::size_t u = 0; u < units; ++u) radius[u] = disks[u].radius(cache, n);
    }
  };
  if (!relu) {
    set_smooth_radii();
    if (truncation_.degree() < kSeriesDegree && !covers_announced_steps(cache, pool)) {
      truncation_ = Truncation(cache.steps, false);
      set_confidence(cache);
      set_smooth_radii();
    }
  }
  covers_steps_ = true;  // settled just above (relu: degree 5 from the start)
  const std::size_t degree = truncation_.degree();
  const std::size_t top = relu ? 1 : degree;  // the highest degree a hidden change carries
  coefficients_.assign(samples * degree * lanes_, 0.0);
  const auto width = Eigen::Index(lanes_);
  // Through the matrix products: relu's degree 1; below the top degree otherwise.
  const auto carried = Eigen::Index((relu ? 1 : degree - 1) * lanes_);
  const auto top_block = Eigen::Index(degree) * width;
  Matrix first = Matrix::Zero(Eigen::Index(network.units_of(layer + 1)), width);
  first.leftCols(Eigen::Index(units)) = transposed.front();

  std::vector<double> exp_coefficients(degree + 1, 0.0);  // expm1: 1 / p!
  double factorial = 1.0;
  for (std::size_t p = 1; p <= degree; ++p) exp_coefficients[p] = 1.0 / (factorial *= double(p));

  const Matrix& outputs = cache.pass.outputs();
  const std::size_t classes = network.units_of(last);

  const SampleShare share(samples, group);
  const std::size_t block = samples_per_block(share.size(), pool);
  pool.for_each_block(share.size(), block, [&](std::size_t block_begin, std::size_t block_end) {
    const std::size_t begin = share.begin + block_begin;
    const std::size_t end = share.begin + block_end;
    Propagation state(network, layer, lanes_, degree);
    std::vector<double> g_of_unit(degree + 1, 0.0);
    for (std::size_t n = begin; n < end; ++n) {
      const auto row = Eigen::Index(n);
      double* radius = radius_.data() + n * lanes_;
      std::copy_n(&cache.pass.pre_activations[layer](row, 0), units, state.a.begin());
      std::copy_n(&cache.pass.activations[layer](row, 0), units, state.z.begin());
      activation_series(activation, state.a.data(), state.z.data(), units, state.own,
                        state.scratch);
      for (std::size_t u = 0; relu && u < units; ++u) radius[u] = std::abs(state.a[u]);

      // The rank-one start: row k of layer l + 1 is x_k = s_u(delta) W_{l+1}[u, k]. For
      // sigmoid and tanh its activation change sum_p g_kp x_k^p is taken at once as
      // sum_p (g_kp w_uk^p) s_u^p, with the powers of s_u shared by every k (no
      // powers of a series per k, as a composition would take).
      Matrix& start = state.changes.front();
      if (relu) {
        for (Eigen::Index k = 0; k < start.rows(); ++k) {
          const double* w = &first(k, 0);
          const double* s = state.own[1];
          double* out = &start(k, width);
          for (std::size_t u = 0; u < lanes_; ++u) out[u] = w[u] * s[u];
        }
      } else {
        state.powers.front() = state.own;
        for (std::size_t p = 2; p <= degree; ++p) {
          multiply(state.powers[p - 2], p - 1, state.own, state.powers[p - 1]);
        }
        LaneSeries& g = state.coefficients.front();
        activation_series(activation, &cache.pass.pre_activations[layer + 1](row, 0),
                          &cache.pass.activations[layer + 1](row, 0), g.lanes(), g,
                          state.coefficient_scratch.front());
        for (Eigen::Index k = 0; k < start.rows(); ++k) {
          for (std::size_t p = 1; p <= degree; ++p) g_of_unit[p] = g[p][k];
          LaneSeries x = row_series(start, k, lanes_, degree);
          compose_weighted(g_of_unit.data(), &first(k, 0), state.powers, x, state.work);
        }
      }

      // Through each later hidden layer: its activations (the first one's are taken
      // already for sigmoid and tanh), then its outgoing weights.
      for (std::size_t j = layer + 1; j < last; ++j) {
        const std::size_t i = j - layer - 1;
        Matrix& changes = state.changes[i];
        const double* pre = &cache.pass.pre_activations[j](row, 0);
        const double* post = &cache.pass.activations[j](row, 0);
        if (relu) {
          for (Eigen::Index k = 0; k < changes.rows(); ++k) {
            const double* slope = &changes(k, width);  // degree 1: v_nuk
            const double a = std::abs(pre[k]);
            for (std::size_t u = 0; u < lanes_; ++u) {
              if (slope[u] != 0.0) radius[u] = std::min(radius[u], a / std::abs(slope[u]));
            }
            if (!(pre[k] > 0.0)) changes.row(k).setZero();
          }
        } else if (j > layer + 1) {  // the first layer's were taken with the start
          LaneSeries& g = state.coefficients[i];
          activation_series(activation, pre, post, g.lanes(), g, state.coefficient_scratch[i]);
          for (Eigen::Index k = 0; k < changes.rows(); ++k) {
            for (std::size_t p = 1; p <= degree; ++p) g_of_unit[p] = g[p][k];
            LaneSeries x = row_series(changes, k, lanes_, degree);
            compose_in_place(g_of_unit.data(), x, state.work);
          }
        }
        state.changes[i + 1].middleCols(width, carried).noalias() =
            transposed[i + 1] * changes.middleCols(width, carried);
        if (!relu) state.changes[i + 1].middleCols(top_block, width).setZero();
      }
      if (!relu) {
        backpropagate(cache, layer, n, transposed, state);
        state.top_share.setZero(width);
        for (std::size_t i = 0; i < state.activation_gradients.size(); ++i) {
          state.top_share.noalias() += state.changes[i].middleCols(top_block, width).transpose() *
                                       state.activation_gradients[i];
        }
      }

      // The output: the loss change G of the output pre-activations' changes x_k
      // (composed in place below: relu's rows must start each sample at degree 1).
      Matrix& x = state.changes.back();
      if (top < degree) x.rightCols(Eigen::Index((degree - top) * lanes_)).setZero();
      const auto y = outputs.row(row);
      LaneSeries& g = state.g;
      g.clear();
      if (relu && cross_entropy) {
        // F(delta) = G(delta v): the one-layer bound with w = max_k |v_k| per unit, on
        // the disk rho = log(3/2) / w (so that qbar <= 1/2); radii scale as 1 / w.
        const double probability_total = std::max(1.0, y.sum());
        const double bound = cache.target_weight[n] * -std::log1p(-probability_total * 0.5);
        const ConfidentDisk unit_disk(
            *this, cache, 1.0, 0.5,
            certified_radius(1.0, bound * (1.0 + 1e-6), cache.tolerance, truncation_));
        const double reach = std::log(1.5) * unit_disk.radius(cache, n);
        for (std::size_t u = 0; u < units; ++u) {
          const double w = x.col(width + Eigen::Index(u)).cwiseAbs().maxCoeff();
          if (w > 0.0) radius[u] = std::min(radius[u], reach / w);
        }
      }
      if (cross_entropy) {
        LaneSeries& q = state.q;
        q.clear();
        for (std::size_t k = 0; k < classes; ++k) {
          LaneSeries e = row_series(x, Eigen::Index(k), lanes_, degree);
          compose_in_place(exp_coefficients.data(), e, state.work);
          const double yk = y[Eigen::Index(k)];
          for (std::size_t m = 1; m <= degree; ++m) {
            for (std::size_t u = 0; u < lanes_; ++u) q[m][u] += yk * e[m][u];
          }
        }
        const auto class_series = [&](std::size_t k, std::size_t m) {
          return &x(Eigen::Index(k), Eigen::Index(m) * width);  // expm1, composed above
        };
        add_cross_entropy_series(cache, n, q, class_series, state.r, g, state.work);
      } else {
        for (std::size_t k = 0; k < classes; ++k) {
          const double residual = y[Eigen::Index(k)] - cache.targets(row, Eigen::Index(k));
          const LaneSeries e = row_series(x, Eigen::Index(k), lanes_, degree);
          multiply(e, 1, e, state.r);
          for (std::size_t m = 1; m <= degree; ++m) {
            for (std::size_t u = 0; u < lanes_; ++u) {
              g[m][u] += residual * e[m][u] + 0.5 * state.r[m][u];
            }
          }
        }
      }
      if (!relu) {
        for (std::size_t u = 0; u < lanes_; ++u) g[degree][u] += state.top_share[Eigen::Index(u)];
      }
      double* coefficients = coefficients_.data() + n * degree * lanes_;
      for (std::size_t m = 1; m <= degree; ++m) {
        std::copy_n(g[m], lanes_, coefficients + (m - 1) * lanes_);
      }
    }
  });
  share.gather(coefficients_.data(), degree * lanes_, group);
  if (relu) {
    share.gather(radius_.data(), lanes_, group);  // from the propagation (smooth: the disks)
  }
}

std::vector<LossSeries::ConfidentDisk> LossSeries::smooth_disks(
    const BatchCache& cache, const std::vector<Matrix>& transposed) const {
  const Network& network = cache.network;
  const Activation activation = network.architecture().activation;
  const std::size_t units = network.units_of(layer_);
  const bool cross_entropy = cache.form == ClosedForm::cross_entropy;
  const Matrix& outputs = cache.pass.outputs();
  const std::size_t classes = std::size_t(outputs.cols());

  // What the squared error's bound needs, worst case over the batch (cross-entropy's
  // comes from the cache).
  Eigen::VectorXd residual = Eigen::VectorXd::Zero(Eigen::Index(classes));
  for (std::size_t n = 0; n < cache.batch_size() && !cross_entropy; ++n) {
    const auto row = Eigen::Index(n);
    residual =
        residual.cwiseMax((outputs.row(row) - cache.targets.row(row)).cwiseAbs().transpose());
  }

  std::vector<Matrix> magnitudes;  // |W|^T of each later layer
  for (const auto& w : transposed) magnitudes.emplace_back(w.cwiseAbs());
  const double strip = largest_strip(activation);

  // |F| <= M on |delta| <= rho for unit u, or infinity where a strip or qbar <= 1/2
  // fails; e: expm1 of the bound on the output changes (cross-entropy).
  const auto bound = [&](std::size_t u, double rho, double& e) {
    Eigen::VectorXd reach =
        magnitudes.front().col(Eigen::Index(u)) * (derivative_bound(activation, rho) * rho);
    for (std::size_t i = 1; i < magnitudes.size(); ++i) {
      if (!(reach.maxCoeff() <= strip)) return kInfinity;
      for (auto& r : reach) r *= derivative_bound(activation, r);
      reach = magnitudes[i] * reach;
    }
    if (cross_entropy) {
      e = std::expm1(reach.maxCoeff());
      const double q_bound = cache.largest_probability_total * e;
      if (!(q_bound <= 0.5)) return kInfinity;
      return cache.largest_target_weight * -std::log1p(-q_bound);
    }
    return residual.dot(reach) + 0.5 * reach.squaredNorm();
  };

  std::vector<ConfidentDisk> disks;
  for (std::size_t u = 0; u < units; ++u) {
    double rho = strip;
    double e = kInfinity;  // squared error: no confidence refinement
    double m = bound(u, rho, e);
    for (int halvings = 0; !(m < kInfinity) && halvings < 64; ++halvings) {
      rho *= 0.5;
      m = bound(u, rho, e);
    }
    // A little slack for the rounding of the bound's own arithmetic.
    disks.emplace_back(*this, cache, rho, e,
                       certified_radius(rho, m * (1.0 + 1e-6), cache.tolerance, truncation_));
  }
  return disks;
}

}  // namespace xp::mlp
