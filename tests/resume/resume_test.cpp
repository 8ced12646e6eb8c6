// Stopping a real `exp run` with SIGINT or SIGTERM and continuing it with
// `exp resume`: the run ends bit-identical to one that was never stopped, with
// stateless (sgd) and stateful (adam) optimizers and both batch samplers.
#define BOOST_TEST_MODULE exp resume
#include <fstream>
#include <map>

#include "resume_support.hpp"

namespace fs = std::filesystem;
using xp::test::ChildRun;
using xp::test::summary_of;

namespace {

// Thousands of cheap steps, evaluated every epoch (9 steps): a second or two of
// training, so a signal lands mid-run, with many epochs.csv rows to compare.
const std::vector<std::string> kSgd = {"configs/synthetic.yaml", "train.iterations=2400"};
// Adam keeps moments and a step count; shuffle keeps a permutation and a position.
const std::vector<std::string> kAdamShuffled = {"configs/synthetic.yaml", "train.iterations=2400",
                                                "optimizer.name=adam", "optimizer.lr=0.01",
                                                "train.sampling=shuffle"};

std::string joined(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words) line += (line.empty() ? "" : " ") + word;
  return line;
}

// The uninterrupted run of a config, made once per config for all test cases.
fs::path reference_run(const std::vector<std::string>& config) {
  static std::map<std::string, fs::path> made;
  const std::string key = joined(config);
  if (!made.count(key)) {
    const auto run = xp::test::run_experiment(xp::test::fresh_directory("exp-reference"), key);
    BOOST_TEST_REQUIRE(run.status == 0, run.output);
    made[key] = run.dir;
  }
  return made[key];
}

// MNIST with the config's relative data path (data/mnist): the resolved config
// records it absolute, so the run resumes from any directory.
const std::vector<std::string> kMnist = {"configs/mnist.yaml", "train.iterations=2400",
                                         "train.threads=1"};

// Starts the config, stops it with `signal` once it has written `rows` metric rows,
// resumes it (from working_directory when given), and checks it against the
// uninterrupted run.
void stop_resume_and_compare(const std::vector<std::string>& config, int signal, std::size_t rows,
                             const std::string& resume_options = "",
                             const fs::path& working_directory = {}) {
  const auto runs = xp::test::fresh_directory("exp-resume");
  ChildRun child(runs, config);
  const fs::path dir = child.dir();
  child.wait_until([&] { return child.metric_rows() >= rows; }, "metric rows");
  BOOST_TEST_REQUIRE(child.stop(signal) == 130, child.output());

  const auto stopped = summary_of(dir);
  BOOST_TEST(stopped.get<std::string>("status") == "interrupted");
  const auto steps = stopped.get<std::size_t>("steps");
  BOOST_TEST(steps >= rows);
  BOOST_TEST(steps < 2400u);
  BOOST_TEST(fs::exists(dir / "checkpoint.bin"));
  BOOST_TEST(xp::test::lines_of(dir / "metrics.csv").size() == steps + 1);
  BOOST_TEST(child.output().find("after step " + std::to_string(steps) + ";") != std::string::npos,
             child.output());
  BOOST_TEST(child.output().find("exp resume") != std::string::npos, child.output());

  const auto resumed =
      working_directory.empty()
          ? xp::test::run_exp("resume '" + dir.string() + "' " + resume_options)
          : xp::test::run_command("cd '" + working_directory.string() + "' && '" + EXP_TEST_BINARY +
                                  "' resume '" + dir.string() + "' " + resume_options);
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output.find("resuming after step " + std::to_string(steps)) != std::string::npos,
             resumed.output);
  const auto summary = summary_of(dir);
  BOOST_TEST(summary.get<std::string>("status") == "completed");
  BOOST_TEST(summary.get<std::size_t>("steps") == 2400u);
  BOOST_TEST(summary.get_child("resumed").size() == 1u);
  BOOST_TEST(summary.get_child("resumed").front().second.get<std::size_t>("at_step") == steps);
  BOOST_TEST(summary.get<std::string>("started") == stopped.get<std::string>("started"));
  BOOST_TEST(!fs::exists(dir / "checkpoint.bin"));
  BOOST_TEST(summary.get<int>("threads") == (resume_options.empty() ? 1 : 2));

  const fs::path reference = reference_run(config);
  xp::test::check_same_results(dir, reference);
  const auto expected = summary_of(reference);
  for (const char* metric :
       {"final_loss", "final_train_accuracy", "final_test_accuracy", "best_test_accuracy"}) {
    BOOST_TEST(summary.get<std::string>(metric) == expected.get<std::string>(metric), metric);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigint_then_resume_ends_bit_identical_to_an_uninterrupted_run,
                     *boost::unit_test::label("fault_killed")) {
  stop_resume_and_compare(kSgd, SIGINT, 100);
}

// Resumed on two threads where it began on one: the results do not depend on it.
BOOST_AUTO_TEST_CASE(sigterm_then_resume_on_two_threads_ends_bit_identical,
                     *boost::unit_test::label("fault_killed")) {
  stop_resume_and_compare(kSgd, SIGTERM, 800, "--threads 2");
}

BOOST_AUTO_TEST_CASE(a_run_with_a_relative_data_path_resumes_from_another_directory,
                     *boost::unit_test::label("fault_killed")) {
  const fs::path elsewhere = xp::test::fresh_directory("exp-elsewhere");
  stop_resume_and_compare(kMnist, SIGINT, 300, "", elsewhere);
  fs::remove_all(elsewhere);
}

BOOST_AUTO_TEST_CASE(adam_moments_and_the_shuffled_batch_order_survive_a_resume,
                     *boost::unit_test::label("fault_killed")) {
  stop_resume_and_compare(kAdamShuffled, SIGINT, 500);
}

// Every gradient estimator draws from a stream of the seed and the step, so a
// resumed run draws what the uninterrupted one drew; its measured quality and its
// counted evaluations continue too.
BOOST_AUTO_TEST_CASE(every_gradient_estimator_resumes_bit_identical,
                     *boost::unit_test::label("fault_killed")) {
  const std::vector<std::vector<std::string>> estimators = {
      {"gradient.name=spsa", "gradient.q=2", "gradient.gamma=0.101"},
      {"gradient.name=random_direction", "gradient.sided=one"},
      {"gradient.name=forward_gradient"},
      {"gradient.name=richardson"}};
  for (const auto& gradient : estimators) {
    BOOST_TEST_CONTEXT(joined(gradient)) {
      std::vector<std::string> config = {"configs/synthetic.yaml", "train.iterations=2400",
                                         "optimizer.lr=0.1", "train.gradient_quality_every=50"};
      config.insert(config.end(), gradient.begin(), gradient.end());
      stop_resume_and_compare(config, SIGINT, 300);
    }
  }
}

// A gradient method's state (here a running sum and count) goes into the checkpoint.
BOOST_AUTO_TEST_CASE(a_gradient_method_keeps_its_state_across_a_resume,
                     *boost::unit_test::label("fault_killed")) {
  ::setenv("EXP_PLUGIN_PATH", EXP_RESUME_TEST_PLUGIN_DIR, 1);
  stop_resume_and_compare({"configs/synthetic.yaml", "train.iterations=2400", "optimizer.lr=0.1",
                           "gradient.name=averaged_backprop"},
                          SIGINT, 300);
  ::unsetenv("EXP_PLUGIN_PATH");
}

BOOST_AUTO_TEST_CASE(a_run_stopped_twice_resumes_twice_and_still_ends_identical,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-resume");
  ChildRun child(runs, kSgd);
  const fs::path dir = child.dir();
  child.wait_until([&] { return child.metric_rows() >= 100; }, "metric rows");
  BOOST_TEST_REQUIRE(child.stop(SIGINT) == 130, child.output());
  // The resumed run is itself stopped: resume it from its own checkpoint.
  const std::string resume = "'" + std::string(EXP_TEST_BINARY) + "' resume '" + dir.string() +
                             "' >/dev/null 2>&1 & pid=$!; while kill -0 $pid && [ $(wc -l < '" +
                             (dir / "metrics.csv").string() +
                             "') -lt 1600 ]; do sleep 0.005; done; kill -INT $pid; wait $pid";
  const auto second = xp::test::run_command(resume);
  BOOST_TEST_REQUIRE(second.status == 130, second.output);
  BOOST_TEST(summary_of(dir).get<std::string>("status") == "interrupted");
  const auto third = xp::test::run_exp("resume '" + dir.string() + "'");
  BOOST_TEST_REQUIRE(third.status == 0, third.output);
  BOOST_TEST(summary_of(dir).get_child("resumed").size() == 2u);
  xp::test::check_same_results(dir, reference_run(kSgd));
}

BOOST_AUTO_TEST_CASE(a_run_resumes_with_the_plugins_it_started_with_and_names_a_changed_one,
                     *boost::unit_test::label("fault_checkpoint")) {
  // The sgd optimizer from a folder of its own, given through EXP_PLUGIN_PATH only.
  const fs::path folder = xp::test::fresh_directory("exp-own-plugins");
  const fs::path plugin = folder / "exp_optimizer_sgd.so";
  fs::copy_file(fs::path(EXP_TEST_PLUGIN_DIR) / "exp_optimizer_sgd.so", plugin);
  const auto runs = xp::test::fresh_directory("exp-resume");
  ::setenv("EXP_PLUGIN_PATH", folder.c_str(), 1);
  ChildRun child(runs, kSgd);
  ::unsetenv("EXP_PLUGIN_PATH");
  const fs::path dir = child.dir();
  child.wait_until([&] { return child.metric_rows() >= 300; }, "metric rows");
  BOOST_TEST_REQUIRE(child.stop(SIGINT) == 130, child.output());
  BOOST_TEST(xp::test::read_file(dir / "config.yaml").find(folder.string()) != std::string::npos);

  // Rebuilt in place: other bytes (trailing bytes do not stop it loading), same version.
  std::ofstream(plugin, std::ios::binary | std::ios::app) << '\0';
  const auto resumed = xp::test::run_exp("resume '" + dir.string() + "'");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output.find("warning: plugin changed since the run started: optimizer sgd: " +
                                 plugin.string() + " has SHA-256") != std::string::npos,
             resumed.output);
  const auto summary = summary_of(dir);
  BOOST_TEST(summary.get_child("plugins_changed").size() == 1u);
  for (const auto& [key, record] : summary.get_child("plugins")) {
    if (record.get<std::string>("kind") == "optimizer") {
      BOOST_TEST(record.get<std::string>("file") == plugin.string());
    }
  }
  fs::remove_all(folder);
}

BOOST_AUTO_TEST_CASE(resume_quiet_prints_the_run_directory_alone) {
  const auto runs = xp::test::fresh_directory("exp-resume-quiet");
  ChildRun child(runs, kSgd);
  const fs::path dir = child.dir();
  child.wait_until([&] { return child.metric_rows() >= 5; }, "metric rows");
  BOOST_TEST_REQUIRE(child.stop(SIGINT) == 130, child.output());
  const auto resumed = xp::test::run_exp("resume '" + dir.string() + "' --quiet");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output == dir.string() + "\n");
  BOOST_TEST(summary_of(dir).get<std::string>("status") == "completed");
}
