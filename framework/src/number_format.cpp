#include "exp/number_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace xp {

std::string repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  if (value == 0.0) return std::signbit(value) ? "-0.0" : "0.0";
  // Scientific to_chars gives the shortest round-trip digits: "-d.ddde+XX".
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string text(buffer, result.ptr);
  const std::size_t e = text.find('e');
  const bool negative = text[0] == '-';
  std::string digits;
  for (std::size_t i = negative ? 1 : 0; i < e; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string out = negative ? "-" : "";
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      out += "0.";
      out.append(std::size_t(-exponent - 1), '0');
      out += digits;
    } else if (std::size_t(exponent) + 1 >= digits.size()) {
      out += digits;
      out.append(std::size_t(exponent) + 1 - digits.size(), '0');
      out += ".0";
    } else {
      out += digits;
      out.insert(out.size() - digits.size() + std::size_t(exponent) + 1, 1, '.');
    }
    return out;
  }
  out += digits;
  if (digits.size() > 1) out.insert(out.size() - digits.size() + 1, 1, '.');
  const int magnitude = std::abs(exponent);
  out += std::string("e") + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") +
         std::to_string(magnitude);
  return out;
}

std::string format_tensor(const std::string& name, const double* values, std::size_t rows,
                          std::size_t cols, bool is_vector) {
  const std::size_t count = rows * cols;
  std::vector<std::string> texts(count);
  std::size_t width = 0;
  for (std::size_t i = 0; i < count; ++i) {
    texts[i] = repr(values[i]);
    width = std::max(width, texts[i].size());
  }
  std::string out = name + ": ";
  if (is_vector) {
    out += "[";
    for (std::size_t i = 0; i < count; ++i) out += (i == 0 ? "" : ", ") + texts[i];
    return out + "]";
  }
  // Matrices align their columns (right-aligned), as NumPy does.
  const std::string indent(out.size() + 1, ' ');
  out += "[";
  for (std::size_t r = 0; r < rows; ++r) {
    out += (r == 0 ? "[" : ",\n" + indent + "[");
    for (std::size_t c = 0; c < cols; ++c) {
      const std::string& text = texts[r * cols + c];
      out += (c == 0 ? "" : ", ") + std::string(width - text.size(), ' ') + text;
    }
    out += "]";
  }
  return out + "]";
}

}  // namespace xp
