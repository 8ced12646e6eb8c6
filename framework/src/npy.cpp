#include "exp/npy.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include "exp/durable_file.hpp"
#include "exp/error.hpp"

namespace xp {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

static_assert(std::endian::native == std::endian::little, "npy files are written as '<f8'");

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::string text = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) text += ",";
  return text + ")";
}

}  // namespace

void write_npy(const std::filesystem::path& file, const double* values,
               const std::vector<std::size_t>& shape) {
  std::string header =
      "{'descr': '<f8', 'fortran_order': False, 'shape': " + shape_text(shape) + ", }";
  // Magic, version and the 2-byte length take 10 bytes; the header is padded with
  // spaces and ends in a newline so that the data starts on a 64-byte boundary.
  const std::size_t unpadded = 10 + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string bytes(kMagic, kMagicSize);
  bytes += {char(1), char(0)};  // version 1.0
  const auto length = std::uint16_t(header.size());
  bytes += {char(length & 0xff), char(length >> 8)};
  bytes += header;
  std::size_t count = 1;
  for (const auto extent : shape) count *= extent;
  bytes.append(reinterpret_cast<const char*>(values), count * sizeof(double));
  write_durably(file, bytes);
}

NpyArray read_npy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot read (" + std::strerror(errno) + ")");
  char prefix[10];
  in.read(prefix, 10);
  if (!in || std::memcmp(prefix, kMagic, kMagicSize) != 0 || prefix[6] != 1) {
    throw Error(file.string() + ": not a NumPy format 1.x file");
  }
  const std::size_t length = std::uint8_t(prefix[8]) | (std::size_t(std::uint8_t(prefix[9])) << 8);
  std::string header(length, '\0');
  in.read(header.data(), std::streamsize(length));
  if (header.find("'descr': '<f8'") == std::string::npos ||
      header.find("'fortran_order': False") == std::string::npos) {
    throw Error(file.string() + ": expected '<f8' in C order, found header " + header);
  }
  NpyArray array;
  const std::size_t open = header.find('(', header.find("'shape'"));
  const std::size_t close = header.find(')', open);
  std::stringstream extents(header.substr(open + 1, close - open - 1));
  std::size_t count = 1;
  for (std::string part; std::getline(extents, part, ',');) {
    if (part.find_first_not_of(' ') == std::string::npos) continue;
    array.shape.push_back(std::stoul(part));
    count *= array.shape.back();
  }
  array.values.resize(count);
  in.read(reinterpret_cast<char*>(array.values.data()), std::streamsize(count * sizeof(double)));
  if (!in) throw Error(file.string() + ": data is shorter than its shape says");
  return array;
}

}  // namespace xp
