// The hot loop of the shortcut: for one row of a layer's weights (or its bias) and
// every unit u of some blocks of 8 units,
//
//   sum[u] = sum over affected samples n of F_nu(d_a[u] x_n) - F_nu(d_b[u] x_n),
//
// with F_nu the certified series of loss_series.hpp. Cost per affected sample and
// block of 8 units: two Horner evaluations of the series' degree N (5 or 3; at 5, 12
// multiplications and 8 additions; for central differences with d_b = -d_a, where the
// even terms cancel exactly, one odd polynomial: at 5, 5 multiplications and 3
// additions) and one radius check, all on 8 lanes at once; no transcendental function and no
// division. It is exact in the sense of loss_series.hpp wherever |d x_n| <= radius; `unsure[u]` is
// non-zero where some sample was beyond it (or anything was NaN), and the caller then takes the
// general path for that unit. Each lane is computed by the same operations whichever blocks a call
// covers, so results do not depend on how parameters are split between threads.
//
// The loop is compiled three times, for AVX-512 (8 doubles a register), AVX2 with
// FMA (4) and baseline x86-64 (SSE2, 2), whatever the build's -march, and the widest
// path the processor has is chosen at run time. Every lane performs the same IEEE
// operations in the same order in each (nothing is fused: -ffp-contract=off), so the
// three paths give bit-identical results (tested).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "loss_series.hpp"

namespace xp::mlp {

inline constexpr std::size_t kBlock = kLaneMultiple;

// The affected samples of a row: samples[e] with input inputs[e] (e < count); for a
// bias row samples and inputs are null: every sample, with input 1.
struct AffectedSamples {
  const std::uint32_t* samples = nullptr;
  const double* inputs = nullptr;
  std::size_t count = 0;
  std::size_t sample(std::size_t e) const { return samples != nullptr ? samples[e] : e; }
  double input(std::size_t e) const { return inputs != nullptr ? inputs[e] : 1.0; }
};

// Arrays are indexed from unit block_first (a multiple of kBlock), blocks * kBlock
// long; lanes outside the row's range must have zero steps. opposite[k] says that
// block k takes the odd form: it must be true only where d_b = -d_a for every unit
// of the whole block (not only those in this call's range), so that each unit's
// arithmetic does not depend on how the parameters were split.
// One sample's term F(d_a x) - F(d_b x) of one unit, by the same operations as one
// lane of series_sums (so a unit mixed from these and the general path is computed
// the same way whatever the split), and whether |x| * reach is within the sample's
// certified radius (false: the caller takes the general path for this sample).
bool series_term(const LossSeries& series, std::size_t n, std::size_t unit, double x, double step_a,
                 double step_b, double reach, bool two_sided, bool opposite, double& term);

enum class VectorPath { avx512, avx2, baseline };
std::string_view to_string(VectorPath path);
std::optional<VectorPath> vector_path_from_string(std::string_view word);
bool processor_supports(VectorPath path);
// The widest path this processor supports (asked once).
VectorPath widest_vector_path();

void series_sums(VectorPath path, const LossSeries& series, const AffectedSamples& affected,
                 std::size_t block_first, std::size_t blocks, bool two_sided, const char* opposite,
                 const double* step_a, const double* step_b, const double* reach, double* sum,
                 std::int64_t* unsure);

}  // namespace xp::mlp
