// Config inputs the fuzzer (fuzz/config_fuzzer.cpp) found mishandled: each must be
// a one-line xp::ConfigError naming the file, never another exception.
#define BOOST_TEST_MODULE config fuzz findings
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "exp/config.hpp"
#include "exp/error.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

std::string config_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const xp::ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("'" << text << "' does not contain '" << part << "'");
  return false;
}

}  // namespace

// Found as `extends: <300 bytes>`: std::filesystem threw "File name too long" from
// weakly_canonical and exists, so `exp run` failed with status 1 and no location.
BOOST_AUTO_TEST_CASE(an_extends_name_too_long_for_the_system_is_a_config_error,
                     *boost::unit_test::label("fault_config")) {
  const fs::path folder = xp::test::fresh_directory("exp-fuzz-findings");
  const std::string long_name(300, 'a');
  const fs::path child = folder / "child.yaml";
  std::ofstream(child) << "experiment: x\nextends: " << long_name << ".yaml\n";
  const std::string message = config_error_of([&] { xp::ConfigSource::load(child); });
  BOOST_TEST(contains(message, child.string() + ":2:10: extends: cannot read config file '"));
  BOOST_TEST(contains(message, long_name + ".yaml' (File name too long)"));

  // The same name given as the config file itself.
  const std::string direct =
      config_error_of([&] { xp::ConfigSource::load(folder / (long_name + ".yaml")); });
  BOOST_TEST(contains(direct, long_name + ".yaml: cannot read config file (File name too long)"));
}
