// Numbers as text that reads back as the same double, in the form Python's repr
// uses (so printed values can be compared with the book's NumPy output directly):
//
//   xp::repr(0.1)      // "0.1"
//   xp::repr(6.0)      // "6.0"
//   xp::repr(1e-10)    // "1e-10"
//   xp::format_tensor("x", values, 1, 2, true)  // "x: [6.00000000000378, 7.999999999999119]"
#pragma once

#include <cstddef>
#include <string>

namespace xp {

// Shortest round-trip digits; fixed notation for exponents in [-4, 16), else
// scientific with a two-digit exponent ("1e-05", "1e+16"); "nan", "inf", "-inf".
std::string repr(double value);

// A rows x cols row-major tensor as "name: [...]": a 1-D list when is_vector,
// otherwise nested rows, one per line, aligned under the first row as NumPy does.
std::string format_tensor(const std::string& name, const double* values, std::size_t rows,
                          std::size_t cols, bool is_vector);

}  // namespace xp
