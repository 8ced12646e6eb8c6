// Installs exp into a temporary prefix, builds examples/huber_loss against that
// install only (its own CMake project, find_package(exp)), and runs an experiment
// that loads the plugin through EXP_PLUGIN_PATH: the path a user's plugin takes.
#define BOOST_TEST_MODULE out of tree plugin
#include <boost/test/unit_test.hpp>

#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::run_command;

namespace {
std::string quoted(const fs::path& path) { return "'" + path.string() + "'"; }
}  // namespace

BOOST_AUTO_TEST_CASE(example_plugin_builds_against_the_install_and_trains) {
  const fs::path work = xp::test::fresh_directory("exp-install");
  const fs::path prefix = work / "prefix";
  const fs::path plugin_build = work / "huber-build";

  const auto install = run_command("cmake --install " + quoted(EXP_TEST_BUILD_DIR) + " --prefix " + quoted(prefix));
  BOOST_TEST_REQUIRE(install.status == 0, install.output);
  BOOST_TEST(fs::exists(prefix / "lib/cmake/exp/expConfig.cmake"));
  BOOST_TEST(fs::exists(prefix / "include/exp/plugin.hpp"));

  const fs::path source = fs::path(EXP_TEST_SOURCE_DIR) / "examples/huber_loss";
  const auto configure = run_command("cmake -S " + quoted(source) + " -B " + quoted(plugin_build) +
                                     " -DCMAKE_PREFIX_PATH=" + quoted(prefix) +
                                     " -DCMAKE_EXPORT_COMPILE_COMMANDS=ON");
  BOOST_TEST_REQUIRE(configure.status == 0, configure.output);
  const auto build = run_command("cmake --build " + quoted(plugin_build));
  BOOST_TEST_REQUIRE(build.status == 0, build.output);
  BOOST_TEST_REQUIRE(fs::exists(plugin_build / "exp_loss_huber.so"));
  // Built without -march (the installed exp requires none), while this exp may be
  // native: Eigen's alignment is what must agree, and the package fixes it.
  const std::string commands = xp::test::read_file(plugin_build / "compile_commands.json");
  BOOST_TEST(commands.find("-march") == std::string::npos, commands);
  // The example sets no build type: exp_add_plugin optimises anyway.
  BOOST_TEST(commands.find("-O2") != std::string::npos, commands);
  BOOST_TEST(commands.find("EIGEN_MAX_ALIGN_BYTES=64") != std::string::npos, commands);

  // The installed exp, not the build tree's, with the plugin found through the environment.
  const fs::path installed_exp = prefix / "bin/exp";
  const auto listing = run_command("EXP_PLUGIN_PATH=" + quoted(plugin_build) + " " + quoted(installed_exp) + " plugins loss");
  BOOST_TEST_REQUIRE(listing.status == 0, listing.output);
  BOOST_TEST(listing.output.find("huber") != std::string::npos, listing.output);
  BOOST_TEST(listing.output.find("delta") != std::string::npos, listing.output);
  BOOST_TEST(listing.output.find("cross_entropy") != std::string::npos, listing.output);

  const auto run = run_command("EXP_PLUGIN_PATH=" + quoted(plugin_build) + " " + quoted(installed_exp) + " run " +
                               quoted(source / "huber.yaml") + " --runs-dir " + quoted(work / "runs"));
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  const auto runs = work / "runs/huber_blobs";
  BOOST_TEST_REQUIRE(fs::exists(runs));
  const fs::path run_dir = fs::directory_iterator(runs)->path();
  const std::string summary = xp::test::read_file(run_dir / "summary.json");
  BOOST_TEST(summary.find("\"completed\"") != std::string::npos, summary);
  BOOST_TEST(summary.find("huber") != std::string::npos, summary);
  const std::string config = xp::test::read_file(run_dir / "config.yaml");
  BOOST_TEST(config.find("delta: 0.5") != std::string::npos, config);

  // backprop through the plugin's output gradient: a matrix the mlp allocated is
  // reassigned in the plugin and freed in the mlp again, across the boundary.
  const auto check = run_command("EXP_PLUGIN_PATH=" + quoted(plugin_build) + " " +
                                 quoted(installed_exp) + " gradcheck " +
                                 quoted(source / "huber.yaml") +
                                 " --methods central_difference --tolerance 1e-8");
  BOOST_TEST(check.status == 0, check.output);
  BOOST_TEST(check.output.find("central_difference") != std::string::npos, check.output);
  fs::remove_all(work);
}
