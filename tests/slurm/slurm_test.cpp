// exp sweep --launcher slurm against a real Slurm: a one-node cluster on this machine
// (munged, slurmctld, slurmd started by local_slurm.sh for this program alone). The
// grid runs as one job array and gives the local sweep's results bit for bit; a task
// cancelled with scancel leaves `cancelled` and its checkpoint, and --resume submits
// that combination alone, which continues its run to the end.
#define BOOST_TEST_MODULE exp sweep on Slurm
#include <yaml-cpp/yaml.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::run_command;
using xp::test::only_sweep_folder;
using xp::test::run_exp;

namespace {

// The cluster for the whole program; a daemon that cannot start fails it with the
// daemons' logs.
struct LocalSlurm {
  LocalSlurm() : dir(xp::test::fresh_directory("exp-slurm")) {
    const auto started =
        run_command("bash '" + std::string(EXP_LOCAL_SLURM) + "' start '" + dir.string() + "'");
    if (started.status != 0)
      throw std::runtime_error("the test's Slurm did not start:\n" + started.output);
    setenv("SLURM_CONF", (dir / "slurm.conf").c_str(), 1);
  }
  ~LocalSlurm() {
    run_command("bash '" + std::string(EXP_LOCAL_SLURM) + "' stop '" + dir.string() + "'");
  }
  fs::path dir;
};
BOOST_TEST_GLOBAL_FIXTURE(LocalSlurm);

const std::string kGrid =
    "configs/synthetic.yaml optimizer.lr=1,0.1 'model.hidden=[10],[4,4]' train.iterations=40";

// Polls `done` every 200 ms for at most `seconds`.
bool eventually(const std::function<bool()>& done, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return done();
}

YAML::Node combination(const fs::path& sweep, std::size_t index) {
  return YAML::LoadFile((sweep / "sweep.yaml").string())["combinations"][index];
}

fs::path run_of(const fs::path& sweep, std::size_t index) {
  return sweep / combination(sweep, index)["run"].as<std::string>();
}

// A CSV file without its `seconds` column, which depends on the machine's speed.
std::string without_seconds(const fs::path& file) {
  std::ifstream stream(file);
  std::string text;
  int skipped = -1;
  for (std::string line; std::getline(stream, line);) {
    std::vector<std::string> cells;
    std::stringstream cells_of(line);
    for (std::string cell; std::getline(cells_of, cell, ',');) cells.push_back(cell);
    if (skipped < 0) {
      const auto found = std::find(cells.begin(), cells.end(), "seconds");
      skipped = found == cells.end() ? int(cells.size()) : int(found - cells.begin());
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (int(c) != skipped) text += cells[c] + ",";
    }
    text += "\n";
  }
  return text;
}

// What a run computed: its metrics, evaluations and final numbers, times left out.
std::string results_of(const fs::path& run) {
  std::string results = without_seconds(run / "metrics.csv") + without_seconds(run / "epochs.csv");
  const YAML::Node summary = YAML::LoadFile((run / "summary.json").string());
  for (const char* key : {"status", "steps", "final_loss", "final_train_accuracy",
                          "final_test_accuracy"})
    results += std::string(key) + "=" + summary[key].as<std::string>() + "\n";
  BOOST_TEST(results.size() > 200u, run.string() << " holds no results");
  return results;
}

std::string sweep_status(const fs::path& sweep) {
  return run_exp("sweep --status '" + sweep.string() + "'").output;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_job_array_gives_the_local_sweeps_results) {
  const auto runs = xp::test::fresh_directory("exp-slurm-sweep");
  const auto local = run_exp("sweep " + kGrid + " --jobs 2 --runs-dir '" + (runs / "local").string() + "'");
  BOOST_TEST_REQUIRE(local.status == 0, local.output);
  const auto submitted = run_exp("sweep " + kGrid + " --launcher slurm --max-parallel 2 --runs-dir '" +
                                 (runs / "slurm").string() + "'");
  BOOST_TEST_REQUIRE(submitted.status == 0, submitted.output);
  std::smatch job;
  BOOST_TEST_REQUIRE(std::regex_search(submitted.output, job,
                                       std::regex(R"(as Slurm job (\d+) \(array 0-3%2\))")),
                     submitted.output);
  BOOST_TEST(submitted.output.find("exp sweep --status ") != std::string::npos);

  const fs::path sweep = only_sweep_folder(runs / "slurm");
  const std::string script = xp::test::read_file(sweep / "sweep.sbatch");
  BOOST_TEST(script.find("#SBATCH --array=0-3%2\n") != std::string::npos, script);
  BOOST_TEST(script.find(" sweep --task \"$SLURM_ARRAY_TASK_ID\" ") != std::string::npos, script);
  BOOST_TEST_REQUIRE(eventually([&] { return run_exp("sweep --status '" + sweep.string() + "'").status == 0; }, 120),
                     sweep_status(sweep) << run_command("squeue; cat '" + sweep.string() +
                                                        "'/output/*").output);

  const fs::path local_sweep = only_sweep_folder(runs / "local");
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(combination(sweep, i)["status"].as<std::string>() == "completed");
    BOOST_TEST(combination(sweep, i)["job"].as<std::string>() == job[1].str() + "_" + std::to_string(i));
    BOOST_TEST(results_of(run_of(sweep, i)) == results_of(run_of(local_sweep, i)), "combination " << i);
  }
  const std::string status = sweep_status(sweep);
  BOOST_TEST(std::regex_search(status, std::regex(R"(\n *4 +completed +)" + job[1].str() +
                                                  R"(_3 +COMPLETED +optimizer\.lr=0\.1 model\.hidden=\[4,4\] +40/40 )")),
             status);
  BOOST_TEST(status.find("4 combinations: 4 completed") != std::string::npos, status);
  // compare reads the sweep folder as it does a local one.
  const auto compared = run_exp("compare --csv '" + sweep.string() + "'");
  BOOST_TEST(std::count(compared.output.begin(), compared.output.end(), '\n') == 5, compared.output);
}

BOOST_AUTO_TEST_CASE(a_cancelled_task_keeps_its_checkpoint_and_resume_continues_it,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-slurm-cancel");
  // Combination 2 takes a few seconds (a minute under the sanitizers), so that it is
  // cancelled mid-run.
  const std::string slow = "train.evaluate_every=5000";
  const auto submitted = run_exp("sweep configs/synthetic.yaml train.iterations=40,40000 " + slow +
                                 " --launcher slurm --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(submitted.status == 0, submitted.output);
  const fs::path sweep = only_sweep_folder(runs);
  BOOST_TEST_REQUIRE(eventually([&] {
    const auto second = combination(sweep, 1);
    return second["status"].as<std::string>() == "running" && !second["run"].as<std::string>().empty();
  }, 60), sweep_status(sweep));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const std::string task = combination(sweep, 1)["job"].as<std::string>();
  BOOST_TEST_REQUIRE(run_command("scancel " + task).status == 0);

  BOOST_TEST_REQUIRE(eventually([&] {
    return sweep_status(sweep).find("1 cancelled, 1 completed") != std::string::npos;
  }, 60), sweep_status(sweep));
  const fs::path cancelled = run_of(sweep, 1);
  BOOST_TEST(combination(sweep, 1)["status"].as<std::string>() == "cancelled");
  BOOST_TEST(fs::is_regular_file(cancelled / "checkpoint.bin"));
  const YAML::Node stopped = YAML::LoadFile((cancelled / "summary.json").string());
  BOOST_TEST(stopped["status"].as<std::string>() == "interrupted");
  BOOST_TEST(stopped["steps"].as<int>() < 40000);
  // Listed as cancelled wherever runs are listed.
  const auto compared = run_exp("compare --csv '" + sweep.string() + "'");
  BOOST_TEST(compared.output.find(",cancelled,") != std::string::npos, compared.output);

  // The resume may change what is asked of Slurm: the script is written again.
  const auto resumed = run_exp("sweep --resume '" + sweep.string() + "' --time 00:30:00");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output.find("1 of 2 combinations to run") != std::string::npos, resumed.output);
  BOOST_TEST(std::regex_search(resumed.output, std::regex(R"(submitted 1 combinations as Slurm job \d+ \(array 1\))")),
             resumed.output);
  BOOST_TEST_REQUIRE(eventually([&] { return run_exp("sweep --status '" + sweep.string() + "'").status == 0; }, 400),
                     sweep_status(sweep) << run_command("squeue --array --states=all; sinfo -R").output);
  BOOST_TEST(xp::test::read_file(sweep / "sweep.sbatch").find("#SBATCH --time=00:30:00\n") !=
             std::string::npos);
  // Continued in its own directory, ending as an uninterrupted run does.
  BOOST_TEST(run_of(sweep, 1) == cancelled);
  const auto whole = xp::test::run_experiment(runs / "whole", "configs/synthetic.yaml train.iterations=40000 " + slow);
  BOOST_TEST_REQUIRE(whole.status == 0, whole.output);
  BOOST_TEST(results_of(cancelled) == results_of(whole.dir));
}

// Slurm's time limits are whole minutes, checked every half minute: this takes about
// 90 s, most of it waiting.
BOOST_AUTO_TEST_CASE(a_task_past_its_time_limit_reads_cancelled_with_its_checkpoint,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-slurm-time");
  const auto submitted = run_exp(
      "sweep configs/synthetic.yaml train.iterations=10000000,20000000 gradient.strategy=naive"
      " train.evaluate_every=never --launcher slurm --time 00:01:00 --max-parallel 1"
      " --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(submitted.status == 0, submitted.output);
  const fs::path sweep = only_sweep_folder(runs);
  BOOST_TEST_REQUIRE(eventually([&] {
    return sweep_status(sweep).find("1 cancelled") != std::string::npos;
  }, 180), sweep_status(sweep));
  const std::string status = sweep_status(sweep);
  BOOST_TEST(std::regex_search(status, std::regex(R"(\n *1 +cancelled +\d+_0 TIMEOUT +train\.iterations=10000000 )")),
             status);
  const fs::path stopped = run_of(sweep, 0);
  BOOST_TEST(fs::is_regular_file(stopped / "checkpoint.bin"));
  BOOST_TEST(YAML::LoadFile((stopped / "summary.json").string())["status"].as<std::string>() ==
             "interrupted");
  run_command("scancel " + combination(sweep, 1)["job"].as<std::string>());
}

// A combination over several nodes is `mpirun exp run`: only an exp built with MPI.
#ifdef EXP_TEST_WITH_MPI
const char* const kNodesPerRun = " --nodes-per-run 2";
#else
const char* const kNodesPerRun = "";
#endif

BOOST_AUTO_TEST_CASE(dry_run_writes_a_readable_script_and_submits_nothing) {
  const auto runs = xp::test::fresh_directory("exp-slurm-dry");
  const auto written = run_exp("sweep " + kGrid +
                               " --launcher slurm --dry-run --partition debug --time 00:10:00"
                               " --cpus-per-task 2 --max-parallel 3 --slurm-option --account=lab"
                               " --slurm-option=--mail-type=END" + kNodesPerRun + " --runs-dir '" +
                               runs.string() + "'");
  BOOST_TEST_REQUIRE(written.status == 0, written.output);
  BOOST_TEST(written.output.find("not submitted: --dry-run") != std::string::npos, written.output);
  const fs::path sweep = only_sweep_folder(runs);
  const std::string script = xp::test::read_file(sweep / "sweep.sbatch");
  for (const char* line :
       {"#SBATCH --array=0-3%3\n", "#SBATCH --partition=debug\n", "#SBATCH --time=00:10:00\n",
        "#SBATCH --cpus-per-task=2\n", "#SBATCH --account=lab\n", "#SBATCH --mail-type=END\n",
        "#   3  optimizer.lr=0.1 model.hidden=[4,4]\n"})
    BOOST_TEST(script.find(line) != std::string::npos, line << " in\n" << script);
#ifdef EXP_TEST_WITH_MPI
  for (const char* line : {"#SBATCH --nodes=2\n", "#SBATCH --ntasks-per-node=1\n", "`mpirun exp run`"})
    BOOST_TEST(script.find(line) != std::string::npos, line << " in\n" << script);
#else
  const auto refused = run_exp("sweep " + kGrid + " --launcher slurm --dry-run --nodes-per-run 2 --runs-dir '" +
                               (runs / "no-mpi").string() + "'");
  BOOST_TEST(refused.status == 2, refused.output);
  BOOST_TEST(refused.output.find("built without MPI") != std::string::npos, refused.output);
#endif
  const YAML::Node file = YAML::LoadFile((sweep / "sweep.yaml").string());
  BOOST_TEST(file["launcher"].as<std::string>() == "slurm");
  BOOST_TEST(file["slurm"]["jobs"].size() == 0u);
  BOOST_TEST(file["slurm"]["nodes_per_run"].as<int>() == (kNodesPerRun[0] ? 2 : 1));
  BOOST_TEST(file["combinations"][0]["status"].as<std::string>() == "pending");
}

BOOST_AUTO_TEST_CASE(bad_slurm_options_are_refused_before_anything_is_created,
                     *boost::unit_test::label("fault_config")) {
  const auto runs = xp::test::fresh_directory("exp-slurm-bad");
  const std::string folder = " --runs-dir '" + runs.string() + "'";
  const std::pair<std::string, std::string> cases[] = {
      {"--launcher slurm --time 'two hours'", "--time 'two hours': expected HH:MM:SS"},
      {"--launcher slurm --jobs 2", "--jobs is for the local launcher"},
      {"--partition debug", "--partition is for --launcher slurm"},
      {"--launcher pbs", "--launcher 'pbs': expected local or slurm"},
      {"--launcher slurm --max-parallel 0", "--max-parallel 0: expected 1 or more"},
      {"--launcher slurm --slurm-option account=x", "--slurm-option 'account=x': expected one sbatch option"},
  };
  for (const auto& [options, message] : cases) {
    const auto refused = run_exp("sweep " + kGrid + " " + options + folder);
    BOOST_TEST(refused.status == 2, options << ": " << refused.output);
    BOOST_TEST(refused.output.find(message) != std::string::npos, options << ": " << refused.output);
    BOOST_TEST(!fs::exists(runs / "sweeps"), options);
  }
  // What sbatch refuses is said with sbatch's reason; the sweep folder stays, resumable.
  const auto refused = run_exp("sweep " + kGrid + " --launcher slurm --partition nosuch" + folder);
  BOOST_TEST(refused.status == 1, refused.output);
  BOOST_TEST(std::regex_search(refused.output, std::regex("sbatch refused .*sweep\\.sbatch: .*(partition|Partition)")),
             refused.output);
}
