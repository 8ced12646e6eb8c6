// Configs: extends, overrides, origins in error messages, the train section, and
// the resolved config. Real YAML files, real plugins through the real loader.
#define BOOST_TEST_MODULE config
#include "exp/config.hpp"

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "exp/error.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// The configs below find plugins the way `exp` does, through the search path.
struct UseBuildPlugins {
  UseBuildPlugins() { setenv("EXP_PLUGIN_PATH", EXP_TEST_PLUGIN_DIR, 1); }
};
BOOST_TEST_GLOBAL_FIXTURE(UseBuildPlugins);

const char* kValid = R"(experiment: blobs
dataset: {name: synthetic, kind: blobs, samples: 200}
model: {name: mlp, hidden: [5]}
loss: {name: cross_entropy}
gradient: {name: central_difference}
optimizer: {name: sgd, lr: 0.5}
train:
  iterations: 20
  batch_size: 10
)";

struct Folder {
  fs::path dir = xp::test::fresh_directory("exp-config");
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name) << text;
    return dir / name;
  }
};

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const xp::ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

xp::ExperimentConfig resolve(const fs::path& file, const std::vector<std::string>& overrides = {}) {
  std::vector<xp::Override> parsed;
  for (const auto& text : overrides) parsed.push_back(xp::Override::parse(text));
  return xp::resolve_config(xp::ConfigSource::load(file, parsed));
}

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("'" << text << "' does not contain '" << part << "'");
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_plugins_parameters_and_train_settings) {
  Folder folder;
  const auto config = resolve(folder.write("a.yaml", kValid));
  BOOST_TEST(config.experiment == "blobs");
  BOOST_TEST(config.optimizer.name() == "sgd");
  BOOST_TEST(config.optimizer.parameters.real("lr") == 0.5);
  BOOST_TEST(config.model.parameters.integers("hidden") == std::vector<std::int64_t>{5});
  BOOST_TEST(config.gradient.parameters.real("h") == 1e-4);  // the plugin's default
  BOOST_TEST(*config.train.iterations == 20u);
  BOOST_TEST(!config.train.epochs.has_value());
  BOOST_TEST(config.train.batch_size == 10u);
  BOOST_TEST(config.train.seed == 42u);
  BOOST_TEST(config.train.threads == 1u);
  BOOST_TEST((config.train.sampling == xp::Sampling::with_replacement));
  BOOST_TEST((config.train.evaluate_every.kind == xp::EvaluationCadence::Kind::epoch));
}

BOOST_AUTO_TEST_CASE(extends_merges_key_by_key_and_the_extending_file_wins) {
  Folder folder;
  folder.write("base.yaml", kValid);
  fs::create_directories(folder.dir / "sub");
  const auto child =
      folder.write("sub/child.yaml",
                   "extends: ../base.yaml\nexperiment: child\noptimizer: {lr: 0.25}\n"
                   "train: {iterations: 7}\n");
  const auto config = resolve(child);
  BOOST_TEST(config.experiment == "child");
  BOOST_TEST(config.optimizer.name() == "sgd");  // from the base
  BOOST_TEST(config.optimizer.parameters.real("lr") == 0.25);
  BOOST_TEST(*config.train.iterations == 7u);
  BOOST_TEST(config.train.batch_size == 10u);  // from the base, next to an overridden key
  BOOST_TEST(config.model.parameters.integers("hidden") == std::vector<std::int64_t>{5});
}

BOOST_AUTO_TEST_CASE(an_error_in_an_extended_file_points_at_that_file,
                     *boost::unit_test::label("fault_config")) {
  Folder folder;
  std::string base = kValid;
  base.replace(base.find("lr: 0.5"), 7, "lr: fast");
  folder.write("base.yaml", base);
  const auto child = folder.write("child.yaml", "extends: base.yaml\ntrain: {iterations: 3}\n");
  const auto message = error_of([&] { resolve(child); });
  BOOST_TEST(message == (folder.dir / "base.yaml").string() +
                            ":6:28: optimizer.lr: expected a number, found 'fast'");
}

BOOST_AUTO_TEST_CASE(extends_cycle_is_detected, *boost::unit_test::label("fault_config")) {
  Folder folder;
  folder.write("a.yaml", "extends: b.yaml\n");
  folder.write("b.yaml", "extends: c.yaml\n");
  folder.write("c.yaml", "extends: a.yaml\n");
  const auto message = error_of([&] { xp::ConfigSource::load(folder.dir / "a.yaml"); });
  BOOST_TEST(contains(message, "extends cycle"));
  BOOST_TEST(contains(message, "a.yaml -> "));
  BOOST_TEST(contains(message, "c.yaml -> "));
}

BOOST_AUTO_TEST_CASE(a_missing_base_is_reported_where_it_is_named,
                     *boost::unit_test::label("fault_config")) {
  Folder folder;
  const auto child = folder.write("child.yaml", "experiment: x\nextends: nowhere.yaml\n");
  const auto message = error_of([&] { xp::ConfigSource::load(child); });
  BOOST_TEST(contains(message, child.string() + ":2:10: extends: no config file"));
  BOOST_TEST(contains(message, "nowhere.yaml"));
}

BOOST_AUTO_TEST_CASE(missing_file_and_malformed_yaml_are_one_line_errors,
                     *boost::unit_test::label("fault_config")) {
  Folder folder;
  const auto missing = error_of([&] { xp::ConfigSource::load(folder.dir / "absent.yaml"); });
  BOOST_TEST(contains(missing, "absent.yaml: cannot read config file"));
  const auto broken =
      folder.write("broken.yaml", "experiment: x\nmodel: {name: mlp\ntrain: [1, 2\n");
  const auto malformed = error_of([&] { xp::ConfigSource::load(broken); });
  BOOST_TEST(contains(malformed, broken.string() + ":"));
  BOOST_TEST(contains(malformed, "malformed YAML"));
  BOOST_TEST(malformed.find('\n') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_column_and_suggests,
                     *boost::unit_test::label("fault_config")) {
  Folder folder;
  std::string text = kValid;
  text.replace(text.find("optimizer:"), 10, "optimzer:");
  const auto file = folder.write("typo.yaml", text);
  const auto message = error_of([&] { resolve(file); });
  BOOST_TEST(
      contains(message, file.string() + ":6:1: optimzer: unknown key (did you mean 'optimizer'?)"));
}

BOOST_AUTO_TEST_CASE(unknown_train_key_suggests, *boost::unit_test::label("fault_config")) {
  Folder folder;
  const auto file = folder.write("a.yaml", std::string(kValid) + "  batchsize: 3\n");
  const auto message = error_of([&] { resolve(file); });
  BOOST_TEST(contains(
      message, file.string() + ":10:3: train.batchsize: unknown key (did you mean 'batch_size'?)"));
}

BOOST_AUTO_TEST_CASE(overrides_apply_after_the_file_and_are_type_checked,
                     *boost::unit_test::label("fault_config")) {
  Folder folder;
  const auto file = folder.write("a.yaml", kValid);
  const auto config =
      resolve(file, {"optimizer.lr=0.01", "train.iterations=200", "model.hidden=[8,4]"});
  BOOST_TEST(config.optimizer.parameters.real("lr") == 0.01);
  BOOST_TEST(*config.train.iterations == 200u);
  BOOST_TEST(config.model.parameters.integers("hidden") == (std::vector<std::int64_t>{8, 4}));

  BOOST_TEST(error_of([&] { resolve(file, {"optimizer.lr=abc"}); }) ==
             "override 'optimizer.lr=abc': optimizer.lr: expected a number, found 'abc'");
  BOOST_TEST(contains(
      error_of([&] { resolve(file, {"optimizer.lrr=0.1"}); }),
      "override 'optimizer.lrr=0.1': optimizer.lrr: optimizer 'sgd' has no parameter 'lrr' "
      "(did you mean 'lr'?)"));
  BOOST_TEST(
      contains(error_of([&] { resolve(file, {"optimzer.lr=0.1"}); }),
               "override 'optimzer.lr=0.1': optimzer: unknown key (did you mean 'optimizer'?)"));
  BOOST_TEST(contains(error_of([&] { resolve(file, {"train.iterations=-3"}); }),
                      "override 'train.iterations=-3': train.iterations: expected a value >= 1"));
  BOOST_TEST(
      contains(error_of([&] { xp::Override::parse("optimizer.lr"); }), "expected key.path=value"));
  BOOST_TEST(
      contains(error_of([&] { resolve(file, {"optimizer.name=sdg"}); }),
               "override 'optimizer.name=sdg': optimizer.name: unknown optimizer plugin 'sdg' "
               "(did you mean 'sgd'?)"));
}

BOOST_AUTO_TEST_CASE(changing_a_plugin_starts_its_section_from_the_new_plugins_defaults) {
  Folder folder;
  const auto file = folder.write("a.yaml", kValid);
  // h belongs to central_difference; backprop has no such parameter, and must not inherit it.
  const auto config = resolve(file, {"gradient.h=0.001", "gradient.name=backprop"});
  BOOST_TEST(config.gradient.name() == "backprop");
}

BOOST_AUTO_TEST_CASE(train_values_are_range_checked, *boost::unit_test::label("fault_config")) {
  Folder folder;
  const auto file = folder.write("a.yaml", kValid);
  BOOST_TEST(contains(error_of([&] { resolve(file, {"train.batch_size=0"}); }),
                      "train.batch_size: expected a value >= 1"));
  BOOST_TEST(contains(error_of([&] { resolve(file, {"train.threads=-1"}); }),
                      "train.threads: expected a value >= 0"));
  BOOST_TEST(contains(error_of([&] { resolve(file, {"train.epochs=2"}); }),
                      "gives both iterations and epochs"));
  BOOST_TEST(contains(error_of([&] { resolve(file, {"train.sampling=shufle"}); }),
                      "(did you mean 'shuffle'?)"));
  BOOST_TEST(contains(error_of([&] { resolve(file, {"train.evaluate_every=0"}); }),
                      "train.evaluate_every: expected epoch, never or a number of steps >= 1"));
  const auto every = resolve(file, {"train.evaluate_every=5"});
  BOOST_TEST((every.train.evaluate_every.kind == xp::EvaluationCadence::Kind::steps));
  BOOST_TEST(every.train.evaluate_every.every == 5u);
}

BOOST_AUTO_TEST_CASE(resolved_config_has_defaults_and_reads_back_the_same) {
  Folder folder;
  const auto file = folder.write("a.yaml", kValid);
  const auto config = resolve(file, {"optimizer.lr=0.1"});
  const std::string text = config.to_yaml_text();
  BOOST_TEST(
      (text.find("h: 0.0001") != std::string::npos || text.find("h: 1e-04") != std::string::npos));
  BOOST_TEST(contains(text, "seed: 42"));
  BOOST_TEST(contains(text, "lr: 0.1"));
  BOOST_TEST(text.find("extends") == std::string::npos);
  const auto again = resolve(folder.write("resolved.yaml", text));
  BOOST_TEST(again.to_yaml_text() == text);
}

BOOST_AUTO_TEST_CASE(plugin_section_may_be_just_a_name) {
  Folder folder;
  std::string text = kValid;
  text.replace(text.find("loss: {name: cross_entropy}"), 27, "loss: cross_entropy");
  const auto config = resolve(folder.write("a.yaml", text));
  BOOST_TEST(config.loss.name() == "cross_entropy");
}

// Users of Hydra expect key-by-key merging: naming another plugin starts its section
// afresh, which is said, naming what is dropped, unless a later override sets it again.
BOOST_AUTO_TEST_CASE(an_override_naming_another_plugin_says_which_keys_it_drops) {
  const auto notices = [](const std::vector<std::string>& texts) {
    std::vector<xp::Override> parsed;
    for (const auto& text : texts) parsed.push_back(xp::Override::parse(text));
    return xp::ConfigSource::load("configs/mnist.yaml", parsed).notices();
  };
  const auto dropped = notices({"optimizer.name=momentum"});
  BOOST_TEST_REQUIRE(dropped.size() == 1u);
  BOOST_TEST(contains(dropped[0], "override 'optimizer.name=momentum'"));
  BOOST_TEST(contains(dropped[0], "dropping optimizer.lr=0.1"));
  BOOST_TEST(notices({"optimizer.name=momentum", "optimizer.lr=0.1"}).empty());
  BOOST_TEST(notices({"optimizer.name=sgd"}).empty());
  BOOST_TEST(notices({"optimizer.lr=0.2"}).empty());
  // Given before the name, the rate is dropped with the rest, and said so.
  BOOST_TEST(contains(notices({"optimizer.lr=0.2", "optimizer.name=momentum"}).at(0),
                      "dropping optimizer.lr=0.2"));
}
