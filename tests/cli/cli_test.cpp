// The `exp` command line through the real binary: help, plugins, validate, grad,
// and the exit status 2 (with no run directory) for every kind of config mistake.
#define BOOST_TEST_MODULE exp command line
#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::run_exp;

namespace {

const std::string kSynthetic = "configs/synthetic.yaml";

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("output:\n" << text << "\ndoes not contain '" << part << "'");
  return false;
}

bool is_empty_folder(const fs::path& dir) { return fs::is_empty(dir); }

// The numbers of one printed tensor line "name: [a, b, ...]" (1-D tensors).
std::vector<double> numbers_of(const std::string& output, const std::string& name) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(name + ": [")) continue;
    std::vector<double> values;
    const std::regex number(R"([-+]?[0-9.]+(e[-+][0-9]+)?)");
    const std::string body = line.substr(name.size() + 2);
    for (std::sregex_iterator it(body.begin(), body.end(), number), end; it != end; ++it) {
      values.push_back(std::stod(it->str()));
    }
    return values;
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(help_lists_commands_and_each_command_has_help) {
  const auto top = run_exp("--help");
  BOOST_TEST(top.status == 0);
  for (const char* command : {"run", "validate", "grad", "plugins", "compare"}) {
    BOOST_TEST(contains(top.output, command));
    const auto help = run_exp(std::string(command) + " --help");
    BOOST_TEST(help.status == 0);
    BOOST_TEST(contains(help.output, std::string("usage: exp ") + command));
  }
  BOOST_TEST(contains(run_exp("run --help").output, "--runs-dir"));
  BOOST_TEST(contains(run_exp("grad --help").output, "--method"));
}

BOOST_AUTO_TEST_CASE(unknown_command_and_option_are_usage_errors,
                     *boost::unit_test::label("fault_config")) {
  const auto command = run_exp("rnu configs/synthetic.yaml");
  BOOST_TEST(command.status == 2);
  BOOST_TEST(contains(command.output, "did you mean 'run'"));
  const auto runs = xp::test::fresh_directory("exp-cli");
  for (const char* option : {"--bogus", "--thread 3"}) {  // abbreviations are not guessed
    const auto result =
        run_exp("run configs/synthetic.yaml --runs-dir '" + runs.string() + "' " + option);
    BOOST_TEST(result.status == 2);
  }
  BOOST_TEST(fs::is_empty(runs));
  const auto missing = run_exp("validate");
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(contains(missing.output, "missing CONFIG"));
}

BOOST_AUTO_TEST_CASE(plugins_lists_kind_name_version_file_and_parameters) {
  const auto all = run_exp("plugins");
  BOOST_TEST(all.status == 0);
  BOOST_TEST(contains(all.output, "optimizer sgd 1.0.0"));
  BOOST_TEST(contains(all.output, "exp_optimizer_sgd.so"));
  BOOST_TEST(contains(all.output, "dataset synthetic"));
  const auto optimizers = run_exp("plugins optimizer");
  BOOST_TEST(optimizers.status == 0);
  BOOST_TEST(optimizers.output.find("dataset synthetic") == std::string::npos);
  // name, type, default, range, meaning
  BOOST_TEST(std::regex_search(optimizers.output,
                               std::regex(R"(lr +real +0\.01 +> 0\.0 +learning rate)")));
  const auto datasets = run_exp("plugins dataset");
  BOOST_TEST(contains(datasets.output, "one of blobs|xor|spirals"));
  // An integer's bounds are written as integers.
  BOOST_TEST(std::regex_search(datasets.output,
                               std::regex(R"(classes +integer +2 +>= 2, <= 1000 +number of classes)")),
             datasets.output);
  const auto wrong = run_exp("plugins optimzer");
  BOOST_TEST(wrong.status == 2);
  BOOST_TEST(contains(wrong.output, "did you mean 'optimizer'"));
}

BOOST_AUTO_TEST_CASE(validate_prints_the_resolved_config) {
  const auto validated = run_exp("validate " + kSynthetic + " optimizer.lr=0.05 train.threads=2");
  BOOST_TEST_REQUIRE(validated.status == 0, validated.output);
  const YAML::Node resolved = YAML::Load(validated.output);
  BOOST_TEST(resolved["optimizer"]["lr"].as<double>() == 0.05);
  BOOST_TEST(resolved["train"]["threads"].as<int>() == 2);
  BOOST_TEST(resolved["experiment"].as<std::string>() == "synthetic");
  // Defaults are filled in: keys the file does not give.
  BOOST_TEST(resolved["dataset"]["seed"].IsDefined());
  BOOST_TEST(resolved["train"]["sampling"].as<std::string>() == "with_replacement");
  BOOST_TEST(!resolved["extends"].IsDefined());
}

BOOST_AUTO_TEST_CASE(config_mistakes_exit_2_and_create_no_run_directory,
                     *boost::unit_test::label("fault_config") *
                         boost::unit_test::label("fault_data")) {
  const auto dir = xp::test::fresh_directory("exp-cli");
  const auto runs = dir / "runs";
  fs::create_directories(runs);
  std::ofstream(dir / "typo.yaml") << "extends: " << fs::absolute(kSynthetic).string()
                                   << "\noptimizer: {name: sgd, lr: 0.1, momentum: 0.9}\n";
  const std::string runs_dir = " --runs-dir '" + runs.string() + "'";

  const auto unknown = run_exp("run '" + (dir / "typo.yaml").string() + "'" + runs_dir);
  BOOST_TEST(unknown.status == 2);
  BOOST_TEST(contains(unknown.output, (dir / "typo.yaml").string() + ":2:"));
  BOOST_TEST(
      contains(unknown.output, "optimizer.momentum: optimizer 'sgd' has no parameter 'momentum'"));

  const auto wrong_type = run_exp("run " + kSynthetic + " optimizer.lr=abc" + runs_dir);
  BOOST_TEST(wrong_type.status == 2);
  BOOST_TEST(
      contains(wrong_type.output, "override 'optimizer.lr=abc': optimizer.lr: expected a number"));

  const auto too_big = run_exp("run " + kSynthetic + " train.batch_size=100000" + runs_dir);
  BOOST_TEST(too_big.status == 2);
  BOOST_TEST(contains(too_big.output, "train.batch_size: 100000 is larger than the training set"));

  const auto no_units = run_exp("run " + kSynthetic + " model.hidden=[0]" + runs_dir);
  BOOST_TEST(no_units.status == 2);
  BOOST_TEST(contains(no_units.output, "model.hidden: expected a value >= 1, found 0"));

  // Valid IDX headers that announce zero images: an empty dataset, not a crash.
  const auto empty = dir / "empty-mnist";
  fs::create_directories(empty);
  for (const std::string split : {"train", "t10k"}) {
    const unsigned char images[] = {0, 0, 8, 3, 0, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28};
    const unsigned char labels[] = {0, 0, 8, 1, 0, 0, 0, 0};
    std::ofstream(empty / (split + "-images-idx3-ubyte"), std::ios::binary)
        .write(reinterpret_cast<const char*>(images), sizeof images);
    std::ofstream(empty / (split + "-labels-idx1-ubyte"), std::ios::binary)
        .write(reinterpret_cast<const char*>(labels), sizeof labels);
  }
  const auto no_samples =
      run_exp("run configs/mnist.yaml dataset.path='" + empty.string() + "'" + runs_dir);
  BOOST_TEST(no_samples.status == 2);
  BOOST_TEST(contains(no_samples.output, "dataset: 'mnist' has no training samples"));

  const auto missing = run_exp("run '" + (dir / "absent.yaml").string() + "'" + runs_dir);
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(contains(missing.output, "cannot read config file"));

  BOOST_TEST(is_empty_folder(runs));
}

BOOST_AUTO_TEST_CASE(grad_prints_every_tensor_shaped_and_methods_agree) {
  const auto central = run_exp("grad " + kSynthetic);
  BOOST_TEST_REQUIRE(central.status == 0, central.output);
  BOOST_TEST(contains(central.output, "W1: [["));
  BOOST_TEST(contains(central.output, "b1: ["));
  const auto backprop = run_exp("grad " + kSynthetic + " --method backprop");
  BOOST_TEST_REQUIRE(backprop.status == 0, backprop.output);
  const auto numeric = numbers_of(central.output, "b2");
  const auto analytic = numbers_of(backprop.output, "b2");
  BOOST_TEST_REQUIRE(numeric.size() == 3u);
  BOOST_TEST_REQUIRE(analytic.size() == 3u);
  for (std::size_t i = 0; i < numeric.size(); ++i)
    BOOST_TEST(std::abs(numeric[i] - analytic[i]) < 1e-7);
}

BOOST_AUTO_TEST_CASE(grad_reproduces_the_books_numerical_gradient) {
  // numerical_gradient(function_2, [3.0, 4.0]) in the book: [6.00000000000378, 7.999999999999119]
  const auto dir = xp::test::fresh_directory("exp-grad");
  std::ofstream(dir / "function_2.yaml")
      << "dataset: {name: none}\nmodel: {name: polynomial, coefficients: [0, 0, 1], start: [3.0, "
         "4.0]}\n"
         "loss: {name: identity}\ngradient: {name: central_difference, h: 1.0e-4}\n"
         "optimizer: {name: sgd, lr: 0.1}\ntrain: {iterations: 1, batch_size: 1}\n";
  const auto result = run_exp("grad '" + (dir / "function_2.yaml").string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  BOOST_TEST(contains(result.output, "x: [6.00000000000378, 7.999999999999119]"));
}

BOOST_AUTO_TEST_CASE(hostile_config_and_data_inputs_are_refused_quickly_and_never_hang,
                     *boost::unit_test::label("fault_config") *
                         boost::unit_test::label("fault_data")) {
  const auto dir = xp::test::fresh_directory("exp-hostile");
  const auto runs = dir / "runs";
  fs::create_directories(runs);
  // Each within 20 s: `timeout` would exit 124 for a hang.
  const auto validate = [&](const std::string& arguments) {
    return xp::test::run_command(std::string("timeout 20 '") + EXP_TEST_BINARY + "' validate " +
                                 arguments);
  };
  const auto quoted = [](const fs::path& path) { return "'" + path.string() + "'"; };
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name) << text;
    return dir / name;
  };

  // Directories, FIFOs and devices as a config or as an `extends` target.
  const auto folder = dir / "folder.yaml";
  fs::create_directories(folder);
  const auto fifo = dir / "fifo.yaml";
  BOOST_TEST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const auto& [config, expected] : std::vector<std::pair<fs::path, std::string>>{
           {folder, "folder.yaml: is a directory; a config must be a YAML file"},
           {fifo, "fifo.yaml: is a FIFO; a config must be a YAML file"},
           {write("extends_folder.yaml", "extends: folder.yaml\n"), "is a directory"},
           {write("extends_fifo.yaml", "extends: fifo.yaml\n"), "is a FIFO"},
           {write("extends_zero.yaml", "extends: /dev/zero\n"), "/dev/zero: is not a regular file"},
           {write("extends_random.yaml", "extends: /dev/urandom\n"),
            "/dev/urandom: is not a regular file"}}) {
    const auto result = validate(quoted(config));
    BOOST_TEST_CONTEXT(config.filename().string()) {
      BOOST_TEST(result.status == 2);
      BOOST_TEST(contains(result.output, expected));
    }
  }

  // An alias bomb: ten levels, each a mapping of ten aliases of the level below.
  std::string bomb =
      "l0: &l0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1, k9: 1}\n";
  for (int level = 1; level < 10; ++level) {
    const std::string below = "*l" + std::to_string(level - 1);
    bomb += "l" + std::to_string(level) + ": &l" + std::to_string(level) + " {";
    for (int key = 0; key < 10; ++key) {
      bomb += (key ? ", k" : "k") + std::to_string(key) + ": " + below;
    }
    bomb += "}\n";
  }
  const auto bombed = validate(quoted(write("bomb.yaml", bomb)));
  BOOST_TEST(bombed.status == 2);
  BOOST_TEST(contains(bombed.output, "bomb.yaml: expands to more than 100000 values"));

  // A key twice in one mapping: both places named.
  const auto twice = validate(quoted(
      write("twice.yaml", "extends: " + fs::absolute(kSynthetic).string() +
                              "\noptimizer: {name: sgd, lr: 0.1}\noptimizer: {name: adam}\n")));
  BOOST_TEST(twice.status == 2);
  BOOST_TEST(contains(twice.output,
                      "twice.yaml:3:1: key 'optimizer' appears twice in this mapping "
                      "(first at " +
                          (dir / "twice.yaml").string() + ":2:1)"));

  // An override without a value, and an empty runs folder.
  const auto empty_value =
      run_exp("run " + kSynthetic + " optimizer.lr= --runs-dir " + quoted(runs));
  BOOST_TEST(empty_value.status == 2);
  BOOST_TEST(
      contains(empty_value.output, "override 'optimizer.lr=': optimizer.lr: no value after '='"));
  const auto no_folder = run_exp("run " + kSynthetic + " --runs-dir ''");
  BOOST_TEST(no_folder.status == 2);
  BOOST_TEST(contains(no_folder.output,
                      "--runs-dir: expected a folder for the runs, found an empty path"));
  BOOST_TEST(!fs::exists(fs::path("synthetic")));  // nothing written into the current folder
  BOOST_TEST(is_empty_folder(runs));

  // A FIFO where the data should be: refused, not waited on.
  const auto data = dir / "fifo-mnist";
  fs::create_directories(data);
  for (const std::string file : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                 "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
    BOOST_TEST_REQUIRE(::mkfifo((data / file).c_str(), 0600) == 0);
  }
  const auto fifo_data = validate("configs/mnist.yaml dataset.path=" + quoted(data));
  BOOST_TEST(fifo_data.status != 124);
  BOOST_TEST(fifo_data.status != 0);
  BOOST_TEST(contains(fifo_data.output, "is not a regular file; IDX data must be a file"));
  fs::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(version_says_what_a_bug_report_needs) {
  const auto version = run_exp("--version");
  BOOST_TEST(version.status == 0);
  BOOST_TEST(std::regex_search(version.output, std::regex(R"(^exp \d+\.\d+\.\d+\n)")), version.output);
  BOOST_TEST(std::regex_search(version.output, std::regex(R"(commit ([0-9a-f]{40}|unknown))")),
             version.output);
  BOOST_TEST(contains(version.output, "exp plugin API "));
  BOOST_TEST(std::regex_search(version.output,
                               std::regex(R"(vector instructions on this CPU: (AVX-512|AVX2 \+ FMA|baseline))")),
             version.output);
}
