// NumPy .npy files (format 1.0, little-endian doubles '<f8', C order), so final
// parameters load with numpy.load.
//
//   xp::write_npy("params/W1.npy", theta.data() + W1.offset, {W1.rows, W1.cols});
//   xp::write_npy("params/b1.npy", theta.data() + b1.offset, {b1.size()});  // shape (n,)
#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace xp {

void write_npy(const std::filesystem::path& file, const double* values,
               const std::vector<std::size_t>& shape);

struct NpyArray {
  std::vector<std::size_t> shape;
  std::vector<double> values;
};
// Reads what write_npy writes ('<f8', C order, format 1.x); throws xp::Error otherwise.
NpyArray read_npy(const std::filesystem::path& file);

}  // namespace xp
