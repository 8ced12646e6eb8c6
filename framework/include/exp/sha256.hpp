// SHA-256 (FIPS 180-4), to identify the exact plugin files a run used: the same
// name and version can be rebuilt with different code, its hash cannot.
//
//   xp::Sha256 hash;
//   hash.update(bytes);
//   std::string hex = hash.hex_digest();               // 64 lowercase hex digits
//   std::string file_hex = xp::sha256_of_file("lib/exp/plugins/exp_loss_mse.so");
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace xp {

class Sha256 {
 public:
  Sha256();
  void update(std::span<const std::uint8_t> bytes);
  void update(std::string_view text);
  // The digest of everything given so far; the hash is not usable afterwards.
  std::array<std::uint8_t, 32> digest();
  std::string hex_digest();  // as `sha256sum` prints it

 private:
  // OpenSSL's EVP digest context (libcrypto: audited, and faster than a plain C++
  // loop); kept out of this header.
  std::unique_ptr<evp_md_ctx_st, void (*)(evp_md_ctx_st*)> context_;
};

std::string sha256_hex(std::string_view bytes);
// Throws xp::Error "<file>: cannot read ..." when the file cannot be read.
std::string sha256_of_file(const std::filesystem::path& file);

}  // namespace xp
