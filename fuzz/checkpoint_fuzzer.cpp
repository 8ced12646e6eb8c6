// libFuzzer target: checkpoint.bin parsing. Each input is tried twice: as a whole
// file (magic, identity and checksum checks), and as the payload of a checkpoint whose
// header and checksum are made right, so that the fuzzer reaches the field parser.
// Every bad input must come out as xp::Error; a parsed checkpoint must write back to
// bytes that parse to the same bytes again. A crash, another exception or a
// sanitizer report is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "exp/checkpoint.hpp"
#include "exp/error.hpp"
#include "exp/sha256.hpp"

namespace {

const std::string& identity() {
  static const std::string text = xp::run_identity("experiment: fuzz\n", {"model mlp 1.0.0"});
  return text;
}

// The bytes before any payload: magic and identity, as an empty checkpoint has them
// (8 bytes of magic, 8 of length, the identity's characters).
const std::string& header() {
  static const std::string text =
      xp::Checkpoint{}.to_bytes(identity()).substr(0, 8 + 8 + identity().size());
  return text;
}

void parse(const std::string& bytes) {
  try {
    const xp::Checkpoint checkpoint = xp::Checkpoint::from_bytes(bytes, "fuzz-input", identity());
    const std::string written = checkpoint.to_bytes(identity());
    const xp::Checkpoint again = xp::Checkpoint::from_bytes(written, "rewritten", identity());
    if (again.to_bytes(identity()) != written) __builtin_trap();
  } catch (const xp::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  parse(input);
  std::string bytes = header() + input;
  xp::Sha256 checksum;
  checksum.update(bytes);
  const auto digest = checksum.digest();
  bytes.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  parse(bytes);
  return 0;
}
