// libFuzzer target: the IDX reader (MNIST's file format). parse_idx gets the bytes
// as they are; input that starts with the gzip magic also goes through read_idx
// from a file, the path every dataset plugin uses (zlib decompression, its errors).
// Every bad input must come out as xp::Error naming the file; a crash, another
// exception or a sanitizer report is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>

#include "exp/error.hpp"
#include "exp/idx.hpp"

namespace {

// The product of the dims is the data size: what every caller relies on.
void check(const xp::IdxArray& array) {
  std::size_t size = 1;
  for (const std::size_t dim : array.dims) size *= dim;
  if (array.dims.empty() || size != array.bytes.size()) __builtin_trap();
}

const std::filesystem::path& scratch_file() {
  static const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                            ("exp-idx-fuzz-" + std::to_string(getpid()) + ".gz");
  return file;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    check(xp::parse_idx(std::span(data, size), "fuzz-input"));
  } catch (const xp::Error&) {
  }
  if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
    {
      std::ofstream out(scratch_file(), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(data), std::streamsize(size));
    }
    try {
      check(xp::read_idx(scratch_file()));
    } catch (const xp::Error&) {
    }
  }
  return 0;
}
