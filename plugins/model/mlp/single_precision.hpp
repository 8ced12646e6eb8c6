// The mlp's forward pass in single precision (model.precision: single), for studying
// how rounding limits finite differences (exp hsweep): with float's 24-bit mantissa a
// step h below about 6e-8 * |theta_i| does not change the rounded parameter at all,
// and the loss itself carries float rounding, so the best h and the smallest error of
// a finite difference are far larger than in double.
//
// Everything the network computes is float: the parameters and the inputs are rounded
// to float once per call, then the products, bias additions, activations and softmax
// run on float matrices. Only the outputs are widened back to double, because the
// loss plugins take double outputs; widening is exact, so the loss sees the float
// network's outputs unchanged.
#pragma once

#include <optional>
#include <string_view>

#include "exp/tensor.hpp"
#include "network.hpp"

namespace xp::mlp {

enum class Precision { double_precision, single_precision };

std::string_view to_string(Precision precision);  // "double", "single"
std::optional<Precision> precision_from_string(std::string_view word);

// outputs = the network at theta on inputs, computed in float (B x K, widened).
void forward_in_single_precision(const Network& network, const Vector& theta, const Matrix& inputs,
                                 Matrix& outputs);

}  // namespace xp::mlp
