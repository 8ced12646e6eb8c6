// Truncated power series in one scalar delta, many at once: univariate Taylor-mode
// arithmetic for the loss-difference shortcut (loss_series.hpp).
//
// A LaneSeries holds `lanes` series side by side, term m (0..degree) of lane u at
// [m * lanes + u], so every operation is a loop over lanes that the compiler
// vectorises; lanes are units of a layer. It owns its terms, or views terms owned
// elsewhere (one row of a matrix of series), with the same arithmetic. Operations
// truncate after the degree of the series they write, and their operands must have it.
//
//   LaneSeries s(units, degree);                 // degree + 1 rows of `units` terms
//   activation_series(act, a, z, units, s, tmp); // s(delta) = act(a + delta) - act(a)
//   compose(g, s, out, work);                    // out = g(s(delta)), truncated
#pragma once

#include <cstddef>
#include <vector>

#include "activation.hpp"

namespace xp::mlp {

// The highest degree a series is carried to (for arbitrary steps); loss_series.hpp
// bounds what is left out, and truncation.hpp says when a lower degree suffices.
inline constexpr std::size_t kSeriesDegree = 5;

class LaneSeries {
 public:
  LaneSeries(std::size_t lanes, std::size_t degree);
  // A view of (degree + 1) * lanes terms owned by the caller.
  LaneSeries(double* terms, std::size_t lanes, std::size_t degree)
      : lanes_(lanes), degree_(degree), terms_(terms) {}
  LaneSeries(const LaneSeries& other);
  LaneSeries& operator=(const LaneSeries& other);  // copies terms; lanes must agree

  double* operator[](std::size_t m) { return terms_ + m * lanes_; }
  const double* operator[](std::size_t m) const { return terms_ + m * lanes_; }
  std::size_t lanes() const { return lanes_; }
  std::size_t degree() const { return degree_; }
  void clear();
  // Exchanges the terms of two series of the same width (owned or viewed).
  void swap_terms(LaneSeries& other);

 private:
  std::size_t lanes_;
  std::size_t degree_;
  std::vector<double> owned_;
  double* terms_;
};

// Scratch for products and compositions, as wide and long as the series they serve.
struct SeriesWorkspace {
  SeriesWorkspace(std::size_t lanes, std::size_t degree)
      : power(lanes, degree),
        next(lanes, degree),
        sum(lanes, degree),
        weight(lanes),
        scale(lanes) {}
  LaneSeries power;
  LaneSeries next;
  LaneSeries sum;
  std::vector<double> weight, scale;  // one term per lane
};

// product = a * b, truncated after product's degree; a has no terms below degree `lowest`,
// b none below degree 1.
void multiply(const LaneSeries& a, std::size_t lowest, const LaneSeries& b, LaneSeries& product);

// out += scale * log1p(x) = scale * sum_k (-1)^{k+1} x^k / k; x has no constant term.
void add_log1p(const LaneSeries& x, double scale, LaneSeries& out, SeriesWorkspace& work);

// out = g(s) = sum_{k>=1} g_k s^k, with per-lane coefficients g_k = g[k]; s has no
// constant term.
void compose(const LaneSeries& g, const LaneSeries& s, LaneSeries& out, SeriesWorkspace& work);

// out = g(w s) = sum_{k>=1} g[k] w^k s^k, one coefficient list g and per-lane factors
// w, with powers[k - 1] = s^k (k = 1..degree; shared by every call with the same s, so
// nothing is raised to a power per call); s has no constant term.
void compose_weighted(const double* g, const double* w, const std::vector<LaneSeries>& powers,
                      LaneSeries& out, SeriesWorkspace& work);

// x = g(x) = sum_{k>=1} g[k] x^k in place, one coefficient list for every lane
// (g[0] unused, g[1..degree] read); x has no constant term.
void compose_in_place(const double* g, LaneSeries& x, SeriesWorkspace& work);

// s(delta) = act(a + delta) - act(a) for every lane, from a and z = act(a) (lanes
// wide); `scratch` is as wide and long as s. Sigmoid and tanh come from their ODEs (sigmoid' =
// sigmoid (1 - sigmoid), tanh' = 1 - tanh^2), relu is delta on the side a > 0 and 0
// on the other (at a = 0 it has no series: callers give it a zero radius).
void activation_series(Activation activation, const double* a, const double* z, std::size_t lanes,
                       LaneSeries& s, LaneSeries& scratch);

// A bound of |act'(x + iy)| over the strip |y| <= r, for a smooth activation:
// |act'| <= 1 / (4 cos^2(r/2)) for sigmoid, 1 / cos^2(r) for tanh (|cosh(x + iy)|^2 =
// sinh^2 x + cos^2 y), and cos(t) >= 1 - t^2/2 bounds those in turn without a cosine
// (at most 0.6 % higher within the largest strip; the disk searches call this for
// every unit of every later layer). Valid for r below largest_strip(activation).
double derivative_bound(Activation activation, double r);
// The widest strip the bounds use: where cos^2 stays above 0.77 (derivative bounds
// 0.327 for sigmoid, 1.31 for tanh), well inside the poles at |y| = pi and pi / 2.
double largest_strip(Activation activation);

}  // namespace xp::mlp
