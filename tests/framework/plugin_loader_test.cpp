#define BOOST_TEST_MODULE plugin loader
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <numeric>
#include <utility>
#include <vector>

#include "exp/gradient.hpp"
#include "exp/metrics.hpp"
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

BOOST_AUTO_TEST_CASE(refuses_another_api_version_naming_the_file,
                     *boost::unit_test::label("fault_plugin_abi")) {
  const auto message = error_of([] { xp::load_plugin_file(kBad / "exp_optimizer_wrong_api.so"); });
  BOOST_TEST(message.find("exp_optimizer_wrong_api.so") != std::string::npos);
  BOOST_TEST(message.find("plugin API version 42") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_library_that_is_not_a_plugin,
                     *boost::unit_test::label("fault_plugin")) {
  const auto message =
      error_of([] { xp::load_plugin_file(kBad / "exp_optimizer_not_a_plugin.so"); });
  BOOST_TEST(message.find("not an exp plugin") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_a_file_that_is_not_a_library,
                     *boost::unit_test::label("fault_plugin")) {
  const auto dir = xp::test::fresh_directory("exp-loader");
  std::ofstream(dir / "exp_loss_text.so") << "this is text\n";
  const auto message = error_of([&] { xp::load_plugin_file(dir / "exp_loss_text.so"); });
  // The system loader's reason, without Boost.DLL's wrapping and its stray errno.
  BOOST_TEST(message == (dir / "exp_loss_text.so").string() +
                            ": cannot be loaded as a shared library (file too short)",
             message);
}

BOOST_AUTO_TEST_CASE(reports_a_factory_that_throws, *boost::unit_test::label("fault_plugin")) {
  xp::PluginRegistry registry({kBad});
  const auto& plugin = registry.find(PluginKind::optimizer, "throwing");
  const auto message = error_of([&] { xp::PluginRegistry::create<xp::Optimizer>(plugin, {}); });
  BOOST_TEST(message.find("optimizer plugin 'throwing'") != std::string::npos);
  BOOST_TEST(message.find("imaginary accelerator") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_plugin_lists_the_known_ones_and_suggests,
                     *boost::unit_test::label("fault_config")) {
  const auto message = error_of([] { xp::test::registry().find(PluginKind::optimizer, "sdg"); });
  BOOST_TEST(message.find("unknown optimizer plugin 'sdg'") != std::string::npos);
  BOOST_TEST(message.find("did you mean 'sgd'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(parameters_are_type_and_range_checked_with_location,
                     *boost::unit_test::label("fault_config")) {
  const auto wrong_type =
      error_of([] { xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lr: fast}"); });
  BOOST_TEST(wrong_type == "<test>:1:6: optimizer.lr: expected a number, found 'fast'");
  const auto out_of_range =
      error_of([] { xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lr: 0}"); });
  BOOST_TEST(out_of_range == "<test>:1:6: optimizer.lr: expected a value > 0, found 0");
  const auto undeclared =
      error_of([] { xp::test::make<xp::Optimizer>(PluginKind::optimizer, "sgd", "{lt: 0.1}"); });
  BOOST_TEST(
      undeclared.find("optimizer.lt: optimizer 'sgd' has no parameter 'lt' (did you mean 'lr'?)") !=
      std::string::npos);
}

BOOST_AUTO_TEST_CASE(search_path_order_decides_which_plugin_wins) {
  const auto path = xp::PluginRegistry::default_search_path({"/first"});
  BOOST_REQUIRE(path.size() >= 2);
  BOOST_TEST(path.front() == fs::path("/first"));
  BOOST_TEST(path.back().filename() == "plugins");
}

BOOST_AUTO_TEST_CASE(a_plugin_authors_mistakes_are_refused_naming_the_file,
                     *boost::unit_test::label("fault_plugin") *
                         boost::unit_test::label("fault_plugin_abi")) {
  for (const auto& [file, expected] : std::vector<std::pair<std::string, std::string>>{
           {"exp_optimizer_null_entry.so", "its entry point 'exp_plugin_info' is a null pointer"},
           {"exp_optimizer_duplicate_parameter.so", "declares parameter 'lr' twice"},
           {"exp_optimizer_bad_default.so",
            "the default 'fast' of parameter 'steps' is not a valid integer"},
           // Built with other settings than exp: the setting is named.
           {"exp_optimizer_glibcxx_debug.so",
            "built with other settings than this exp (_GLIBCXX_DEBUG (1: defined) 1 in the "
            "plugin, 0 in exp)"},
           {"exp_optimizer_align16.so",
            "built with other settings than this exp (EIGEN_MAX_ALIGN_BYTES 16 in the plugin, "
            "64 in exp)"}}) {
    const std::string message = error_of([&] { xp::load_plugin_file(kBad / file); });
    BOOST_TEST(message.find(file + ": " + expected) != std::string::npos, message);
  }
}

BOOST_AUTO_TEST_CASE(a_factory_that_throws_a_non_standard_exception_or_returns_nothing_is_reported,
                     *boost::unit_test::label("fault_plugin")) {
  xp::PluginRegistry registry({kBad});
  const auto thrown = error_of([&] {
    xp::PluginRegistry::create<xp::Optimizer>(registry.find(PluginKind::optimizer, "throws_int"),
                                              {});
  });
  BOOST_TEST(thrown.find("optimizer plugin 'throws_int'") != std::string::npos, thrown);
  BOOST_TEST(thrown.find("threw something that is not a std::exception") != std::string::npos,
             thrown);
  const auto nothing = error_of([&] {
    xp::PluginRegistry::create<xp::Optimizer>(registry.find(PluginKind::optimizer, "null_object"),
                                              {});
  });
  BOOST_TEST(nothing.find("exp_optimizer_null_object.so: the factory of optimizer plugin "
                          "'null_object' returned no object (nullptr)") != std::string::npos,
             nothing);
}

BOOST_AUTO_TEST_CASE(exp_plugins_lists_past_broken_files_names_them_and_reports_shadowing,
                     *boost::unit_test::label("fault_plugin")) {
  // The broken libraries, and a second "optimizer sgd" first on the path.
  const std::string path =
      "EXP_PLUGIN_PATH='" + (kBad / "shadow").string() + ":" + kBad.string() + "' ";
  const auto listing = xp::test::run_command(path + "'" + EXP_TEST_BINARY + "' plugins optimizer");
  BOOST_TEST(listing.status == 1, listing.output);  // a broken file fails the command...
  // ...without hiding the others: the real plugins and the loadable test ones.
  for (const char* listed : {"optimizer adam", "optimizer throws_int", "optimizer null_object"}) {
    BOOST_TEST(listing.output.find(listed) != std::string::npos, listed << "\n" << listing.output);
  }
  for (const char* broken : {"exp_optimizer_null_entry.so: its entry point",
                             "exp_optimizer_duplicate_parameter.so: declares parameter 'lr' twice",
                             "exp_optimizer_bad_default.so: the default 'fast'",
                             "exp_optimizer_wrong_api.so: plugin API version 42",
                             "exp_optimizer_not_a_plugin.so: not an exp plugin"}) {
    BOOST_TEST(listing.output.find(broken) != std::string::npos, broken << "\n" << listing.output);
  }
  BOOST_TEST(listing.output.find("shadowed: optimizer sgd in " +
                                 std::string(EXP_TEST_PLUGIN_DIR)) != std::string::npos,
             listing.output);
  BOOST_TEST(
      listing.output.find((kBad / "shadow" / "exp_optimizer_sgd.so").string() +
                          " comes first on the search path and is used") != std::string::npos,
      listing.output);
}

BOOST_AUTO_TEST_CASE(a_run_whose_optimizer_factory_throws_42_fails_cleanly,
                     *boost::unit_test::label("fault_plugin")) {
  const auto dir = xp::test::fresh_directory("exp-mistakes");
  const auto run = xp::test::run_command(
      "EXP_PLUGIN_PATH='" + kBad.string() + "' '" + EXP_TEST_BINARY + "' run '" +
      EXP_TEST_SOURCE_DIR + "/configs/synthetic.yaml' optimizer.name=throws_int --runs-dir '" +
      (dir / "runs").string() + "'");
  BOOST_TEST(run.status == 1, run.output);  // not 134 (std::terminate)
  BOOST_TEST(run.output.find("threw something that is not a std::exception") != std::string::npos,
             run.output);
}

BOOST_AUTO_TEST_CASE(a_model_whose_forward_pass_drops_a_row_is_stopped_with_the_shapes_named,
                     *boost::unit_test::label("fault_plugin")) {
  // Every forward pass exp makes: the loss a gradient differences, the loss a run
  // records after a step, and the accuracy over a split.
  xp::Context context;
  context.seed = 42;
  const auto data = xp::test::make<xp::Dataset>(
      PluginKind::dataset, "synthetic", "{samples: 200, classes: 3, dimensions: 2}", context);
  context.input_size = data->input_size();
  context.output_size = data->output_size();
  xp::PluginRegistry registry({kBad});
  const auto model = xp::PluginRegistry::create<xp::Model>(
      registry.find(PluginKind::model, "short_rows"), {}, context);
  const auto loss = xp::test::make<xp::Loss>(PluginKind::loss, "cross_entropy");
  xp::Batch batch;
  const std::vector<std::size_t> rows{0, 1, 2, 3, 4};
  data->gather(xp::Split::train, rows, batch);
  const xp::Vector theta = xp::Vector::Zero(1);
  xp::ThreadPool pool(2);
  const std::string five_rows =
      "the model's forward pass returned 4 x 3 outputs for 5 input rows (expected 5 x 3: one "
      "row of outputs per row of inputs)";
  const xp::Objective objective(*model, *loss, batch, pool);
  BOOST_TEST(error_of([&] { objective.loss(theta); }) == five_rows);
  BOOST_TEST(error_of([&] { xp::batch_loss(*model, *loss, theta, batch, pool); }) == five_rows);
  // A step's loss of 100 rows runs in blocks of 32 on the pool: the first block is named.
  std::vector<std::size_t> hundred(100);
  std::iota(hundred.begin(), hundred.end(), std::size_t(0));
  xp::Batch large;
  data->gather(xp::Split::train, hundred, large);
  BOOST_TEST(error_of([&] { xp::batch_loss(*model, *loss, theta, large, pool); }) ==
             "the model's forward pass returned 31 x 3 outputs for 32 input rows (expected 32 x 3: "
             "one row of outputs per row of inputs)");
  // In chunks of 8 rows on one thread: the first chunk is the one reported.
  BOOST_TEST(
      error_of([&] { xp::accuracy(*model, theta, *data, xp::Split::train, 8); }) ==
      "the model's forward pass returned 7 x 3 outputs for 8 input rows (expected 8 x 3: one "
      "row of outputs per row of inputs)");

  // Through `exp run`: a one-line error, exit status 1, and the run directory says so.
  const auto dir = xp::test::fresh_directory("exp-short-rows");
  const auto run = xp::test::run_command(
      "EXP_PLUGIN_PATH='" + kBad.string() + "' '" + EXP_TEST_BINARY + "' run '" +
      EXP_TEST_SOURCE_DIR + "/configs/synthetic.yaml' model.name=short_rows --runs-dir '" +
      (dir / "runs").string() + "'");
  BOOST_TEST(run.status == 1, run.output);
  BOOST_TEST(
      run.output.find("the model's forward pass returned 49 x 3 outputs for 50 input rows") !=
          std::string::npos,
      run.output);
  std::vector<fs::path> runs;
  for (const auto& entry : fs::directory_iterator(dir / "runs" / "synthetic"))
    runs.push_back(entry.path());
  BOOST_TEST_REQUIRE(runs.size() == 1u);
  const std::string summary = xp::test::read_file(runs.front() / "summary.json");
  BOOST_TEST(summary.find("\"status\": \"failed\"") != std::string::npos, summary);
  BOOST_TEST(summary.find("49 x 3 outputs for 50 input rows") != std::string::npos, summary);
}

BOOST_AUTO_TEST_CASE(a_plugin_built_for_plain_x86_64_works_with_this_exp,
                     *boost::unit_test::label("fault_plugin_abi")) {
  // Another -march is no mismatch: the layout settings agree, so memory the plugin
  // allocates (its optimizer state) is freed by exp without harm.
  xp::PluginRegistry registry({kBad});
  auto optimizer = xp::PluginRegistry::create<xp::Optimizer>(
      registry.find(PluginKind::optimizer, "portable"), {});
  xp::Vector theta = xp::Vector::Constant(4, 2.0);
  optimizer->step(theta, theta);
  BOOST_TEST(theta[3] == 1.0);
  for (int round = 0; round < 100; ++round) {
    const xp::NamedVectors state = optimizer->state();
    BOOST_TEST_REQUIRE(state.size() == 1u);
    BOOST_TEST(state.front().second.size() == 33);
  }
}

BOOST_AUTO_TEST_CASE(a_library_whose_loading_ends_the_process_is_named_not_silent,
                     *boost::unit_test::label("fault_plugin")) {
  const std::string path = "EXP_PLUGIN_PATH='" + (kBad / "fatal").string() + "' ";
  const std::string exp = std::string("'") + EXP_TEST_BINARY + "' ";
  const std::string run = "run '" + std::string(EXP_TEST_SOURCE_DIR) + "/configs/synthetic.yaml' ";
  // exit(0) in a static constructor: exit status 1 and the file named, not a silent 0.
  const auto exits = xp::test::run_command(path + exp + run + "optimizer.name=exits_on_load");
  BOOST_TEST(exits.status == 1, exits.output);
  BOOST_TEST(exits.output.find("exp_optimizer_exits_on_load.so: the plugin ended the process "
                               "while being loaded") != std::string::npos,
             exits.output);
  const auto aborts = xp::test::run_command(path + exp + run + "optimizer.name=aborts_on_load");
  BOOST_TEST(aborts.status != 0, aborts.output);
  BOOST_TEST(aborts.output.find("exp_optimizer_aborts_on_load.so: crashed while being loaded") !=
                 std::string::npos,
             aborts.output);
  // Discovery loads every file: each is tried in a child process first, so the
  // listing survives both and names them.
  const auto listing = xp::test::run_command(path + exp + "plugins optimizer");
  BOOST_TEST(listing.status == 1, listing.output);
  BOOST_TEST(listing.output.find("optimizer adam") != std::string::npos, listing.output);
  BOOST_TEST(listing.output.find("exp_optimizer_exits_on_load.so: the plugin ended the process") !=
                 std::string::npos,
             listing.output);
  BOOST_TEST(listing.output.find("exp_optimizer_aborts_on_load.so: crashed while being loaded "
                                 "(signal 6)") != std::string::npos,
             listing.output);
}
