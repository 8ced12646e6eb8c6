// `mpirun -np N exp run`: the ranks split every finite-difference gradient and end
// with the same bits as one process, for N = 1, 2, 3, forward and central
// differences, the fast and the naive path; rank 0 alone writes the run directory;
// ranks with different inputs are refused.
#define BOOST_TEST_MODULE exp under mpirun
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cstdlib>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// Open MPI refuses root unless told, and containers often lack what its shared-memory
// single-copy transport needs: set for the tests here, not asked of users. A job that
// mpirun ends (Ctrl-C, a dead rank) gets SIGTERM and, odls_base_sigkill_timeout
// seconds later, SIGKILL: 2 instead of 1, as README advises for busy disks, since the
// tests share the machine (and its disk) with others and rank 0 must write the run's
// end in time.
struct MpiEnvironment {
  MpiEnvironment() {
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 1);
    setenv("OMPI_MCA_rmaps_base_oversubscribe", "1", 1);
    setenv("OMPI_MCA_odls_base_sigkill_timeout", "2", 1);
  }
};
const MpiEnvironment kEnvironment;

const std::string kRun = "configs/synthetic.yaml train.iterations=120 train.threads=1";

// Every row of a CSV file without column `skipped` (metrics.csv's seconds).
std::vector<std::string> rows_without(const fs::path& file, std::size_t skipped) {
  std::vector<std::string> rows;
  std::istringstream lines(xp::test::read_file(file));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream cells(line);
    std::string row;
    std::size_t column = 0;
    for (std::string cell; std::getline(cells, cell, ','); ++column) {
      if (column != skipped) row += cell + ",";
    }
    rows.push_back(row);
  }
  return rows;
}

boost::property_tree::ptree summary_of(const fs::path& dir) {
  boost::property_tree::ptree tree;
  boost::property_tree::read_json((dir / "summary.json").string(), tree);
  return tree;
}

// The single run directory under runs/<experiment>/.
fs::path only_run(const fs::path& runs) {
  std::vector<fs::path> found;
  for (const auto& experiment : fs::directory_iterator(runs)) {
    for (const auto& run : fs::directory_iterator(experiment.path())) found.push_back(run.path());
  }
  BOOST_TEST_REQUIRE(found.size() == 1u);
  return found.front();
}

xp::test::CommandResult mpirun(std::size_t processes, const std::string& arguments) {
  return xp::test::run_command(std::string(EXP_MPIRUN) + " -np " + std::to_string(processes) +
                               " '" + EXP_TEST_BINARY + "' " + arguments);
}

void check_same_results(const fs::path& split, const fs::path& alone) {
  BOOST_TEST(rows_without(split / "metrics.csv", 3) == rows_without(alone / "metrics.csv", 3),
             boost::test_tools::per_element());
  BOOST_TEST(xp::test::read_file(split / "epochs.csv") == xp::test::read_file(alone / "epochs.csv"));
  for (const auto& tensor : {"W1.npy", "b1.npy", "W2.npy", "b2.npy"}) {
    BOOST_TEST(xp::test::read_file(split / "params" / tensor) ==
                   xp::test::read_file(alone / "params" / tensor),
               tensor);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(split_gradients_give_the_bits_of_one_process) {
  for (const std::string method :
       {"gradient.name=central_difference", "gradient.name=central_difference gradient.strategy=naive",
        "gradient.name=forward_difference", "gradient.name=forward_difference gradient.strategy=naive"}) {
    BOOST_TEST_CONTEXT(method) {
      const auto alone_runs = xp::test::fresh_directory("exp-mpi-alone");
      const auto alone = xp::test::run_experiment(alone_runs, kRun + " " + method);
      BOOST_TEST_REQUIRE(alone.status == 0, alone.output);
      for (const std::size_t processes : {1u, 2u, 3u}) {
        BOOST_TEST_CONTEXT(processes << " processes") {
          const auto runs = xp::test::fresh_directory("exp-mpi");
          const auto result = mpirun(processes, "run " + kRun + " " + method + " --runs-dir '" +
                                                    runs.string() + "'");
          BOOST_TEST_REQUIRE(result.status == 0, result.output);
          // Rank 0 alone made a run directory and printed.
          const fs::path dir = only_run(runs);
          check_same_results(dir, alone.dir);
          const auto summary = summary_of(dir);
          BOOST_TEST(summary.get<std::size_t>("processes") == processes);
          BOOST_TEST(summary.get<std::string>("loss_evaluations") ==
                     summary_of(alone.dir).get<std::string>("loss_evaluations"));
          std::size_t completed_lines = 0;
          for (std::size_t at = 0; (at = result.output.find("completed: ", at)) != std::string::npos;
               ++at) {
            ++completed_lines;
          }
          BOOST_TEST(completed_lines == 1u, result.output);
        }
      }
    }
  }
}

// The fast path's per-batch setup is split between the ranks by samples (each
// prepares its share of the series, an all-gather shares them): deep layers of
// every activation, relu's radii from the propagation and the squared error's
// batch-wide bounds among them, still the bits of one process.
BOOST_AUTO_TEST_CASE(the_split_setup_gives_the_bits_of_one_process) {
  for (const std::string model :
       {"model.hidden=[6,5,4] model.activation=sigmoid", "model.hidden=[6,5,4] model.activation=tanh",
        "model.hidden=[6,5,4] model.activation=relu model.weight_init_std=he",
        "model.hidden=[6,5] model.output=identity loss.name=mse"}) {
    BOOST_TEST_CONTEXT(model) {
      const std::string config = kRun + " train.iterations=40 " + model;
      const auto alone = xp::test::run_experiment(xp::test::fresh_directory("exp-mpi-alone"), config);
      BOOST_TEST_REQUIRE(alone.status == 0, alone.output);
      for (const std::size_t processes : {2u, 3u}) {
        const auto runs = xp::test::fresh_directory("exp-mpi");
        const auto result =
            mpirun(processes, "run " + config + " --runs-dir '" + runs.string() + "'");
        BOOST_TEST_REQUIRE(result.status == 0, result.output);
        check_same_results(only_run(runs), alone.dir);
      }
    }
  }
}

// Threads within each rank change nothing either: two ranks of two threads each.
BOOST_AUTO_TEST_CASE(threads_per_rank_do_not_change_the_bits) {
  const auto alone = xp::test::run_experiment(xp::test::fresh_directory("exp-mpi-alone"), kRun);
  BOOST_TEST_REQUIRE(alone.status == 0, alone.output);
  const auto runs = xp::test::fresh_directory("exp-mpi");
  const auto result =
      mpirun(2, "run " + kRun + " train.threads=2 --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  const fs::path dir = only_run(runs);
  check_same_results(dir, alone.dir);
  BOOST_TEST(summary_of(dir).get<unsigned>("threads") == 2u);
}

// A method that is not split (random directions) runs whole on every rank, from the
// same stream, and still gives the bits of one process.
BOOST_AUTO_TEST_CASE(methods_that_are_not_split_run_alike_on_every_rank) {
  const std::string method = "gradient.name=spsa gradient.q=4 optimizer.lr=0.1";
  const auto alone = xp::test::run_experiment(xp::test::fresh_directory("exp-mpi-alone"),
                                              kRun + " " + method);
  BOOST_TEST_REQUIRE(alone.status == 0, alone.output);
  const auto runs = xp::test::fresh_directory("exp-mpi");
  const auto result =
      mpirun(2, "run " + kRun + " " + method + " --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(result.status == 0, result.output);
  check_same_results(only_run(runs), alone.dir);
}

BOOST_AUTO_TEST_CASE(ranks_with_other_inputs_are_refused_before_a_run_starts,
                     *boost::unit_test::label("fault_config")) {
  const auto runs = xp::test::fresh_directory("exp-mpi");
  const std::string exp = std::string(" '") + EXP_TEST_BINARY + "' run " + kRun + " --runs-dir '" +
                          runs.string() + "'";
  const auto result = xp::test::run_command(std::string(EXP_MPIRUN) + " -np 1" + exp +
                                            " optimizer.lr=0.5 : -np 1" + exp +
                                            " optimizer.lr=0.1");
  BOOST_TEST(result.status != 0);
  BOOST_TEST(result.output.find("exp run: rank 1 resolved another config or read other data than rank 0") !=
                 std::string::npos,
             result.output);
  BOOST_TEST(!fs::exists(runs / "synthetic"));
}

// A sweep or a resume under mpirun would run once per process: refused on every rank
// before anything is written.
BOOST_AUTO_TEST_CASE(commands_other_than_run_refuse_to_run_once_per_process,
                     *boost::unit_test::label("fault_config")) {
  const auto runs = xp::test::fresh_directory("exp-mpi");
  const auto sweep = mpirun(2, "sweep configs/synthetic.yaml optimizer.lr=1,0.1 --runs-dir '" +
                                   runs.string() + "'");
  BOOST_TEST(sweep.status != 0);
  BOOST_TEST(sweep.output.find("exp sweep: runs as one process: start it without mpirun") !=
                 std::string::npos,
             sweep.output);
  BOOST_TEST(fs::is_empty(runs));
}

// A run stopped in one process continues under mpirun -np 2 (rank 0 reads the run and
// hands the others its config and checkpoint) and ends with the bits of a run that
// never stopped.
BOOST_AUTO_TEST_CASE(a_run_stopped_alone_resumes_under_mpirun_bit_identical,
                     *boost::unit_test::label("fault_killed")) {
  const std::string config = "configs/synthetic.yaml train.iterations=2400 train.threads=1";
  const auto reference =
      xp::test::run_experiment(xp::test::fresh_directory("exp-mpi-alone"), config);
  BOOST_TEST_REQUIRE(reference.status == 0, reference.output);
  const auto runs = xp::test::fresh_directory("exp-mpi");
  const std::string metrics = "'" + runs.string() + "'/synthetic/*/metrics.csv";
  const auto stopped = xp::test::run_command(
      "'" + std::string(EXP_TEST_BINARY) + "' run " + config + " --runs-dir '" + runs.string() +
      "' >/dev/null 2>&1 & pid=$!; while kill -0 $pid && [ \"$(cat " + metrics +
      " 2>/dev/null | wc -l)\" -lt 300 ]; do sleep 0.005; done; kill -INT $pid; wait $pid");
  BOOST_TEST_REQUIRE(stopped.status == 130, stopped.output);
  const fs::path dir = only_run(runs);
  const auto resumed = mpirun(2, "resume '" + dir.string() + "'");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  check_same_results(dir, reference.dir);
  const auto summary = summary_of(dir);
  BOOST_TEST(summary.get<std::string>("status") == "completed");
  BOOST_TEST(summary.get<std::size_t>("processes") == 2u);
  BOOST_TEST(summary.get_child("resumed").size() == 1u);
}

// Ctrl-C to mpirun: Open MPI passes the job a SIGTERM (odls_base_sigkill_timeout
// seconds after the Ctrl-C, 2 here), every rank stops after the same step (they agree
// at each step's end), rank 0 writes the checkpoint, and the run continues with
// another number of processes, or one, to the bits of a run that never stopped.
// (40,000 steps, about 4 s, so that the signal lands mid-run.)
BOOST_AUTO_TEST_CASE(ctrl_c_to_mpirun_stops_with_a_checkpoint_that_resumes_with_any_n,
                     *boost::unit_test::label("fault_killed")) {
  const std::string config = "configs/synthetic.yaml train.iterations=40000 train.threads=1";
  const auto reference =
      xp::test::run_experiment(xp::test::fresh_directory("exp-mpi-alone"), config);
  BOOST_TEST_REQUIRE(reference.status == 0, reference.output);
  for (const std::size_t resumed_with : {3u, 1u}) {
    BOOST_TEST_CONTEXT("resumed with " << resumed_with) {
      const auto runs = xp::test::fresh_directory("exp-mpi");
      const std::string metrics = "'" + runs.string() + "'/synthetic/*/metrics.csv";
      const auto stopped = xp::test::run_command(
          std::string(EXP_MPIRUN) + " -np 2 '" + EXP_TEST_BINARY + "' run " + config +
          " --runs-dir '" + runs.string() + "' >/dev/null 2>&1 & pid=$!; while kill -0 $pid && " +
          "[ \"$(cat " + metrics + " 2>/dev/null | wc -l)\" -lt 300 ]; do sleep 0.005; done; " +
          "kill -INT $pid; wait $pid");
      BOOST_TEST(stopped.status != 0, stopped.output);
      const fs::path dir = only_run(runs);
      BOOST_TEST_REQUIRE(summary_of(dir).get<std::string>("status") == "interrupted");
      BOOST_TEST_REQUIRE(fs::exists(dir / "checkpoint.bin"));
      const auto resumed = resumed_with == 1
                               ? xp::test::run_exp("resume '" + dir.string() + "'")
                               : mpirun(resumed_with, "resume '" + dir.string() + "'");
      BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
      check_same_results(dir, reference.dir);
      BOOST_TEST(summary_of(dir).get<std::size_t>("processes") == resumed_with);
    }
  }
}

// Long enough to be killed mid-run (3,000 of its steps are taken first, a few tenths of
// a second: past its first checkpoints, one every 0.1 s), short enough to be resumed to
// its end.
const std::string kKilledRun =
    "configs/synthetic.yaml train.iterations=30000 train.threads=1 train.checkpoint_seconds=0.1";

// Starts kKilledRun under mpirun -np 2, waits until it has taken 3,000 steps, kills
// rank `rank` with SIGKILL (no handler runs) and waits for mpirun. Returns the seconds
// from the kill to mpirun's end.
double kill_rank_mid_run(const fs::path& runs, int rank) {
  const std::string metrics = "'" + runs.string() + "'/synthetic/*/metrics.csv";
  const std::string pattern = "exp run " + kKilledRun;
  const auto result = xp::test::run_command(
      std::string(EXP_MPIRUN) + " -np 2 '" + EXP_TEST_BINARY + "' run " + kKilledRun +
      " --runs-dir '" + runs.string() + "' >/dev/null 2>&1 & pid=$!; while kill -0 $pid && [ \"$(cat " + metrics +
      " 2>/dev/null | wc -l)\" -lt 3000 ]; do sleep 0.005; done; " +
      "for p in $(pgrep -f '" + pattern + "'); do " +
      "tr '\\0' '\\n' </proc/$p/environ | grep -qx OMPI_COMM_WORLD_RANK=" + std::to_string(rank) +
      " && kill -KILL $p; done; start=$(date +%s%N); wait $pid; " +
      "echo \"milliseconds $(( ($(date +%s%N) - start) / 1000000 ))\"");
  const auto at = result.output.rfind("milliseconds ");
  BOOST_TEST_REQUIRE(at != std::string::npos, result.output);
  return std::stod(result.output.substr(at + 13)) / 1000.0;
}

// A rank other than 0 killed mid-run says nothing; mpirun ends the job (SIGTERM, then
// SIGKILL odls_base_sigkill_timeout seconds later: 2 here) and rank 0, waiting for it
// at the step's exchange, fails the run naming it after half that time, within
// seconds, never a hang. The run resumes from its last
// checkpoint.
BOOST_AUTO_TEST_CASE(a_rank_killed_mid_run_fails_the_run_naming_it,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-mpi");
  BOOST_TEST(kill_rank_mid_run(runs, 1) < 10.0);
  const fs::path dir = only_run(runs);
  const auto summary = summary_of(dir);
  BOOST_TEST(summary.get<std::string>("status") == "failed");
  const std::string error = summary.get<std::string>("error");
  BOOST_TEST(error.find("rank 1 stopped answering: no answer to the job's SIGTERM within 1 s") !=
                 std::string::npos,
             error);
  BOOST_TEST(xp::test::read_file(dir / "log.txt").find("rank 1 stopped answering") !=
                 std::string::npos);
  const auto listed = xp::test::run_exp("ls '" + runs.string() + "'");
  BOOST_TEST(listed.output.find("failed") != std::string::npos, listed.output);
  const auto resumed = mpirun(2, "resume '" + dir.string() + "'");
  BOOST_TEST(resumed.status == 0, resumed.output);
  BOOST_TEST(summary_of(dir).get<std::string>("status") == "completed");
}

// Rank 0 killed: nothing can write the run's end, which then reads crashed, as any run
// whose process died, and resumes from its last checkpoint.
BOOST_AUTO_TEST_CASE(rank_0_killed_mid_run_leaves_a_crashed_run,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-mpi");
  BOOST_TEST(kill_rank_mid_run(runs, 0) < 10.0);
  const auto listed = xp::test::run_exp("ls '" + runs.string() + "'");
  BOOST_TEST(listed.output.find("crashed") != std::string::npos, listed.output);
  const fs::path dir = only_run(runs);
  const auto resumed = xp::test::run_exp("resume '" + dir.string() + "'");
  BOOST_TEST(resumed.status == 0, resumed.output);
  BOOST_TEST(summary_of(dir).get<std::string>("status") == "completed");
  BOOST_TEST(summary_of(dir).get<std::size_t>("steps") == 30000u);
}

// exp grad under mpirun: the ranks split the first gradient, rank 0 prints it, every
// digit as one process prints it.
BOOST_AUTO_TEST_CASE(grad_prints_the_gradient_of_one_process_once) {
  const std::string config = "configs/synthetic.yaml gradient.strategy=naive";
  const auto alone = xp::test::run_exp("grad " + config);
  BOOST_TEST_REQUIRE(alone.status == 0, alone.output);
  const auto split = mpirun(3, "grad " + config);
  BOOST_TEST_REQUIRE(split.status == 0, split.output);
  BOOST_TEST(split.output == alone.output);
}

// exp gradcheck under mpirun: every method's errors as one process computes them (the
// split gradients are the same bits), printed once.
BOOST_AUTO_TEST_CASE(gradcheck_reports_the_errors_of_one_process_once) {
  const auto folder = xp::test::fresh_directory("exp-mpi-gradcheck");
  const auto alone = xp::test::run_exp("gradcheck configs/synthetic.yaml --csv '" +
                                       (folder / "alone.csv").string() + "'");
  BOOST_TEST_REQUIRE(alone.status == 0, alone.output);
  const auto split = mpirun(2, "gradcheck configs/synthetic.yaml --csv '" +
                                   (folder / "split.csv").string() + "'");
  BOOST_TEST_REQUIRE(split.status == 0, split.output);
  std::size_t headers = 0;
  for (std::size_t at = 0; (at = split.output.find("gradient check of", at)) != std::string::npos;
       ++at) {
    ++headers;
  }
  BOOST_TEST(headers == 1u, split.output);
  // Columns: method, tensor, max_abs, mean_abs, max_rel, cosine, seconds, reference.
  BOOST_TEST(rows_without(folder / "split.csv", 6) == rows_without(folder / "alone.csv", 6),
             boost::test_tools::per_element());
}

// A rank that fails on its own (here a plugin's error on rank 1 at step 3) tells rank 0,
// which is waiting for it: the run ends `failed` with that rank and reason in
// summary.json and log.txt, and the whole job ends within seconds.
BOOST_AUTO_TEST_CASE(a_rank_that_fails_alone_fails_the_run_naming_it,
                     *boost::unit_test::label("fault_plugin")) {
  const auto runs = xp::test::fresh_directory("exp-mpi");
  setenv("EXP_PLUGIN_PATH", EXP_MPI_TEST_PLUGIN_DIR, 1);
  const auto start = std::chrono::steady_clock::now();
  const auto result = mpirun(2, "run " + kRun + " gradient.name=fails_on_rank_one --runs-dir '" +
                                    runs.string() + "'");
  unsetenv("EXP_PLUGIN_PATH");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST(result.status != 0);
  BOOST_TEST(seconds < 30.0);
  const fs::path dir = only_run(runs);
  const auto summary = summary_of(dir);
  BOOST_TEST(summary.get<std::string>("status") == "failed");
  const std::string reason = "rank 1 failed: deliberate failure at step 3";
  BOOST_TEST(summary.get<std::string>("error").find(reason) != std::string::npos,
             summary.get<std::string>("error"));
  BOOST_TEST(xp::test::read_file(dir / "log.txt").find(reason) != std::string::npos);
}
