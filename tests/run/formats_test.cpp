// The text and file formats a run writes: Python-style shortest numbers, JSON,
// .npy, shell-quoted command lines, and the run folder itself.
#define BOOST_TEST_MODULE run formats
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <sstream>

#include "exp/json_writer.hpp"
#include "exp/npy.hpp"
#include "exp/number_format.hpp"
#include "exp/run_directory.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

BOOST_AUTO_TEST_CASE(repr_matches_pythons_repr) {
  BOOST_TEST(xp::repr(0.1) == "0.1");
  BOOST_TEST(xp::repr(6.0) == "6.0");
  BOOST_TEST(xp::repr(-0.0) == "-0.0");
  BOOST_TEST(xp::repr(0.1999999999990898) == "0.1999999999990898");
  BOOST_TEST(xp::repr(1e-10) == "1e-10");
  BOOST_TEST(xp::repr(1e-5) == "1e-05");
  BOOST_TEST(xp::repr(0.0001) == "0.0001");
  BOOST_TEST(xp::repr(-6.111107928998789e-10) == "-6.111107928998789e-10");
  BOOST_TEST(xp::repr(-25898374737328.363) == "-25898374737328.363");
  BOOST_TEST(xp::repr(1e15) == "1000000000000000.0");
  BOOST_TEST(xp::repr(1e16) == "1e+16");
  BOOST_TEST(xp::repr(123456.0) == "123456.0");
  BOOST_TEST(xp::repr(std::numeric_limits<double>::quiet_NaN()) == "nan");
  BOOST_TEST(xp::repr(-std::numeric_limits<double>::infinity()) == "-inf");
  for (double x : {0.3, 2.0 / 3.0, 1e-300, 5e-324, 1.7976931348623157e308, -1234.5678e-7}) {
    BOOST_TEST(std::strtod(xp::repr(x).c_str(), nullptr) == x);
  }
}

BOOST_AUTO_TEST_CASE(tensors_print_as_numpy_shapes_them) {
  const double x[] = {6.00000000000378, 7.999999999999119};
  BOOST_TEST(xp::format_tensor("x", x, 1, 2, true) == "x: [6.00000000000378, 7.999999999999119]");
  const double w[] = {0.5, -1.25, 3.0, 4.0};
  BOOST_TEST(xp::format_tensor("W", w, 2, 2, false) == "W: [[  0.5, -1.25],\n    [  3.0,   4.0]]");
}

BOOST_AUTO_TEST_CASE(json_has_real_numbers_and_escaped_text) {
  xp::JsonWriter json;
  json.begin_object();
  json.key("loss").value(0.25).key("steps").value(std::uint64_t(7)).key("nan").value(std::nan(""));
  json.key("text").value("a \"quoted\"\nline").key("none").value(std::optional<double>());
  json.key("list").begin_array().value(1.0).value(false).end_array();
  json.key("empty").begin_object().end_object();
  json.end_object();
  const std::string text = json.text();
  BOOST_TEST(text.find("\"loss\": 0.25,") != std::string::npos);
  BOOST_TEST(text.find("\"steps\": 7,") != std::string::npos);
  BOOST_TEST(text.find("\"nan\": null,") != std::string::npos);
  boost::property_tree::ptree tree;
  std::istringstream in(text);
  boost::property_tree::read_json(in, tree);
  BOOST_TEST(tree.get<double>("loss") == 0.25);
  BOOST_TEST(tree.get<std::string>("text") == "a \"quoted\"\nline");
  BOOST_TEST(tree.get_child("list").size() == 2u);
}

BOOST_AUTO_TEST_CASE(npy_round_trips_with_an_aligned_header) {
  const auto dir = xp::test::fresh_directory("exp-npy");
  const double values[] = {1.5, -2.0, 3.25, 4.0, 5.0, 6.0};
  xp::write_npy(dir / "m.npy", values, {2, 3});
  xp::write_npy(dir / "v.npy", values, {6});
  const auto m = xp::read_npy(dir / "m.npy");
  BOOST_TEST(m.shape == (std::vector<std::size_t>{2, 3}));
  BOOST_TEST(m.values == std::vector<double>(values, values + 6), boost::test_tools::per_element());
  // Magic, version 1.0, header length, then the header padded to a multiple of 64.
  const std::string file = xp::test::read_file(dir / "v.npy");
  const std::size_t data_start =
      10 + std::size_t(std::uint8_t(file[8])) + (std::size_t(std::uint8_t(file[9])) << 8);
  BOOST_TEST(file.substr(0, 8) == std::string("\x93NUMPY\x01\x00", 8));
  BOOST_TEST(data_start % 64 == 0u);
  BOOST_TEST(file[data_start - 1] == '\n');
  BOOST_TEST(file.find("'shape': (6,)") < data_start);
  BOOST_TEST(file.size() == data_start + 6u * 8u);
}

BOOST_AUTO_TEST_CASE(command_lines_are_quoted_for_the_shell) {
  BOOST_TEST(xp::shell_quoted({"exp", "run", "a.yaml", "optimizer.lr=0.1"}) ==
             "exp run a.yaml optimizer.lr=0.1");
  BOOST_TEST(xp::shell_quoted({"exp", "model.hidden=[100, 50]", "it's"}) ==
             "exp 'model.hidden=[100, 50]' 'it'\\''s'");
  const auto echoed =
      xp::test::run_command("printf '%s|' " + xp::shell_quoted({"a b", "it's", "$x"}));
  BOOST_TEST(echoed.output == "a b|it's|$x|");
}

BOOST_AUTO_TEST_CASE(run_folders_are_never_reused_and_files_never_overwritten) {
  const auto root = xp::test::fresh_directory("exp-runs");
  const auto first = xp::RunDirectory::create(root, "e");
  const auto second = xp::RunDirectory::create(root, "e");
  BOOST_TEST(first.path() != second.path());
  BOOST_TEST(first.path().parent_path() == root / "e");
  first.write_new("config.yaml", "a: 1\n");
  BOOST_CHECK_THROW(first.write_new("config.yaml", "a: 2\n"), xp::Error);
  BOOST_TEST(xp::test::read_file(first.file("config.yaml")) == "a: 1\n");
  first.replace_atomically("summary.json", "{}\n");
  first.replace_atomically("summary.json", "{\"status\": \"completed\"}\n");
  BOOST_TEST(xp::test::read_file(first.file("summary.json")) == "{\"status\": \"completed\"}\n");
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(first.path())) files += entry.is_regular_file();
  BOOST_TEST(files == 2u);  // no temporary file left behind
}
