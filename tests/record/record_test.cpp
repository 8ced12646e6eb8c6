// The reproducibility record of a real run (summary.json): seed, threads, host,
// compiler, build, library versions, git revision, and every plugin with the
// SHA-256 of its file, checked against `sha256sum` of that file.
#define BOOST_TEST_MODULE reproducibility record
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;
namespace pt = boost::property_tree;

namespace {

bool matches(const std::string& text, const std::string& pattern) {
  if (std::regex_match(text, std::regex(pattern))) return true;
  BOOST_TEST_MESSAGE("'" << text << "' does not match " << pattern);
  return false;
}

// The first word `sha256sum FILE` prints.
std::string sha256sum(const fs::path& file) {
  const auto result = xp::test::run_command("sha256sum '" + file.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  std::istringstream words(result.output);
  std::string hash;
  words >> hash;
  return hash;
}

}  // namespace

BOOST_AUTO_TEST_CASE(summary_records_what_is_needed_to_reproduce_the_run) {
  const auto runs = xp::test::fresh_directory("exp-record");
  const auto run = xp::test::run_experiment(
      runs, "configs/synthetic.yaml train.iterations=20 train.seed=7 train.threads=2");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  pt::ptree summary;
  pt::read_json((run.dir / "summary.json").string(), summary);

  BOOST_TEST(summary.get<int>("seed") == 7);
  BOOST_TEST(summary.get<int>("threads") == 2);
  BOOST_TEST(!summary.get<std::string>("host").empty());

  // Name and version of the compiler that built libexp.
  BOOST_TEST(matches(summary.get<std::string>("compiler"), R"((GCC|clang) \d+\.\d+.*)"));
  BOOST_TEST(!summary.get<std::string>("build_type").empty());
  // The flag that makes results bit-exact is always there; -march=native when EXP_NATIVE.
  BOOST_TEST(matches(summary.get<std::string>("build_flags"), R"(.*-ffp-contract=off.*)"));

  const pt::ptree& libraries = summary.get_child("libraries");
  for (const char* library : {"exp", "Boost", "yaml-cpp", "Eigen"}) {
    BOOST_TEST(matches(libraries.get<std::string>(library), R"(\d+\.\d+\.\d+)"), library);
  }
  BOOST_TEST(matches(libraries.get<std::string>("exp plugin API"), R"(\d+)"));

  // The tests run in the source tree: its commit, as git says, or "unknown" outside git.
  const auto head = xp::test::run_command("git -C '" EXP_TEST_SOURCE_DIR "' rev-parse HEAD");
  const std::string commit = summary.get<std::string>("git_commit");
  if (head.status == 0) {
    BOOST_TEST(head.output.substr(0, 40) == commit);
  } else {
    BOOST_TEST(commit == "unknown");
  }
  // Others may edit the tree while this runs, so only the type is certain here
  // (tests/record/source_tree_test.cpp checks the flag on a tree it controls).
  BOOST_TEST(matches(summary.get<std::string>("git_dirty"), "true|false"));

  const pt::ptree& plugins = summary.get_child("plugins");
  BOOST_TEST_REQUIRE(plugins.size() == 5u);
  std::vector<std::string> kinds;
  for (const auto& [unused, plugin] : plugins) {
    kinds.push_back(plugin.get<std::string>("kind"));
    BOOST_TEST(!plugin.get<std::string>("name").empty());
    BOOST_TEST(!plugin.get<std::string>("version").empty());
    const fs::path file = plugin.get<std::string>("file");
    BOOST_TEST_REQUIRE(fs::is_regular_file(file), file);
    BOOST_TEST(matches(plugin.get<std::string>("sha256"), "[0-9a-f]{64}"));
    BOOST_TEST(plugin.get<std::string>("sha256") == sha256sum(file), file);
  }
  BOOST_TEST(kinds == (std::vector<std::string>{"dataset", "model", "loss", "gradient",
                                                "optimizer"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(summary_records_the_data_files_with_their_sha256) {
  const auto runs = xp::test::fresh_directory("exp-record-data");
  const auto run =
      xp::test::run_experiment(runs, "configs/mnist.yaml train.iterations=2 train.threads=1");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  pt::ptree summary;
  pt::read_json((run.dir / "summary.json").string(), summary);
  std::vector<std::string> names;
  for (const auto& [unused, record] : summary.get_child("data")) {
    const fs::path file = record.get<std::string>("file");
    BOOST_TEST(file.is_absolute(), file);
    names.push_back(file.filename().string());
    BOOST_TEST(record.get<std::string>("sha256") == sha256sum(file), file);
  }
  BOOST_TEST(names == (std::vector<std::string>{"train-images-idx3-ubyte.gz",
                                                "train-labels-idx1-ubyte.gz",
                                                "t10k-images-idx3-ubyte.gz",
                                                "t10k-labels-idx1-ubyte.gz"}),
             boost::test_tools::per_element());
  // Generated data has no files to name.
  const auto generated = xp::test::run_experiment(runs, "configs/synthetic.yaml train.iterations=2");
  BOOST_TEST_REQUIRE(generated.status == 0, generated.output);
  pt::read_json((generated.dir / "summary.json").string(), summary);
  BOOST_TEST(summary.get_child("data").empty());
  fs::remove_all(runs);
}
