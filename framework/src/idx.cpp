#include "exp/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>

#include "exp/error.hpp"

namespace xp {

namespace {

constexpr std::uint8_t kUnsignedByte = 0x08;

// Reads up to `size` bytes into `out`, returning how many were read (0 at the end).
using ByteSource = std::function<std::size_t(std::uint8_t* out, std::size_t size)>;

std::string hex32(std::uint32_t value) {
  std::array<char, 16> text{};
  std::snprintf(text.data(), text.size(), "0x%08x", value);
  return text.data();
}

std::uint32_t big_endian(const std::uint8_t* bytes) {
  return (std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) |
         (std::uint32_t(bytes[2]) << 8) | std::uint32_t(bytes[3]);
}

// Reads exactly `size` bytes unless the source ends first; returns how many it got.
std::size_t read_fully(const ByteSource& source, std::uint8_t* out, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const std::size_t got = source(out + done, size - done);
    if (got == 0) break;
    done += got;
  }
  return done;
}

// The whole format check, shared by files and memory. `name` prefixes every message.
IdxArray parse(const ByteSource& source, const std::string& name) {
  auto fail = [&](const std::string& problem) { throw Error(name + ": " + problem); };

  std::array<std::uint8_t, 4> magic_bytes{};
  const std::size_t magic_read = read_fully(source, magic_bytes.data(), 4);
  if (magic_read < 4) {
    fail(magic_read == 0
             ? "empty file, expected an IDX file"
             : "truncated: " + std::to_string(magic_read) + " bytes, shorter than an IDX header");
  }
  const std::uint32_t magic = big_endian(magic_bytes.data());
  const std::size_t rank = magic_bytes[3];
  if (magic_bytes[0] != 0 || magic_bytes[1] != 0 || magic_bytes[2] != kUnsignedByte || rank == 0) {
    fail("magic number " + hex32(magic) +
         ", expected an IDX file of unsigned bytes (0x000008NN, NN >= 1 dimensions)");
  }

  IdxArray array;
  std::size_t expected = 1;
  for (std::size_t d = 0; d < rank; ++d) {
    std::array<std::uint8_t, 4> size_bytes{};
    if (read_fully(source, size_bytes.data(), 4) < 4) {
      fail("truncated in the header: " + std::to_string(rank) + " dimension sizes expected, " +
           std::to_string(d) + " found");
    }
    const std::size_t size = big_endian(size_bytes.data());
    array.dims.push_back(size);
    // Overflow-safe: every size is below 2^32 and the running product stays <= the limit.
    if (size != 0 && expected > kIdxMaxDataBytes / size) {
      fail("header claims more than " + std::to_string(kIdxMaxDataBytes) + " data bytes");
    }
    expected *= size;
  }
  if (expected > kIdxMaxDataBytes) {
    fail("header claims more than " + std::to_string(kIdxMaxDataBytes) + " data bytes");
  }

  // Grow with the data actually read, so a header that lies about its size costs no
  // more memory than the file really holds.
  constexpr std::size_t kChunk = std::size_t(1) << 20;
  std::size_t done = 0;
  while (done < expected) {
    const std::size_t want = std::min(expected - done, kChunk);
    if (array.bytes.capacity() < done + want) {
      array.bytes.reserve(std::min(expected, std::max(2 * array.bytes.capacity(), done + want)));
    }
    array.bytes.resize(done + want);
    const std::size_t got = read_fully(source, array.bytes.data() + done, want);
    done += got;
    if (got < want) {
      fail("truncated: " + std::to_string(done) + " of " + std::to_string(expected) +
           " data bytes for shape " + array.shape());
    }
  }
  std::array<std::uint8_t, 256> rest{};
  std::size_t extra = 0;
  for (std::size_t got = 0; (got = source(rest.data(), rest.size())) != 0;) extra += got;
  if (extra != 0) {
    fail(std::to_string(extra) + " bytes after the " + std::to_string(expected) +
         " data bytes of shape " + array.shape() + " (a wrong header or a corrupt file)");
  }
  return array;
}

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};

}  // namespace

std::string IdxArray::shape() const {
  std::string text;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (d != 0) text += 'x';
    text += std::to_string(dims[d]);
  }
  return text;
}

IdxArray read_idx(const std::filesystem::path& file) {
  const std::string name = file.string();
  // Only regular files: opening a FIFO blocks until a writer comes, a device never ends.
  std::error_code error;
  const auto status = std::filesystem::status(file, error);
  if (!error && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw Error(name + ": is not a regular file; IDX data must be a file (.gz or raw)");
  }
  std::unique_ptr<gzFile_s, GzCloser> gz(gzopen(name.c_str(), "rb"));
  if (!gz) throw Error(name + ": cannot open: " + std::strerror(errno));
  gzbuffer(gz.get(), 1u << 17);
  // gzread reports a corrupt or truncated stream through gzerror, possibly only after
  // returning the data it could decode; the source turns that into a message.
  const ByteSource source = [&](std::uint8_t* out, std::size_t size) -> std::size_t {
    const auto want = unsigned(std::min<std::size_t>(size, 1u << 30));
    const int got = gzread(gz.get(), out, want);
    int code = Z_OK;
    const char* message = gzerror(gz.get(), &code);
    if (got < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      std::string reason = message ? message : "unknown error";
      // zlib prefixes its message with the path; the file is named once already.
      if (reason.rfind(name + ": ", 0) == 0) reason.erase(0, name.size() + 2);
      throw Error(name + ": corrupt or truncated gzip data (" + reason + ")");
    }
    return std::size_t(got);
  };
  return parse(source, name);
}

IdxArray parse_idx(std::span<const std::uint8_t> content, const std::string& name) {
  std::size_t position = 0;
  const ByteSource source = [&](std::uint8_t* out, std::size_t size) {
    const std::size_t got = std::min(size, content.size() - position);
    if (got != 0) std::memcpy(out, content.data() + position, got);
    position += got;
    return got;
  };
  return parse(source, name);
}

}  // namespace xp
