// Reading IDX files, the format of MNIST and Fashion-MNIST: a big-endian header
// (magic 0x0000TTNN: type code TT, NN dimensions; then NN sizes) followed by the
// data in row-major order. Only unsigned bytes (TT = 0x08) are read, the type of
// every image and label file of both datasets.
//
//   xp::IdxArray images = xp::read_idx("data/mnist/train-images-idx3-ubyte.gz");
//   // images.dims == {8000, 28, 28}; images.bytes.size() == 8000 * 28 * 28
//
// Gzipped and raw files are both read (zlib reads a file without a gzip header
// as is). Everything is validated: a file that is not IDX, truncated, corrupt, or
// longer than its header says is refused with a one-line xp::Error naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace xp {

struct IdxArray {
  std::vector<std::size_t> dims;    // sizes, outermost first ({count, rows, cols})
  std::vector<std::uint8_t> bytes;  // the data, row-major; size is the product of dims
  std::string shape() const;        // "8000x28x28", for messages
};

// The largest data size accepted (4 GiB): a corrupt header cannot make the reader
// allocate more than this, and every real IDX file is far smaller.
inline constexpr std::size_t kIdxMaxDataBytes = std::size_t(1) << 32;

// Reads a gzipped or raw IDX file. Throws xp::Error "<file>: <what is wrong>".
IdxArray read_idx(const std::filesystem::path& file);

// Parses the uncompressed content of an IDX file (the same checks, no zlib);
// `name` is used in messages. For tests and fuzzing.
IdxArray parse_idx(std::span<const std::uint8_t> content, const std::string& name);

}  // namespace xp
