// `exp run` end to end through the real binary and real plugins: the run directory
// and every file in it, determinism, divergence, interruption and `exp compare`.
#define BOOST_TEST_MODULE exp run
#include <yaml-cpp/yaml.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "exp/npy.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace pt = boost::property_tree;
using xp::test::read_file;
using xp::test::lines_of;
using xp::test::run_exp;

namespace {

// Few steps keep this executable fast; the synthetic blobs are learnt by then.
const std::string kSynthetic = "configs/synthetic.yaml train.iterations=150";

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("output:\n" << text << "\ndoes not contain '" << part << "'");
  return false;
}

using xp::test::Run;

Run run_in(const fs::path& runs, const std::string& arguments) {
  return xp::test::run_experiment(runs, arguments);
}

pt::ptree summary_of(const Run& run) {
  pt::ptree tree;
  pt::read_json((run.dir / "summary.json").string(), tree);
  return tree;
}

// Column `column` of a CSV file, header excluded.
std::vector<std::string> column_of(const fs::path& file, std::size_t column) {
  std::vector<std::string> values;
  const auto lines = lines_of(file);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::stringstream cells(lines[i]);
    std::string cell;
    for (std::size_t c = 0; c <= column; ++c) std::getline(cells, cell, ',');
    values.push_back(cell);
  }
  return values;
}

}  // namespace

BOOST_AUTO_TEST_CASE(synthetic_run_learns_and_leaves_a_complete_run_directory) {
  const auto runs = xp::test::fresh_directory("exp-run");
  const Run run = run_in(runs, kSynthetic + " optimizer.lr=1.0");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  BOOST_TEST(contains(run.output, "train acc, test acc | "));
  // runs/<experiment>/<UTC time>-<6 hex>/
  BOOST_TEST(run.dir.parent_path() == runs / "synthetic");
  BOOST_TEST(
      std::regex_match(run.dir.filename().string(), std::regex(R"(\d{8}T\d{6}Z-[0-9a-f]{6})")));

  const pt::ptree summary = summary_of(run);
  BOOST_TEST(summary.get<std::string>("status") == "completed");
  BOOST_TEST(summary.get<int>("steps") == 150);
  BOOST_TEST(summary.get<double>("final_test_accuracy") >= 0.9);
  BOOST_TEST(summary.get<double>("final_train_accuracy") >= 0.9);
  BOOST_TEST(summary.get<double>("best_test_accuracy") >=
             summary.get<double>("final_test_accuracy"));
  BOOST_TEST(summary.get<double>("final_loss") > 0.0);
  BOOST_TEST(summary.get<double>("wall_seconds") > 0.0);
  BOOST_TEST(summary.get<double>("steps_per_second") > 0.0);
  BOOST_TEST(summary.get<int>("seed") == 42);
  BOOST_TEST(summary.get<int>("threads") == 1);
  BOOST_TEST(!summary.get<std::string>("host").empty());
  BOOST_TEST(!summary.get<std::string>("git_commit").empty());
  BOOST_TEST(summary.get_child("plugins").size() == 5u);
  // Numbers are JSON numbers, not strings.
  const std::string json = read_file(run.dir / "summary.json");
  BOOST_TEST(std::regex_search(json, std::regex(R"("steps": 150,)")));
  BOOST_TEST(std::regex_search(json, std::regex(R"("final_test_accuracy": [0-9.e-]+,)")));

  // metrics.csv: one row per step; epochs.csv: one row per evaluation.
  const auto metrics = lines_of(run.dir / "metrics.csv");
  BOOST_TEST(metrics.front() == "step,epoch,loss,seconds,evaluations");
  BOOST_TEST(metrics.size() == 151u);
  // Steps counted as taken, 1 to 150, as the console and summary.json count them.
  BOOST_TEST(metrics[1].starts_with("1,0,"));
  BOOST_TEST(metrics.back().starts_with("150,"));
  // Central differences on 2-10-3 (63 parameters): two loss evaluations each, from
  // the fast path, which runs no full forward pass.
  BOOST_TEST(metrics[1].ends_with(",126"));
  BOOST_TEST(metrics.back().ends_with("," + std::to_string(150 * 126)));
  BOOST_TEST(summary.get<int>("loss_evaluations") == 150 * 126);
  BOOST_TEST(summary.get<double>("evaluations_per_step") == 126.0);
  BOOST_TEST(summary.get<int>("forward_passes") == 0);
  BOOST_TEST(summary.get<int>("derivative_passes") == 0);
  BOOST_TEST(summary.get<int>("gradient_quality_measurements") == 0);
  BOOST_TEST(!fs::exists(run.dir / "gradient_quality.csv"));
  const auto epochs = lines_of(run.dir / "epochs.csv");
  BOOST_TEST(epochs.front() == "epoch,step,train_loss,train_accuracy,test_accuracy");
  BOOST_TEST(epochs.size() >= 3u);
  BOOST_TEST(epochs[1].starts_with("0,1,"));

  // config.yaml is the resolved config; overrides.yaml what was given; command.txt how.
  const YAML::Node config = YAML::LoadFile((run.dir / "config.yaml").string());
  BOOST_TEST(config["train"]["iterations"].as<int>() == 150);
  BOOST_TEST(config["gradient"]["h"].as<double>() == 1e-4);
  BOOST_TEST(config["train"]["seed"].as<int>() == 42);
  const YAML::Node overrides = YAML::LoadFile((run.dir / "overrides.yaml").string());
  BOOST_TEST(overrides["train.iterations"].as<int>() == 150);
  BOOST_TEST(overrides["optimizer.lr"].as<double>() == 1.0);
  BOOST_TEST(contains(read_file(run.dir / "command.txt"),
                      " run configs/synthetic.yaml train.iterations=150"));
  BOOST_TEST(read_file(run.dir / "log.txt") == run.output);

  // params/: one .npy per tensor, shaped as the tensor.
  const auto W1 = xp::read_npy(run.dir / "params" / "W1.npy");
  BOOST_TEST(W1.shape == (std::vector<std::size_t>{2, 10}));
  const auto b1 = xp::read_npy(run.dir / "params" / "b1.npy");
  BOOST_TEST(b1.shape == (std::vector<std::size_t>{10}));
  const std::string header = read_file(run.dir / "params" / "b1.npy").substr(0, 128);
  BOOST_TEST(header.starts_with("\x93NUMPY\x01\x00"));
  BOOST_TEST(contains(header, "{'descr': '<f8', 'fortran_order': False, 'shape': (10,), }"));
  BOOST_TEST((header.find('\n') + 1) % 64 == 0u);
}

BOOST_AUTO_TEST_CASE(the_resolved_config_runs_again_to_the_same_numbers) {
  const auto runs = xp::test::fresh_directory("exp-run");
  const Run first = run_in(runs, kSynthetic);
  BOOST_TEST_REQUIRE(first.status == 0, first.output);
  const Run second = run_in(runs, "'" + (first.dir / "config.yaml").string() + "' --threads 2");
  BOOST_TEST_REQUIRE(second.status == 0, second.output);
  BOOST_TEST(first.dir != second.dir);
  BOOST_TEST(summary_of(second).get<int>("threads") == 2);
  // Bit-identical losses and accuracies, whatever the threads.
  BOOST_TEST(column_of(first.dir / "metrics.csv", 2) == column_of(second.dir / "metrics.csv", 2));
  BOOST_TEST(read_file(first.dir / "epochs.csv") == read_file(second.dir / "epochs.csv"));
  BOOST_TEST(read_file(first.dir / "params" / "W2.npy") ==
             read_file(second.dir / "params" / "W2.npy"));
}

BOOST_AUTO_TEST_CASE(two_runs_of_one_config_get_distinct_directories_and_identical_metrics) {
  const auto runs = xp::test::fresh_directory("exp-run");
  const Run first = run_in(runs, kSynthetic + " train.iterations=30");
  const Run second = run_in(runs, kSynthetic + " train.iterations=30");
  BOOST_TEST_REQUIRE(first.status == 0, first.output);
  BOOST_TEST_REQUIRE(second.status == 0, second.output);
  BOOST_TEST(first.dir != second.dir);
  BOOST_TEST(fs::exists(first.dir / "summary.json"));
  BOOST_TEST(column_of(first.dir / "metrics.csv", 2) == column_of(second.dir / "metrics.csv", 2));
  BOOST_TEST(read_file(first.dir / "epochs.csv") == read_file(second.dir / "epochs.csv"));
}

BOOST_AUTO_TEST_CASE(compare_shows_the_differing_keys_and_final_metrics) {
  const auto runs = xp::test::fresh_directory("exp-run");
  const Run slow = run_in(runs, kSynthetic + " train.iterations=20 optimizer.lr=0.1");
  const Run fast = run_in(runs, kSynthetic + " train.iterations=20 optimizer.lr=1.0");
  BOOST_TEST_REQUIRE(slow.status == 0, slow.output);
  BOOST_TEST_REQUIRE(fast.status == 0, fast.output);
  const auto compared = run_exp("compare '" + slow.dir.string() + "' '" + fast.dir.string() + "'");
  BOOST_TEST_REQUIRE(compared.status == 0, compared.output);
  // One row per run, the differing keys as columns (tests/runs tests the layout in full).
  BOOST_TEST(std::regex_search(compared.output, std::regex(R"(^run +optimizer\.lr +status)")));
  BOOST_TEST(std::regex_search(compared.output, std::regex(R"( 0\.1 +completed)")));
  BOOST_TEST(std::regex_search(compared.output, std::regex(R"( 1(\.0)? +completed)")));
  BOOST_TEST(compared.output.find("train.seed") == std::string::npos);
  BOOST_TEST(compared.output.find("dataset.kind") == std::string::npos);
  for (const char* metric :
       {"loss", "train_acc", "test_acc", "wall_s", "steps_per_s", "evals", "evals_per_step"}) {
    BOOST_TEST(contains(compared.output, metric));
  }
  const auto csv =
      run_exp("compare --csv '" + slow.dir.string() + "' '" + fast.dir.string() + "'");
  BOOST_TEST(contains(csv.output, summary_of(fast).get<std::string>("final_loss")));
  const auto one = run_exp("compare '" + slow.dir.string() + "'");
  BOOST_TEST(one.status == 2);
}

// train.gradient_quality_every: K measures the estimate against backprop at steps
// 0, K, 2K, ... without counting the reference as the method's cost.
BOOST_AUTO_TEST_CASE(gradient_quality_is_measured_every_k_steps_against_backprop) {
  const auto runs = xp::test::fresh_directory("exp-run");
  const std::string measured = kSynthetic + " train.iterations=100 train.gradient_quality_every=25";
  const Run central = run_in(runs, measured);
  BOOST_TEST_REQUIRE(central.status == 0, central.output);
  const auto rows = lines_of(central.dir / "gradient_quality.csv");
  BOOST_TEST(rows.front() == "step,cosine,relative_error,sign_agreement,estimate_norm,true_norm");
  BOOST_TEST(column_of(central.dir / "gradient_quality.csv", 0) ==
                 (std::vector<std::string>{"1", "26", "51", "76"}),
             boost::test_tools::per_element());
  // Central differences agree with backprop to about h^2 (the fast path is exact).
  for (const auto& cosine : column_of(central.dir / "gradient_quality.csv", 1)) {
    BOOST_TEST(std::stod(cosine) > 1.0 - 1e-12);
  }
  for (const auto& error : column_of(central.dir / "gradient_quality.csv", 2)) {
    BOOST_TEST(std::stod(error) < 1e-6);
  }
  const auto summary = summary_of(central);
  BOOST_TEST(summary.get<int>("gradient_quality_measurements") == 4);
  BOOST_TEST(summary.get<double>("mean_cosine") > 1.0 - 1e-12);
  BOOST_TEST(summary.get<int>("loss_evaluations") == 100 * 126);  // the reference is free
  BOOST_TEST(summary.get<int>("derivative_passes") == 0);

  // Backprop against itself: no error, every sign agrees; one evaluation a step.
  const Run backprop = run_in(runs, measured + " gradient.name=backprop");
  BOOST_TEST_REQUIRE(backprop.status == 0, backprop.output);
  for (const auto& error : column_of(backprop.dir / "gradient_quality.csv", 2)) {
    BOOST_TEST(std::stod(error) == 0.0);
  }
  for (const auto& agreement : column_of(backprop.dir / "gradient_quality.csv", 3)) {
    BOOST_TEST(std::stod(agreement) == 1.0);
  }
  BOOST_TEST(summary_of(backprop).get<int>("loss_evaluations") == 100);

  // Without a backprop gradient there is nothing to measure against: the run says so.
  const Run single = run_in(runs, measured + " model.precision=single");
  BOOST_TEST(single.status == 1);
  BOOST_TEST(contains(single.output, "train.gradient_quality_every: the model or the loss has no "
                                     "analytic gradient"));
  BOOST_TEST(contains(read_file(single.dir / "summary.json"), "\"failed\""));
}

// The estimators spread their directions or parameters over the threads; their runs
// do not depend on how many there are.
BOOST_AUTO_TEST_CASE(every_gradient_estimator_runs_bit_identical_on_one_and_two_threads) {
  const auto runs = xp::test::fresh_directory("exp-run");
  for (const std::string gradient :
       {"spsa gradient.q=5 gradient.gamma=0.101", "random_direction gradient.q=5",
        "random_direction gradient.q=3 gradient.sided=one gradient.directions=sphere",
        "forward_gradient gradient.q=5", "richardson"}) {
    BOOST_TEST_CONTEXT(gradient) {
      const std::string config = kSynthetic + " train.iterations=60 optimizer.lr=0.1 " +
                                 "train.gradient_quality_every=10 gradient.name=" + gradient;
      const Run one = run_in(runs, config + " train.threads=1");
      const Run two = run_in(runs, config + " train.threads=2");
      BOOST_TEST_REQUIRE(one.status == 0, one.output);
      BOOST_TEST_REQUIRE(two.status == 0, two.output);
      BOOST_TEST(column_of(one.dir / "metrics.csv", 2) == column_of(two.dir / "metrics.csv", 2),
                 boost::test_tools::per_element());
      BOOST_TEST(read_file(one.dir / "gradient_quality.csv") ==
                 read_file(two.dir / "gradient_quality.csv"));
      BOOST_TEST(read_file(one.dir / "params" / "W1.npy") ==
                 read_file(two.dir / "params" / "W1.npy"));
    }
  }
}

BOOST_AUTO_TEST_CASE(gradient_descent_listing_prints_its_final_parameters) {
  // The book's gradient_descent(function_2, [-3, 4], lr=0.1, step_num=100).
  const auto dir = xp::test::fresh_directory("exp-run");
  std::ofstream(dir / "gd.yaml")
      << "experiment: gradient_descent\ndataset: {name: none}\n"
         "model: {name: polynomial, coefficients: [0, 0, 1], start: [-3.0, 4.0]}\n"
         "loss: {name: identity}\ngradient: {name: central_difference, h: 1.0e-4}\n"
         "optimizer: {name: sgd, lr: 0.1}\ntrain: {iterations: 100, batch_size: 1}\n";
  const Run run = run_in(dir / "runs", "'" + (dir / "gd.yaml").string() + "'");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  BOOST_TEST(contains(run.output, "x: [-6.111107928998789e-10, 8.148143905314271e-10]"));
  const auto x = xp::read_npy(run.dir / "params" / "x.npy");
  BOOST_TEST(x.shape == (std::vector<std::size_t>{2}));
  BOOST_TEST(x.values[0] == -6.111107928998789e-10);
}

BOOST_AUTO_TEST_CASE(a_diverging_run_exits_3_and_keeps_what_it_has,
                     *boost::unit_test::label("fault_diverged")) {
  // x <- x - lr * 2x multiplies x by -(2e10 - 1) per step: infinite within 20 steps.
  // (The analytic gradient: a finite difference stalls once h is below x's last bit.)
  const auto dir = xp::test::fresh_directory("exp-run");
  std::ofstream(dir / "gd.yaml")
      << "experiment: diverge\ndataset: {name: none}\nmodel: {name: polynomial}\nloss: {name: "
         "identity}\n"
         "gradient: {name: backprop}\noptimizer: {name: sgd, lr: 1.0e10}\n"
         "train: {iterations: 100, batch_size: 1}\n";
  const Run run = run_in(dir / "runs", "'" + (dir / "gd.yaml").string() + "'");
  BOOST_TEST(run.status == 3);
  const pt::ptree summary = summary_of(run);
  BOOST_TEST(summary.get<std::string>("status") == "diverged");
  const int step = summary.get<int>("diverged_step");
  BOOST_TEST(step > 0);
  BOOST_TEST(step < 100);
  // Counted as steps are: the last step taken, the last row of metrics.csv.
  BOOST_TEST(summary.get<int>("steps") == step);
  BOOST_TEST(lines_of(run.dir / "metrics.csv").size() == std::size_t(step) + 1);
  BOOST_TEST(lines_of(run.dir / "metrics.csv").back().starts_with(std::to_string(step) + ","));
  BOOST_TEST(fs::exists(run.dir / "params" / "x.npy"));
}

BOOST_AUTO_TEST_CASE(sigint_stops_the_run_after_the_current_step_and_keeps_its_metrics,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-run");
  // Started in the background; SIGINT once summary.json (status running) exists.
  const std::string script = "'" + std::string(EXP_TEST_BINARY) + "' run " + kSynthetic +
                             " train.iterations=100000000 --runs-dir '" + runs.string() +
                             "' >/dev/null & pid=$!; "
                             "while [ -z \"$(ls '" +
                             runs.string() +
                             "'/synthetic/*/summary.json 2>/dev/null)\" ]; do sleep 0.05; done; "
                             "sleep 0.2; kill -INT $pid; wait $pid";
  const auto result = xp::test::run_command(
      "sh -c \"" + std::regex_replace(script, std::regex("[\"$`\\\\]"), "\\$&") + "\"");
  BOOST_TEST(result.status == 130);
  const auto dir = fs::directory_iterator(runs / "synthetic")->path();
  pt::ptree summary;
  pt::read_json((dir / "summary.json").string(), summary);
  BOOST_TEST(summary.get<std::string>("status") == "interrupted");
  const int steps = summary.get<int>("steps");
  BOOST_TEST(steps > 0);
  BOOST_TEST(lines_of(dir / "metrics.csv").size() == std::size_t(steps) + 1);
  BOOST_TEST(fs::exists(dir / "params" / "W1.npy"));
}

BOOST_AUTO_TEST_CASE(shuffled_epochs_cover_the_data_and_never_evaluating_leaves_accuracy_empty) {
  const auto runs = xp::test::fresh_directory("exp-run");
  // 480 training samples in batches of 50: 9 steps per epoch; null removes the file's iterations.
  const Run shuffled = run_in(
      runs, "configs/synthetic.yaml train.iterations=null train.epochs=3 train.sampling=shuffle");
  BOOST_TEST_REQUIRE(shuffled.status == 0, shuffled.output);
  BOOST_TEST(summary_of(shuffled).get<int>("steps") == 27);
  // The book's epochs 0, 1, 2 (after the first step of each), then the evaluation
  // after the last step: 3 epochs completed, its own label.
  BOOST_TEST(column_of(shuffled.dir / "epochs.csv", 0) ==
             (std::vector<std::string>{"0", "1", "2", "3"}));
  BOOST_TEST(column_of(shuffled.dir / "epochs.csv", 1) ==
             (std::vector<std::string>{"1", "10", "19", "27"}));
  const YAML::Node config = YAML::LoadFile((shuffled.dir / "config.yaml").string());
  BOOST_TEST(config["train"]["epochs"].as<int>() == 3);
  BOOST_TEST(!config["train"]["iterations"].IsDefined());

  const Run run =
      run_in(runs, "configs/synthetic.yaml train.iterations=12 train.evaluate_every=never");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  BOOST_TEST(lines_of(run.dir / "epochs.csv").size() == 1u);
  const std::string json = read_file(run.dir / "summary.json");
  BOOST_TEST(json.find("\"final_test_accuracy\": null") != std::string::npos);
}

// Reproducible from outside: the initial parameters a run starts from, and the first
// gradient with its batch, as .npy files NumPy reads.
BOOST_AUTO_TEST_CASE(initial_parameters_first_gradient_and_batch_are_saved_as_npy) {
  const auto runs = xp::test::fresh_directory("exp-save");
  const std::string config = "configs/synthetic.yaml train.iterations=20 train.batch_size=8";
  const Run run = xp::test::run_experiment(runs, config + " --save-initial");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  const fs::path saved = runs / "grad";
  const auto grad = run_exp("grad " + config + " --save '" + saved.string() + "'");
  BOOST_TEST_REQUIRE(grad.status == 0, grad.output);
  for (const char* tensor : {"W1", "b1", "W2", "b2"}) {
    const auto initial = xp::read_npy(run.dir / "params_initial" / (std::string(tensor) + ".npy"));
    const auto in_grad = xp::read_npy(saved / "params" / (std::string(tensor) + ".npy"));
    BOOST_TEST(initial.values == in_grad.values, tensor);
    BOOST_TEST(initial.shape == in_grad.shape, tensor);
    // Training moved them: params/ (final) differs from params_initial/.
    const auto final_values = xp::read_npy(run.dir / "params" / (std::string(tensor) + ".npy"));
    BOOST_TEST(final_values.values != initial.values, tensor);
  }
  // The gradient's every digit is what exp grad prints.
  const auto b2 = xp::read_npy(saved / "gradient" / "b2.npy");
  std::smatch printed;
  BOOST_TEST_REQUIRE(std::regex_search(grad.output, printed, std::regex(R"(b2: \[([^\]]*)\])")),
                     grad.output);
  std::stringstream cells(printed[1].str());
  std::vector<double> values;
  for (std::string cell; std::getline(cells, cell, ',');) values.push_back(std::stod(cell));
  BOOST_TEST(values == b2.values);
  const auto batch = xp::read_npy(saved / "batch.npy");
  BOOST_TEST(batch.shape == std::vector<std::size_t>{8});
  for (const double index : batch.values) BOOST_TEST((index >= 0 && index == std::floor(index)));
}
