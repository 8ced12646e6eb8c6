// The IDX reader: standard files raw and gzipped, and every way a file can be wrong,
// each reported on one line naming the file.
#define BOOST_TEST_MODULE idx reader
#include "exp/idx.hpp"

#include <boost/test/unit_test.hpp>

#include "exp/error.hpp"
#include "idx_files.hpp"
#include "test_support.hpp"

using xp::test::error_of;

namespace fs = std::filesystem;
using xp::test::Bytes;

namespace {

const Bytes kPixels = {0, 1, 2, 3, 250, 251, 252, 253, 254, 255, 7, 8};  // 3 images of 2x2

}  // namespace

BOOST_AUTO_TEST_CASE(reads_raw_and_gzipped_files_alike) {
  const auto dir = xp::test::fresh_directory("exp-idx");
  const Bytes content = xp::test::idx_content({3, 2, 2}, kPixels);
  xp::test::write_raw(dir / "images", content);
  xp::test::write_gzip(dir / "images.gz", content);
  for (const char* name : {"images", "images.gz"}) {
    const xp::IdxArray array = xp::read_idx(dir / name);
    BOOST_TEST(array.dims == (std::vector<std::size_t>{3, 2, 2}), boost::test_tools::per_element());
    BOOST_TEST(array.bytes == kPixels, boost::test_tools::per_element());
    BOOST_TEST(array.shape() == "3x2x2");
  }
}

BOOST_AUTO_TEST_CASE(reads_a_one_dimensional_label_file) {
  const auto array = xp::parse_idx(xp::test::idx_content({4}, {9, 0, 3, 3}), "labels");
  BOOST_TEST(array.dims.size() == 1u);
  BOOST_TEST(array.dims[0] == 4u);
  BOOST_TEST(array.bytes[0] == 9);
}

BOOST_AUTO_TEST_CASE(wrong_magic_number_is_reported, *boost::unit_test::label("fault_data")) {
  Bytes floats = xp::test::idx_content({3}, {1, 2, 3});
  floats[2] = 0x0d;  // a float IDX file
  BOOST_TEST(
      error_of([&] { xp::parse_idx(floats, "f.idx"); }) ==
      "f.idx: magic number 0x00000d01, expected an IDX file of unsigned bytes (0x000008NN, NN >= 1 "
      "dimensions)");
  const Bytes text = {'h', 'e', 'l', 'l', 'o', '\n'};
  BOOST_TEST(
      error_of([&] { xp::parse_idx(text, "t.txt"); }).find("t.txt: magic number 0x68656c6c") == 0u);
  BOOST_TEST(error_of([&] {
               xp::parse_idx(Bytes{0, 0, 8, 0}, "z");
             }).find("z: magic number 0x00000800") == 0u);
}

BOOST_AUTO_TEST_CASE(truncated_files_are_reported, *boost::unit_test::label("fault_data")) {
  BOOST_TEST(error_of([] { xp::parse_idx(Bytes{}, "e"); }) ==
             "e: empty file, expected an IDX file");
  BOOST_TEST(error_of([] {
               xp::parse_idx(Bytes{0, 0}, "h");
             }) == "h: truncated: 2 bytes, shorter than an IDX header");
  BOOST_TEST(error_of([] {
               xp::parse_idx(Bytes{0, 0, 8, 3, 0, 0, 0, 3, 0, 0}, "d");
             }) == "d: truncated in the header: 3 dimension sizes expected, 1 found");
  Bytes content = xp::test::idx_content({3, 2, 2}, kPixels);
  content.resize(content.size() - 5);
  BOOST_TEST(error_of([&] { xp::parse_idx(content, "images"); }) ==
             "images: truncated: 7 of 12 data bytes for shape 3x2x2");

  // A gzipped file cut short fails in zlib, which the message says.
  const auto dir = xp::test::fresh_directory("exp-idx");
  xp::test::write_gzip(dir / "full.gz", xp::test::idx_content({3, 2, 2}, kPixels));
  const std::string full = xp::test::read_file(dir / "full.gz");
  std::ofstream(dir / "cut.gz", std::ios::binary) << full.substr(0, full.size() - 12);
  const auto file = (dir / "cut.gz").string();
  BOOST_TEST(error_of([&] { xp::read_idx(dir / "cut.gz"); }) ==
             file + ": corrupt or truncated gzip data (unexpected end of file)");
}

BOOST_AUTO_TEST_CASE(data_beyond_the_header_size_is_reported,
                     *boost::unit_test::label("fault_data")) {
  Bytes content = xp::test::idx_content({2, 2, 2}, kPixels);  // 12 bytes for 8
  BOOST_TEST(error_of([&] { xp::parse_idx(content, "x"); }) ==
             "x: 4 bytes after the 8 data bytes of shape 2x2x2 (a wrong header or a corrupt file)");
}

BOOST_AUTO_TEST_CASE(a_header_claiming_too_much_is_refused_before_allocating,
                     *boost::unit_test::label("fault_data")) {
  const Bytes content = xp::test::idx_content({0xffffffff, 0xffffffff, 2}, {1, 2, 3});
  BOOST_TEST(error_of([&] { xp::parse_idx(content, "big"); }) ==
             "big: header claims more than 4294967296 data bytes");
  // Plausible sizes whose data is missing fail as truncated, not as an allocation.
  const Bytes lying = xp::test::idx_content({60000, 28, 28}, {1, 2, 3});
  BOOST_TEST(error_of([&] { xp::parse_idx(lying, "lie"); }) ==
             "lie: truncated: 3 of 47040000 data bytes for shape 60000x28x28");
}

BOOST_AUTO_TEST_CASE(corrupt_gzip_data_is_reported, *boost::unit_test::label("fault_data")) {
  const auto dir = xp::test::fresh_directory("exp-idx");
  Bytes big(5000);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::uint8_t((i * 7919) % 251);
  xp::test::write_gzip(dir / "ok.gz", xp::test::idx_content({5000}, big));
  std::string content = xp::test::read_file(dir / "ok.gz");
  for (std::size_t i = 20; i < 60; ++i) content[i] = char(content[i] ^ 0x5a);
  std::ofstream(dir / "bad.gz", std::ios::binary) << content;
  const auto message = error_of([&] { xp::read_idx(dir / "bad.gz"); });
  BOOST_TEST(message.find((dir / "bad.gz").string() + ": corrupt or truncated gzip data (") == 0u);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_reported, *boost::unit_test::label("fault_data")) {
  BOOST_TEST(error_of([] { xp::read_idx("/nonexistent/images.gz"); }) ==
             "/nonexistent/images.gz: cannot open: No such file or directory");
}
