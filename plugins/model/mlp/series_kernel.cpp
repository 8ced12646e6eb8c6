#include "series_kernel.hpp"

#include <cstring>
#include <stdexcept>

namespace xp::mlp {

namespace {

static_assert(kSeriesDegree == 5, "the kernels are compiled for degrees 3 and 5");

// W doubles in one register: 8 with AVX-512, 4 with AVX2, 2 with SSE2 (GCC and
// Clang vector extensions). A block of kBlock units is kBlock / W registers; each
// lane's arithmetic is the same in every width, so every path gives the same bits.
template <int W>
struct Vec {
  typedef double Lanes __attribute__((vector_size(W * sizeof(double))));
  typedef std::int64_t Mask __attribute__((vector_size(W * sizeof(double))));
};

template <typename T>
[[gnu::always_inline]] inline T load(const void* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The series' polynomial at d, c(m) = c_m (Horner): d (c1 + d (c2 + ... + d c_D)).
template <std::size_t kDegree, typename T, typename Coefficient>
[[gnu::always_inline]] inline T polynomial(T d, Coefficient&& c) {
  T p = c(kDegree);
  for (std::size_t m = kDegree - 1; m >= 1; --m) p = c(m) + d * p;
  return d * p;
}

// Its odd part, halved difference: (F(d) - F(-d)) / 2 = d (c1 + d^2 (c3 + d^2 c5)),
// for an odd degree.
template <std::size_t kDegree, typename T, typename Coefficient>
[[gnu::always_inline]] inline T odd_polynomial(T d, Coefficient&& c) {
  static_assert(kDegree % 2 == 1);
  const T square = d * d;
  T p = c(kDegree);
  for (std::size_t m = kDegree; m > 2; m -= 2) p = c(m - 2) + square * p;
  return d * p;
}

// kDegree: the series' (3 or 5, LossSeries::degree). kTwoSided: false for b = 0
// (forward differences: F(0) = 0). kOpposite: the two steps are exact opposites in
// every lane (d_b = -d_a, the usual central difference), where the even terms cancel
// exactly: F(d) - F(-d) = 2 d (c1 + d^2 (c3 + d^2 c5)), half the arithmetic of two
// Horner evaluations and free of their rounding.
template <int W, std::size_t kDegree, bool kTwoSided, bool kOpposite>
[[gnu::always_inline]] inline void block_sums(const LossSeries& series,
                                              const AffectedSamples& affected, std::size_t unit,
                                              const double* step_a, const double* step_b,
                                              const double* reach, double* sum,
                                              std::int64_t* unsure) {
  using Lanes = typename Vec<W>::Lanes;
  using Mask = typename Vec<W>::Mask;
  constexpr int kParts = int(kBlock) / W;
  const std::size_t lanes = series.lanes();
  Lanes da[kParts], db[kParts], distance[kParts], total[kParts];
  Mask beyond[kParts];
  for (int p = 0; p < kParts; ++p) {
    da[p] = load<Lanes>(step_a + p * W);
    db[p] = kTwoSided ? load<Lanes>(step_b + p * W) : Lanes{};
    distance[p] = load<Lanes>(reach + p * W);
    total[p] = Lanes{};
    beyond[p] = Mask{};
  }
  for (std::size_t e = 0; e < affected.count; ++e) {
    const std::size_t n = affected.sample(e);
    const double x = affected.input(e);
    const double magnitude = x < 0.0 ? -x : x;
    const double* radius = series.radius(n) + unit;
    for (int p = 0; p < kParts; ++p) {
      const double* c = series.coefficients(n) + unit + p * W;
      const auto term = [c, lanes](std::size_t m) { return load<Lanes>(c + (m - 1) * lanes); };
      const Lanes a = da[p] * x;
      if constexpr (kOpposite) {
        const Lanes half = odd_polynomial<kDegree>(a, term);
        total[p] += half + half;
      } else {
        Lanes change = polynomial<kDegree>(a, term);
        if constexpr (kTwoSided) change -= polynomial<kDegree>(Lanes(db[p] * x), term);
        total[p] += change;
      }
      beyond[p] |= ~(distance[p] * magnitude <= load<Lanes>(radius + p * W));
    }
  }
  for (int p = 0; p < kParts; ++p) {
    std::memcpy(sum + p * W, &total[p], sizeof total[p]);
    std::memcpy(unsure + p * W, &beyond[p], sizeof beyond[p]);
  }
}

template <int W, std::size_t kDegree>
[[gnu::always_inline]] inline void all_blocks(
    const LossSeries& series, const AffectedSamples& affected, std::size_t block_first,
    std::size_t blocks, bool two_sided, const char* opposite, const double* step_a,
    const double* step_b, const double* reach, double* sum, std::int64_t* unsure) {
  for (std::size_t k = 0; k < blocks; ++k) {
    const std::size_t at = k * kBlock;
    const std::size_t unit = block_first + at;
    if (opposite[k]) {
      block_sums<W, kDegree, true, true>(series, affected, unit, step_a + at, step_b + at,
                                         reach + at, sum + at, unsure + at);
    } else if (two_sided) {
      block_sums<W, kDegree, true, false>(series, affected, unit, step_a + at, step_b + at,
                                          reach + at, sum + at, unsure + at);
    } else {
      block_sums<W, kDegree, false, false>(series, affected, unit, step_a + at, step_b + at,
                                           reach + at, sum + at, unsure + at);
    }
  }
}

template <int W>
[[gnu::always_inline]] inline void all_blocks(
    const LossSeries& series, const AffectedSamples& affected, std::size_t block_first,
    std::size_t blocks, bool two_sided, const char* opposite, const double* step_a,
    const double* step_b, const double* reach, double* sum, std::int64_t* unsure) {
  if (series.degree() == 3) {
    all_blocks<W, 3>(series, affected, block_first, blocks, two_sided, opposite, step_a, step_b,
                     reach, sum, unsure);
  } else {
    all_blocks<W, kSeriesDegree>(series, affected, block_first, blocks, two_sided, opposite, step_a,
                                 step_b, reach, sum, unsure);
  }
}

#define EXP_SERIES_SUMS_ARGUMENTS                                                     \
  const LossSeries &series, const AffectedSamples &affected, std::size_t block_first, \
      std::size_t blocks, bool two_sided, const char *opposite, const double *step_a, \
      const double *step_b, const double *reach, double *sum, std::int64_t *unsure
#define EXP_SERIES_SUMS_CALL \
  series, affected, block_first, blocks, two_sided, opposite, step_a, step_b, reach, sum, unsure

[[gnu::target("avx512f")]] void sums_avx512(EXP_SERIES_SUMS_ARGUMENTS) {
  all_blocks<8>(EXP_SERIES_SUMS_CALL);
}
[[gnu::target("avx2,fma")]] void sums_avx2(EXP_SERIES_SUMS_ARGUMENTS) {
  all_blocks<4>(EXP_SERIES_SUMS_CALL);
}
void sums_baseline(EXP_SERIES_SUMS_ARGUMENTS) { all_blocks<2>(EXP_SERIES_SUMS_CALL); }

}  // namespace

bool series_term(const LossSeries& series, std::size_t n, std::size_t unit, double x, double step_a,
                 double step_b, double reach, bool two_sided, bool opposite, double& term) {
  const double magnitude = x < 0.0 ? -x : x;
  if (!(reach * magnitude <= series.radius(n)[unit])) return false;
  const std::size_t lanes = series.lanes();
  const double* c = series.coefficients(n) + unit;
  const auto coefficient = [c, lanes](std::size_t m) { return c[(m - 1) * lanes]; };
  const double a = step_a * x;
  const bool cubic = series.degree() == 3;
  if (opposite) {
    const double half =
        cubic ? odd_polynomial<3>(a, coefficient) : odd_polynomial<kSeriesDegree>(a, coefficient);
    term = half + half;
    return true;
  }
  const auto horner = [&](double d) {
    return cubic ? polynomial<3>(d, coefficient) : polynomial<kSeriesDegree>(d, coefficient);
  };
  term = horner(a);
  if (two_sided) term -= horner(step_b * x);
  return true;
}

std::string_view to_string(VectorPath path) {
  switch (path) {
    case VectorPath::avx512:
      return "avx512";
    case VectorPath::avx2:
      return "avx2";
    case VectorPath::baseline:
      return "baseline";
  }
  return "baseline";
}

std::optional<VectorPath> vector_path_from_string(std::string_view word) {
  for (const VectorPath path : {VectorPath::avx512, VectorPath::avx2, VectorPath::baseline}) {
    if (to_string(path) == word) return path;
  }
  return std::nullopt;
}

bool processor_supports(VectorPath path) {
  switch (path) {
    case VectorPath::avx512:
      return __builtin_cpu_supports("avx512f");
    case VectorPath::avx2:
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case VectorPath::baseline:
      return true;
  }
  return false;
}

VectorPath widest_vector_path() {
  static const VectorPath widest = processor_supports(VectorPath::avx512) ? VectorPath::avx512
                                   : processor_supports(VectorPath::avx2) ? VectorPath::avx2
                                                                          : VectorPath::baseline;
  return widest;
}

void series_sums(VectorPath path, const LossSeries& series, const AffectedSamples& affected,
                 std::size_t block_first, std::size_t blocks, bool two_sided, const char* opposite,
                 const double* step_a, const double* step_b, const double* reach, double* sum,
                 std::int64_t* unsure) {
  switch (path) {
    case VectorPath::avx512:
      sums_avx512(EXP_SERIES_SUMS_CALL);
      return;
    case VectorPath::avx2:
      sums_avx2(EXP_SERIES_SUMS_CALL);
      return;
    case VectorPath::baseline:
      sums_baseline(EXP_SERIES_SUMS_CALL);
      return;
  }
}

}  // namespace xp::mlp
