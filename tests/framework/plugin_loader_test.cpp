#define BOOST_TEST_MODULE plugin loader
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "exp/optimizer.hpp"
#include "test_support.hpp"

using xp::test::error_of;

namespace fs = std::filesystem;
using xp::PluginKind;

namespace {
const fs::path kBad = EXP_BAD_PLUGIN_DIR;

}  // namespace

BOOST_AUTO_TEST_CASE(loads_a_real_plugin_and_uses_it) {
  auto sgd = xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lr: 0.5}");
  xp::Vector theta(2), gradient(2);
  theta << 1.0, 2.0;
  gradient << 2.0, -4.0;
  sgd->step(theta, gradient);
  BOOST_TEST(theta[0] == 0.0);
  BOOST_TEST(theta[1] == 4.0);
}

BOOST_AUTO_TEST_CASE(object_keeps_its_library_loaded) {
  std::shared_ptr<xp::Optimizer> sgd;
  {
    xp::PluginRegistry registry({EXP_TEST_PLUGIN_DIR});
    sgd = xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd");
  }
  // The registry that opened the library is gone; the object's code must still be there.
  xp::Vector theta = xp::Vector::Ones(3), gradient = xp::Vector::Ones(3);
  sgd->step(theta, gradient);
  BOOST_TEST(theta[2] == 0.99);
}

BOOST_AUTO_TEST_CASE(refuses_another_api_version_naming_the_file) {
  const auto message = error_of([] { xp::load_plugin_file(kBad / "exp_optimizer_wrong_api.so"); });
  BOOST_TEST(message.find("exp_optimizer_wrong_api.so") != std::string::npos);
  BOOST_TEST(message.find("plugin API version 42") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_library_that_is_not_a_plugin) {
  const auto message = error_of([] { xp::load_plugin_file(kBad / "exp_optimizer_not_a_plugin.so"); });
  BOOST_TEST(message.find("not an exp plugin") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_library) {
  const auto dir = xp::test::fresh_directory("exp-loader");
  std::ofstream(dir / "exp_loss_text.so") << "this is text\n";
  const auto message = error_of([&] { xp::load_plugin_file(dir / "exp_loss_text.so"); });
  BOOST_TEST(message.find("cannot be loaded as a shared library") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(reports_a_factory_that_throws) {
  xp::PluginRegistry registry({kBad});
  const auto& plugin = registry.find(PluginKind::optimizer, "throwing");
  const auto message = error_of([&] { xp::PluginRegistry::create<xp::Optimizer>(plugin, {}); });
  BOOST_TEST(message.find("optimizer plugin 'throwing'") != std::string::npos);
  BOOST_TEST(message.find("imaginary accelerator") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_plugin_lists_the_known_ones_and_suggests) {
  const auto message = error_of([] { xp::test::registry().find(PluginKind::optimizer, "sdg"); });
  BOOST_TEST(message.find("unknown optimizer plugin 'sdg'") != std::string::npos);
  BOOST_TEST(message.find("did you mean 'sgd'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parameters_are_type_and_range_checked_with_location) {
  const auto wrong_type = error_of([] { xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lr: fast}"); });
  BOOST_TEST(wrong_type == "<test>:1:6: optimizer.lr: expected a number, found 'fast'");
  const auto out_of_range = error_of([] { xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lr: 0}"); });
  BOOST_TEST(out_of_range == "<test>:1:6: optimizer.lr: expected a value > 0, found 0");
  const auto undeclared = error_of([] { xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lt: 0.1}"); });
  BOOST_TEST(undeclared.find("optimizer.lt: optimizer 'sgd' has no parameter 'lt' (did you mean 'lr'?)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(search_path_order_decides_which_plugin_wins) {
  const auto path = xp::PluginRegistry::default_search_path({"/first"});
  BOOST_REQUIRE(path.size() >= 2);
  BOOST_TEST(path.front() == fs::path("/first"));
  BOOST_TEST(path.back().filename() == "plugins");
}
