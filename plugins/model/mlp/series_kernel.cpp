#include "series_kernel.hpp"

#include <cstring>

namespace xp::mlp {

namespace {

static_assert(kSeriesDegree == 5, "block_sums evaluates polynomials of degree 5");

// Eight doubles in one register where the machine has AVX-512 (GCC and Clang vector
// extensions: narrower machines get the same arithmetic in narrower pieces).
typedef double Lanes __attribute__((vector_size(kBlock * sizeof(double))));
typedef std::int64_t Mask __attribute__((vector_size(kBlock * sizeof(double))));

inline Lanes load(const double* p) {
  Lanes v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, Lanes v) { std::memcpy(p, &v, sizeof v); }

// kTwoSided: false for b = 0 (forward differences: F(0) = 0). kOpposite: the two
// steps are exact opposites in every lane (d_b = -d_a, the usual central
// difference), where the even terms cancel exactly:
//   F(d) - F(-d) = 2 d (c1 + d^2 (c3 + d^2 c5)),
// half the arithmetic of two Horner evaluations and free of their rounding.
template <bool kTwoSided, bool kOpposite>
void block_sums(const LossSeries& series, const AffectedSamples& affected, std::size_t unit,
                const double* step_a, const double* step_b, const double* reach, double* sum,
                std::int64_t* unsure) {
  const std::size_t lanes = series.lanes();
  const Lanes da = load(step_a);
  const Lanes db = kTwoSided ? load(step_b) : Lanes{};
  const Lanes distance = load(reach);
  Lanes total{};
  Mask beyond{};
  for (std::size_t e = 0; e < affected.count; ++e) {
    const std::size_t n = affected.samples != nullptr ? affected.samples[e] : e;
    const double x = affected.inputs != nullptr ? affected.inputs[e] : 1.0;
    const double* c = series.coefficients(n) + unit;
    const Lanes a = da * x;
    if constexpr (kOpposite) {
      const Lanes c1 = load(c), c3 = load(c + 2 * lanes), c5 = load(c + 4 * lanes);
      const Lanes square = a * a;
      total += (a + a) * (c1 + square * (c3 + square * c5));
    } else {
      const Lanes c1 = load(c), c2 = load(c + lanes), c3 = load(c + 2 * lanes),
                  c4 = load(c + 3 * lanes), c5 = load(c + 4 * lanes);
      Lanes change = a * (c1 + a * (c2 + a * (c3 + a * (c4 + a * c5))));
      if constexpr (kTwoSided) {
        const Lanes b = db * x;
        change -= b * (c1 + b * (c2 + b * (c3 + b * (c4 + b * c5))));
      }
      total += change;
    }
    const double magnitude = x < 0.0 ? -x : x;
    beyond |= ~(distance * magnitude <= load(series.radius(n) + unit));
  }
  store(sum, total);
  std::memcpy(unsure, &beyond, sizeof beyond);
}

}  // namespace

void series_sums(const LossSeries& series, const AffectedSamples& affected, std::size_t block_first,
                 std::size_t blocks, bool two_sided, const char* opposite, const double* step_a,
                 const double* step_b, const double* reach, double* sum, std::int64_t* unsure) {
  for (std::size_t k = 0; k < blocks; ++k) {
    const std::size_t at = k * kBlock;
    const auto kernel = opposite[k] ? block_sums<true, true>
                        : two_sided ? block_sums<true, false>
                                    : block_sums<false, false>;
    kernel(series, affected, block_first + at, step_a + at, step_b + at, reach + at, sum + at,
           unsure + at);
  }
}

}  // namespace xp::mlp
