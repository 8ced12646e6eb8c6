#include "lane_series.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace xp::mlp {

LaneSeries::LaneSeries(std::size_t lanes, std::size_t degree)
    : lanes_(lanes), degree_(degree), owned_((degree + 1) * lanes, 0.0), terms_(owned_.data()) {}

LaneSeries::LaneSeries(const LaneSeries& other)
    : lanes_(other.lanes_),
      degree_(other.degree_),
      owned_(other.terms_, other.terms_ + (other.degree_ + 1) * other.lanes_),
      terms_(owned_.data()) {}

LaneSeries& LaneSeries::operator=(const LaneSeries& other) {
  if (this != &other) std::copy_n(other.terms_, (degree_ + 1) * lanes_, terms_);
  return *this;
}

void LaneSeries::clear() { std::fill_n(terms_, (degree_ + 1) * lanes_, 0.0); }

void LaneSeries::swap_terms(LaneSeries& other) {
  if (owned_.empty() || other.owned_.empty()) {
    std::swap_ranges(terms_, terms_ + (degree_ + 1) * lanes_, other.terms_);
    return;
  }
  owned_.swap(other.owned_);
  std::swap(terms_, other.terms_);
}

void multiply(const LaneSeries& a, std::size_t lowest, const LaneSeries& b, LaneSeries& product) {
  product.clear();
  const std::size_t lanes = a.lanes();
  for (std::size_t d = lowest + 1; d <= product.degree(); ++d) {
    double* out = product[d];
    for (std::size_t i = lowest; i < d; ++i) {
      const double* x = a[i];
      const double* y = b[d - i];
      for (std::size_t u = 0; u < lanes; ++u) out[u] += x[u] * y[u];
    }
  }
}

namespace {

// Calls add(k, power) with power = x^k for k = 1..degree (no terms below degree k),
// each power a truncated product of the previous one and x.
template <typename Add>
void for_each_power(const LaneSeries& x, SeriesWorkspace& work, Add&& add) {
  work.power = x;
  const std::size_t degree = x.degree();
  for (std::size_t k = 1; k <= degree; ++k) {
    add(k, work.power);
    if (k < degree) {
      multiply(work.power, k, x, work.next);
      work.power.swap_terms(work.next);
    }
  }
}

// out += coefficient(u) * power, for the degrees k..degree that x^k has.
template <typename Coefficient>
void add_scaled(const LaneSeries& power, std::size_t k, Coefficient&& coefficient,
                LaneSeries& out) {
  for (std::size_t m = k; m <= out.degree(); ++m) {
    const double* p = power[m];
    double* o = out[m];
    for (std::size_t u = 0; u < power.lanes(); ++u) o[u] += coefficient(u) * p[u];
  }
}

// The degree-3 case of out = or += sum_k g_k x^k, lane by lane, for series of degree
// 3 (symmetric steps, truncation.hpp): with x_0 = 0, x^2 = x1^2 delta^2 + 2 x1 x2
// delta^3 and x^3 = x1^3 delta^3, so no powers are stored. out may be x itself: the
// terms are written from the highest down, each after the last read of it.
template <bool Accumulate, typename Coefficient>
void compose_cubic(const LaneSeries& x, Coefficient&& g, LaneSeries& out) {
  const std::size_t lanes = x.lanes();
  const double* x1 = x[1];
  const double* x2 = x[2];
  const double* x3 = x[3];
  const auto write = [](double& y, double t) {
    if constexpr (Accumulate) {
      y += t;
    } else {
      y = t;
    }
  };
  double* y3 = out[3];
  for (std::size_t u = 0; u < lanes; ++u) {
    const double a = x1[u];
    write(y3[u], g(1, u) * x3[u] + g(2, u) * (2.0 * a * x2[u]) + g(3, u) * (a * a * a));
  }
  double* y2 = out[2];
  for (std::size_t u = 0; u < lanes; ++u) {
    write(y2[u], g(1, u) * x2[u] + g(2, u) * (x1[u] * x1[u]));
  }
  double* y1 = out[1];
  for (std::size_t u = 0; u < lanes; ++u) write(y1[u], g(1, u) * x1[u]);
}

}  // namespace

void add_log1p(const LaneSeries& x, double scale, LaneSeries& out, SeriesWorkspace& work) {
  if (out.degree() == 3) {
    const double g[4] = {0.0, scale, -scale / 2.0, scale / 3.0};
    compose_cubic<true>(
        x, [&g](std::size_t k, std::size_t) { return g[k]; }, out);
    return;
  }
  for_each_power(x, work, [&](std::size_t k, const LaneSeries& power) {
    const double coefficient = (k % 2 == 1 ? scale : -scale) / double(k);
    add_scaled(
        power, k, [coefficient](std::size_t) { return coefficient; }, out);
  });
}

void compose(const LaneSeries& g, const LaneSeries& s, LaneSeries& out, SeriesWorkspace& work) {
  out.clear();
  if (out.degree() == 3) {
    compose_cubic<false>(
        s, [&g](std::size_t k, std::size_t u) { return g[k][u]; }, out);
    return;
  }
  for_each_power(s, work, [&](std::size_t k, const LaneSeries& power) {
    const double* gk = g[k];
    add_scaled(
        power, k, [gk](std::size_t u) { return gk[u]; }, out);
  });
}

void compose_weighted(const double* g, const double* w, const std::vector<LaneSeries>& powers,
                      LaneSeries& out, SeriesWorkspace& work) {
  if (out.degree() == 3) {
    compose_cubic<false>(
        powers.front(),
        [g, w](std::size_t k, std::size_t u) {
          return k == 1 ? g[1] * w[u] : k == 2 ? g[2] * (w[u] * w[u]) : g[3] * (w[u] * w[u] * w[u]);
        },
        out);
    return;
  }
  out.clear();
  const std::size_t lanes = out.lanes();
  double* power = work.weight.data();  // w^k
  double* scale = work.scale.data();   // g[k] w^k
  std::copy_n(w, lanes, power);
  for (std::size_t k = 1; k <= out.degree(); ++k) {
    if (k > 1) {
      for (std::size_t u = 0; u < lanes; ++u) power[u] *= w[u];
    }
    for (std::size_t u = 0; u < lanes; ++u) scale[u] = g[k] * power[u];
    add_scaled(
        powers[k - 1], k, [scale](std::size_t u) { return scale[u]; }, out);
  }
}

void compose_in_place(const double* g, LaneSeries& x, SeriesWorkspace& work) {
  if (x.degree() == 3) {
    compose_cubic<false>(
        x, [g](std::size_t k, std::size_t) { return g[k]; }, x);
    return;
  }
  LaneSeries& sum = work.sum;
  sum.clear();
  for_each_power(x, work, [&](std::size_t k, const LaneSeries& power) {
    const double gk = g[k];
    add_scaled(
        power, k, [gk](std::size_t) { return gk; }, sum);
  });
  x = sum;
}

void activation_series(Activation activation, const double* a, const double* z, std::size_t lanes,
                       LaneSeries& s, LaneSeries& scratch) {
  s.clear();
  const std::size_t degree = s.degree();
  switch (activation) {
    case Activation::sigmoid: {
      // (m + 1) c_{m+1} = sum_i c_i d_{m-i} with d the series of 1 - sigmoid
      // (d_0 = sigmoid(-a), computed apart so nothing cancels).
      double* d0 = scratch[0];
      for (std::size_t u = 0; u < lanes; ++u) {
        s[0][u] = z[u];
        d0[u] = sigmoid(-a[u]);
      }
      for (std::size_t m = 0; m < degree; ++m) {
        double* next = s[m + 1];
        for (std::size_t i = 0; i <= m; ++i) {
          const double* c = s[i];
          const double* d = scratch[m - i];
          for (std::size_t u = 0; u < lanes; ++u) next[u] += c[u] * d[u];
        }
        const double scale = 1.0 / double(m + 1);
        double* complement = scratch[m + 1];
        for (std::size_t u = 0; u < lanes; ++u) {
          next[u] *= scale;
          complement[u] = -next[u];
        }
      }
      break;
    }
    case Activation::tanh:
      // c_1 = 1 / cosh^2(a) (1 - tanh^2 would cancel), then (m + 1) c_{m+1} =
      // -sum_i c_i c_{m-i} for m >= 1.
      for (std::size_t u = 0; u < lanes; ++u) {
        const double c = std::cosh(a[u]);
        s[0][u] = z[u];
        s[1][u] = 1.0 / (c * c);
      }
      for (std::size_t m = 1; m < degree; ++m) {
        double* next = s[m + 1];
        for (std::size_t i = 0; i <= m; ++i) {
          const double* c = s[i];
          const double* d = s[m - i];
          for (std::size_t u = 0; u < lanes; ++u) next[u] -= c[u] * d[u];
        }
        const double scale = 1.0 / double(m + 1);
        for (std::size_t u = 0; u < lanes; ++u) next[u] *= scale;
      }
      break;
    case Activation::relu:
      for (std::size_t u = 0; u < lanes; ++u) s[1][u] = a[u] > 0.0 ? 1.0 : 0.0;
      break;
  }
  std::fill(s[0], s[0] + lanes, 0.0);  // the change has no constant term
}

double derivative_bound(Activation activation, double r) {
  const double t = activation == Activation::sigmoid ? 0.5 * r : r;
  const double cosine_floor = 1.0 - 0.5 * t * t;  // <= cos(t)
  const double scale = activation == Activation::sigmoid ? 0.25 : 1.0;
  return scale / (cosine_floor * cosine_floor);
}

double largest_strip(Activation activation) {
  return activation == Activation::sigmoid ? 1.0 : 0.5;
}

}  // namespace xp::mlp
