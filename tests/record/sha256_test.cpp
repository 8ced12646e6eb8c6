// SHA-256 against the examples of FIPS 180-4 (NIST's "SHA256.pdf" and the long
// message of the Secure Hash Standard validation), fed whole and in pieces.
#define BOOST_TEST_MODULE sha256
#include "exp/sha256.hpp"

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "exp/error.hpp"
#include "test_support.hpp"

namespace {

const std::string k448Bits = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string k896Bits =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopq"
    "rsmnopqrstnopqrstu";

}  // namespace

BOOST_AUTO_TEST_CASE(fips_180_examples) {
  BOOST_TEST(xp::sha256_hex("abc") ==
             "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(xp::sha256_hex("") ==
             "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(xp::sha256_hex(k448Bits) ==
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  BOOST_TEST(xp::sha256_hex(k896Bits) ==
             "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

BOOST_AUTO_TEST_CASE(one_million_a_fed_in_uneven_pieces) {
  // Pieces of 1..127 bytes cross block boundaries at every offset.
  xp::Sha256 hash;
  std::size_t fed = 0;
  for (std::size_t piece = 1; fed < 1000000; piece = piece % 127 + 1) {
    const std::size_t take = std::min(piece, 1000000 - fed);
    hash.update(std::string(take, 'a'));
    fed += take;
  }
  BOOST_TEST(hash.hex_digest() ==
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  BOOST_TEST(xp::sha256_hex(std::string(1000000, 'a')) ==
             "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

BOOST_AUTO_TEST_CASE(padding_at_every_length_around_a_block) {
  // 55 bytes is the longest message padded within one block; 56..64 need two.
  for (std::size_t length = 50; length <= 130; ++length) {
    const std::string message(length, 'x');
    xp::Sha256 split;
    split.update(message.substr(0, length / 3));
    split.update(message.substr(length / 3));
    BOOST_TEST(split.hex_digest() == xp::sha256_hex(message), "length " << length);
  }
  // Differs from its neighbours: the length is part of the padding.
  BOOST_TEST(xp::sha256_hex(std::string(55, 'x')) != xp::sha256_hex(std::string(56, 'x')));
}

BOOST_AUTO_TEST_CASE(a_file_hashes_as_its_content_and_a_missing_one_is_named,
                     *boost::unit_test::label("fault_data")) {
  const auto folder = xp::test::fresh_directory("exp-sha256");
  const auto file = folder / "message";
  std::ofstream(file, std::ios::binary) << k896Bits;
  BOOST_TEST(xp::sha256_of_file(file) == xp::sha256_hex(k896Bits));
  const std::string error = xp::test::error_of([&] { xp::sha256_of_file(folder / "absent"); });
  BOOST_TEST(error.find((folder / "absent").string() + ": cannot read") == 0u, error);
}
