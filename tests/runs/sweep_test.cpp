// exp sweep on real short runs: one run directory per combination with that
// combination's config, sweep.yaml, --resume re-running only what did not complete,
// a mistake anywhere in the grid refused before anything is created, SIGINT, and an
// interrupted run continued from its checkpoint.
#define BOOST_TEST_MODULE exp sweep
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::run_command;
using xp::test::only_sweep_folder;
using xp::test::run_exp;

namespace {

// model.hidden=[10],[4,4] is two values: a list, and a list holding a comma.
const std::string kGrid =
    "configs/synthetic.yaml optimizer.lr=1,0.1 'model.hidden=[10],[4,4]' train.iterations=40";

std::string hidden_text(const YAML::Node& hidden) {
  std::string text = "[";
  for (std::size_t i = 0; i < hidden.size(); ++i)
    text += (i ? "," : "") + hidden[i].as<std::string>();
  return text + "]";
}

// "optimizer.lr=1 model.hidden=[10]" as the run's own config.yaml says.
std::string combination_in_config(const fs::path& run) {
  const YAML::Node config = YAML::LoadFile((run / "config.yaml").string());
  BOOST_TEST(config["train"]["iterations"].as<int>() == 40);
  return "optimizer.lr=" + config["optimizer"]["lr"].as<std::string>() +
         " model.hidden=" + hidden_text(config["model"]["hidden"]);
}

std::size_t run_folders(const fs::path& sweep) {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(sweep / "synthetic"))
    count += entry.is_directory();
  return count;
}

// Starts `exp sweep configs/synthetic.yaml ARGUMENTS --runs-dir RUNS` in the
// background, waits (at most 30 s) until the shell condition `ready` holds, sends it
// SIG`signal` and requires it to end with exit status `expected`; `timeout` bounds
// a failure.
void signal_sweep(const fs::path& runs, const std::string& arguments, const std::string& ready,
                  const std::string& signal, int expected) {
  const fs::path script = runs / "signal.sh";
  std::ofstream(script) << "cd '" << EXP_TEST_SOURCE_DIR << "'\n'" << EXP_TEST_BINARY
                        << "' sweep configs/synthetic.yaml " << arguments << " --runs-dir '"
                        << runs.string() << "' > '" << (runs / "console.txt").string()
                        << "' 2>&1 &\nsweep=$!\nfor i in $(seq 600); do\n  " << ready
                        << " && break\n  sleep 0.05\ndone\nkill -" << signal
                        << " $sweep\ntimeout 60 tail --pid=$sweep -f /dev/null || "
                           "kill -KILL $sweep\nwait $sweep\necho exit=$?\n";
  const auto result = run_command("bash '" + script.string() + "'");
  BOOST_TEST_REQUIRE(result.output.find("exit=" + std::to_string(expected)) != std::string::npos,
                     result.output << xp::test::read_file(runs / "console.txt"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_two_by_two_grid_makes_four_runs_and_resume_reruns_only_the_incomplete,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-sweep");
  const auto swept = run_exp("sweep " + kGrid + " --jobs 2 --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(swept.status == 0, swept.output);
  const fs::path sweep = only_sweep_folder(runs);
  BOOST_TEST(sweep.filename().string().rfind("synthetic-", 0) == 0u);
  for (int n = 1; n <= 4; ++n) {
    BOOST_TEST(swept.output.find("[" + std::to_string(n) + "/4] completed") != std::string::npos,
               swept.output);
  }
  // Ends with the comparison of the four runs: the two swept keys are its columns.
  BOOST_TEST(std::regex_search(swept.output,
                               std::regex(R"(\nrun +model\.hidden +optimizer\.lr +status)")));

  YAML::Node file = YAML::LoadFile((sweep / "sweep.yaml").string());
  BOOST_TEST(file["grid"]["optimizer.lr"].size() == 2u);
  BOOST_TEST(file["grid"]["model.hidden"][1].as<std::string>() == "[4,4]");
  BOOST_TEST_REQUIRE(file["combinations"].size() == 4u);
  const std::set<std::string> expected = {
      "optimizer.lr=1 model.hidden=[10]", "optimizer.lr=1 model.hidden=[4,4]",
      "optimizer.lr=0.1 model.hidden=[10]", "optimizer.lr=0.1 model.hidden=[4,4]"};
  std::set<std::string> found;
  std::vector<std::string> run_of;
  for (const auto& combination : file["combinations"]) {
    BOOST_TEST(combination["status"].as<std::string>() == "completed");
    const fs::path run = sweep / combination["run"].as<std::string>();
    BOOST_TEST_REQUIRE(fs::is_regular_file(run / "summary.json"), run.string());
    const std::string in_config = combination_in_config(run);
    const auto overrides = combination["overrides"];
    BOOST_TEST(in_config == overrides[0].as<std::string>() + " " + overrides[1].as<std::string>());
    found.insert(in_config);
    run_of.push_back(combination["run"].as<std::string>());
  }
  BOOST_TEST((found == expected));
  BOOST_TEST(run_folders(sweep) == 4u);

  // One run lost, one stopped part-way: only those two run again.
  fs::remove_all(sweep / run_of[1]);
  const fs::path stopped = sweep / run_of[2];
  std::string summary = xp::test::read_file(stopped / "summary.json");
  summary = std::regex_replace(summary, std::regex(R"("status": "completed")"),
                               R"("status": "interrupted")");
  std::ofstream(stopped / "summary.json", std::ios::trunc) << summary;

  const auto resumed = run_exp("sweep --resume '" + sweep.string() + "' --jobs 2");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output.find("2 of 4 combinations to run") != std::string::npos,
             resumed.output);
  file = YAML::LoadFile((sweep / "sweep.yaml").string());
  for (std::size_t c = 0; c < 4; ++c) {
    const auto combination = file["combinations"][c];
    BOOST_TEST(combination["status"].as<std::string>() == "completed");
    const std::string run = combination["run"].as<std::string>();
    const bool rerun = c == 1 || c == 2;
    BOOST_TEST((run != run_of[c]) == rerun, "combination " << c);
    BOOST_TEST(fs::is_regular_file(sweep / run / "config.yaml"));
  }
  // The interrupted run is kept and named; the lost one is gone.
  BOOST_TEST(file["combinations"][2]["earlier_runs"][0].as<std::string>() == run_of[2]);
  BOOST_TEST(run_folders(sweep) == 5u);
  // compare of the sweep folder shows its four combinations, not the replaced run.
  const auto compared = run_exp("compare --csv '" + sweep.string() + "'");
  BOOST_TEST(compared.status == 0);
  BOOST_TEST(std::count(compared.output.begin(), compared.output.end(), '\n') == 5);
  BOOST_TEST(compared.output.find("interrupted") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_mistake_anywhere_in_the_grid_exits_2_and_creates_nothing,
                     *boost::unit_test::label("fault_config")) {
  const auto runs = xp::test::fresh_directory("exp-sweep") / "runs";
  for (const char* grid :
       {"optimizer.lrr=1,0.1", "optimizer.lr=1,fast", "optimizer.lr=1,0.1 model.hidden=[10],[0]",
        "optimizer.lr=1,,2", "train.iterations=5"}) {
    const auto result = run_exp("sweep configs/synthetic.yaml '" + std::string(grid) +
                                "' --runs-dir '" + runs.string() + "'");
    BOOST_TEST(result.status == 2, grid << ": " << result.output);
    BOOST_TEST(!fs::exists(runs), grid);
  }
  BOOST_TEST(run_exp("sweep configs/synthetic.yaml optimizer.lr=1,0.1 --jobs 0").status == 2);
  BOOST_TEST(run_exp("sweep --resume '" + runs.string() + "'").status == 2);
}

BOOST_AUTO_TEST_CASE(sigint_stops_launching_marks_the_running_run_interrupted_and_exits_130,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-sweep");
  // The signal comes as soon as the first run has its run directory (so its handler
  // is installed), long before its 1000 steps.
  signal_sweep(runs, "optimizer.lr=1,0.1 train.iterations=1000",
               "grep -qs 'run directory' '" + runs.string() + "'/sweeps/*/output/1.txt", "INT",
               130);
  const fs::path sweep = only_sweep_folder(runs);
  const YAML::Node file = YAML::LoadFile((sweep / "sweep.yaml").string());
  BOOST_TEST(file["combinations"][0]["status"].as<std::string>() == "interrupted");
  BOOST_TEST(file["combinations"][1]["status"].as<std::string>() == "pending");
  const std::string interrupted = file["combinations"][0]["run"].as<std::string>();
  const fs::path run = sweep / interrupted;
  BOOST_TEST(xp::test::read_file(run / "summary.json").find("\"interrupted\"") !=
             std::string::npos);
  BOOST_TEST(fs::exists(run / "checkpoint.bin"));
  BOOST_TEST(run_folders(sweep) == 1u);
  // It says how to go on, as exp run does.
  const std::string console = xp::test::read_file(runs / "console.txt");
  BOOST_TEST(console.find("interrupted; continue with\n  exp sweep --resume " + sweep.string()) !=
                 std::string::npos,
             console);

  // --resume continues the interrupted run from its checkpoint, in its own directory,
  // and runs the combination that never started.
  const auto resumed = run_exp("sweep --resume '" + sweep.string() + "' --jobs 2");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output.find("2 of 2 combinations to run") != std::string::npos);
  const YAML::Node after = YAML::LoadFile((sweep / "sweep.yaml").string());
  BOOST_TEST(after["combinations"][0]["run"].as<std::string>() == interrupted);
  BOOST_TEST(!after["combinations"][0]["earlier_runs"]);
  for (const auto& combination : after["combinations"])
    BOOST_TEST(combination["status"].as<std::string>() == "completed");
  const std::string summary = xp::test::read_file(run / "summary.json");
  BOOST_TEST(summary.find("\"steps\": 1000,") != std::string::npos, summary);
  BOOST_TEST(summary.find("\"resumed\": []") == std::string::npos, summary);
  BOOST_TEST(run_folders(sweep) == 2u);
}

BOOST_AUTO_TEST_CASE(killing_the_sweep_stops_its_runs_and_resume_continues_them,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-sweep");
  // SIGKILL (which the sweep cannot catch or pass on) once both running combinations
  // are named in sweep.yaml.
  signal_sweep(
      runs, "optimizer.lr=1,0.5,0.2,0.1 train.iterations=4000 --jobs 2",
      "[ $(grep -cs 'run: synthetic/' '" + runs.string() + "'/sweeps/*/sweep.yaml) -ge 2 ]", "KILL",
      137);
  const fs::path sweep = only_sweep_folder(runs);
  // Its runs die with it (SIGTERM: they stop at the end of a step, with a checkpoint).
  const auto orphans = [&] {
    // "[-]-runs-dir": the pattern must not match the shell that runs pgrep.
    return run_command("pgrep -f -- '[-]-runs-dir " + fs::absolute(sweep).string() + "'").status ==
           0;
  };
  for (int wait = 0; wait < 200 && orphans(); ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  BOOST_TEST(!orphans());
  const YAML::Node file = YAML::LoadFile((sweep / "sweep.yaml").string());
  std::vector<std::string> named;
  for (const auto& combination : file["combinations"]) {
    const std::string run = combination["run"].as<std::string>();
    if (run.empty()) continue;
    named.push_back(run);
    BOOST_TEST(fs::exists(sweep / run / "checkpoint.bin"), run);
    BOOST_TEST(xp::test::read_file(sweep / run / "summary.json").find("\"interrupted\"") !=
                   std::string::npos,
               run);
  }
  BOOST_TEST(named.size() == 2u);
  BOOST_TEST(run_folders(sweep) == 2u);  // every run folder is known to sweep.yaml

  // --resume continues the two stopped runs in their own folders and runs the others.
  const auto resumed = run_exp("sweep --resume '" + sweep.string() + "' --jobs 2");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  const YAML::Node after = YAML::LoadFile((sweep / "sweep.yaml").string());
  for (const auto& combination : after["combinations"]) {
    BOOST_TEST(combination["status"].as<std::string>() == "completed");
    BOOST_TEST(!combination["earlier_runs"]);
  }
  for (const auto& run : named) {
    BOOST_TEST(xp::test::read_file(sweep / run / "summary.json").find("\"resumed\": []") ==
                   std::string::npos,
               run);
  }
  BOOST_TEST(run_folders(sweep) == 4u);
}

BOOST_AUTO_TEST_CASE(a_combination_that_does_not_complete_makes_the_sweep_exit_1,
                     *boost::unit_test::label("fault_diverged")) {
  // x <- x - lr * 2x: lr 0.1 shrinks x, lr 1e10 multiplies it by -(2e10 - 1) per step.
  const auto dir = xp::test::fresh_directory("exp-sweep");
  std::ofstream(dir / "gd.yaml")
      << "experiment: diverge\ndataset: {name: none}\nmodel: {name: polynomial}\n"
         "loss: {name: identity}\ngradient: {name: backprop}\noptimizer: {name: sgd, lr: 0.1}\n"
         "train: {iterations: 100, batch_size: 1}\n";
  const auto swept = run_exp("sweep '" + (dir / "gd.yaml").string() +
                             "' optimizer.lr=0.1,1e10 --runs-dir '" + dir.string() + "'");
  BOOST_TEST(swept.status == 1, swept.output);
  BOOST_TEST(
      std::regex_search(swept.output, std::regex(R"(\[1/2\] completed +optimizer\.lr=0\.1)")));
  BOOST_TEST(
      std::regex_search(swept.output, std::regex(R"(\[2/2\] diverged +optimizer\.lr=1e10)")));
  const YAML::Node file = YAML::LoadFile((only_sweep_folder(dir) / "sweep.yaml").string());
  BOOST_TEST(file["combinations"][0]["status"].as<std::string>() == "completed");
  BOOST_TEST(file["combinations"][1]["status"].as<std::string>() == "diverged");
}

// While runs go, the sweep shows a line per running combination: its number in grid
// order, its overrides and its run's last progress line (plain lines here, not a
// terminal: when they change, at most every 5 s).
BOOST_AUTO_TEST_CASE(a_sweep_shows_each_running_combinations_progress) {
  const auto runs = xp::test::fresh_directory("exp-sweep-progress");
  const auto swept = run_exp("sweep configs/synthetic.yaml optimizer.lr=1,0.1 "
                             "train.iterations=100000 train.evaluate_every=never --jobs 2 "
                             "--runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(swept.status == 0, swept.output);
  BOOST_TEST(std::regex_search(swept.output, std::regex(R"(\n\[1/2\] running  optimizer\.lr=1  starting\n)")),
             swept.output);
  BOOST_TEST(std::regex_search(swept.output,
                               std::regex(R"(\n\[2/2\] running  optimizer\.lr=0\.1  step \d+/100000  loss )")),
             swept.output);
  BOOST_TEST(swept.output.find("\x1b[") == std::string::npos);  // no redraws off a terminal
}
