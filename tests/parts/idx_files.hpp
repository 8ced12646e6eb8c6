// Writing small IDX files for the tests, raw or gzipped, correct or deliberately broken.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace xp::test {

using Bytes = std::vector<std::uint8_t>;

inline void append_big_endian(Bytes& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::uint8_t(value >> shift));
}

// An IDX file of unsigned bytes: magic 0x000008NN, the sizes, then data.
inline Bytes idx_content(const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes out = {0, 0, 0x08, std::uint8_t(dims.size())};
  for (auto size : dims) append_big_endian(out, size);
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline void write_raw(const std::filesystem::path& file, const Bytes& content) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(content.data()), std::streamsize(content.size()));
}

inline void write_gzip(const std::filesystem::path& file, const Bytes& content) {
  gzFile out = gzopen(file.string().c_str(), "wb");
  if (out == nullptr ||
      gzwrite(out, content.data(), unsigned(content.size())) != int(content.size())) {
    throw std::runtime_error("cannot write " + file.string());
  }
  gzclose(out);
}

}  // namespace xp::test
