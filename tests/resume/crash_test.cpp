// A run killed outright (SIGKILL) leaves a directory whose status is honest
// (`crashed`, not `running` forever) and resumes from its last periodic checkpoint
// bit-identically; what `exp resume` refuses; runs started in the same second never
// share a directory.
#define BOOST_TEST_MODULE exp crash
#include <fstream>
#include <set>

#include "exp/checkpoint.hpp"
#include "exp/error.hpp"
#include "exp/run_status.hpp"
#include "resume_support.hpp"

namespace fs = std::filesystem;
using xp::test::ChildRun;
using xp::test::summary_of;

namespace {

const std::vector<std::string> kSgd = {"configs/synthetic.yaml", "train.iterations=3000",
                                       "train.checkpoint_seconds=0.1"};

bool contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return true;
  BOOST_TEST_MESSAGE("output:\n" << text << "\ndoes not contain '" << part << "'");
  return false;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sigkill_leaves_a_crashed_run_that_resumes_from_its_last_checkpoint,
                     *boost::unit_test::label("fault_killed")) {
  const auto runs = xp::test::fresh_directory("exp-crash");
  ChildRun child(runs, kSgd);
  const fs::path dir = child.dir();
  // While it trains, readers see it running: its lock is held.
  child.wait_until([&] { return child.metric_rows() >= 10; }, "metric rows");
  BOOST_TEST((xp::effective_status(dir) == xp::RunStatus::running));
  child.wait_until([&] { return xp::has_checkpoint(dir); }, "a periodic checkpoint");
  const auto written = child.metric_rows();
  child.wait_until([&] { return child.metric_rows() > written + 100; }, "rows after it");
  BOOST_TEST_REQUIRE(child.stop(SIGKILL) == 128 + SIGKILL);

  // The process never recorded its end; the directory still tells the truth.
  BOOST_TEST(summary_of(dir).get<std::string>("status") == "running");
  BOOST_TEST((xp::effective_status(dir) == xp::RunStatus::crashed));
  const auto checkpoint = xp::read_checkpoint(dir, xp::test::identity_of(dir));
  BOOST_TEST(checkpoint.rows.steps == checkpoint.point.progress.steps);
  BOOST_TEST(checkpoint.rows.steps < 3000u);

  const auto resumed = xp::test::run_exp("resume '" + dir.string() + "'");
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.output);
  BOOST_TEST(contains(resumed.output, "(the run was crashed)"));
  BOOST_TEST(contains(resumed.output,
                      "resuming after step " + std::to_string(checkpoint.point.progress.steps)));
  BOOST_TEST(summary_of(dir).get<std::string>("status") == "completed");
  BOOST_TEST((xp::effective_status(dir) == xp::RunStatus::completed));

  const auto reference = xp::test::run_experiment(xp::test::fresh_directory("exp-reference"),
                                                  "configs/synthetic.yaml train.iterations=3000");
  BOOST_TEST_REQUIRE(reference.status == 0, reference.output);
  xp::test::check_same_results(dir, reference.dir);
}

BOOST_AUTO_TEST_CASE(resume_refuses_what_it_cannot_continue_with_exit_status_2,
                     *boost::unit_test::label("fault_checkpoint") *
                         boost::unit_test::label("fault_concurrent")) {
  const auto runs = xp::test::fresh_directory("exp-crash");

  const auto completed =
      xp::test::run_experiment(runs, "configs/synthetic.yaml train.iterations=20");
  BOOST_TEST_REQUIRE(completed.status == 0, completed.output);
  // Said once, at the start, where a user looks for it while the run trains.
  const auto said = [&](const std::string& text) {
    std::size_t count = 0;
    for (auto at = text.find("run directory:"); at != std::string::npos;
         at = text.find("run directory:", at + 1)) {
      ++count;
    }
    return count;
  };
  BOOST_TEST(said(completed.output) == 1u);
  const auto again = xp::test::run_exp("resume '" + completed.dir.string() + "'");
  BOOST_TEST(again.status == 2);
  BOOST_TEST(contains(again.output, "the run is completed; there is nothing to resume"));
  BOOST_TEST(std::count(again.output.begin(), again.output.end(), '\n') == 1);

  // Killed before its first checkpoint (a minute away): crashed, and nothing to resume from.
  {
    ChildRun child(runs / "early", {"configs/synthetic.yaml", "train.iterations=100000000"});
    const fs::path dir = child.dir();
    child.wait_until([&] { return child.metric_rows() >= 10; }, "metric rows");
    // A run that is alive is not resumed from under it.
    const auto busy = xp::test::run_exp("resume '" + dir.string() + "'");
    BOOST_TEST(busy.status == 2);
    BOOST_TEST(contains(busy.output, "still being written"));
    BOOST_TEST_REQUIRE(child.stop(SIGKILL) == 128 + SIGKILL);
    BOOST_TEST((xp::effective_status(dir) == xp::RunStatus::crashed));
    const auto none = xp::test::run_exp("resume '" + dir.string() + "'");
    BOOST_TEST(none.status == 2);
    BOOST_TEST(contains(none.output, "no checkpoint to resume from (checkpoint.bin)"));
  }

  const auto missing = xp::test::run_exp("resume '" + (runs / "no-such-run").string() + "'");
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(contains(missing.output, "no such run directory"));
  const auto not_a_run = xp::test::run_exp("resume '" + runs.string() + "'");
  BOOST_TEST(not_a_run.status == 2);
  BOOST_TEST(contains(not_a_run.output, "not a run directory"));

  // Each refusal goes to stderr alone: stdout, which scripts read, stays empty.
  for (const fs::path& dir : {completed.dir, runs / "early", runs / "no-such-run", runs}) {
    const auto on_stdout = xp::test::run_command("{ '" + std::string(EXP_TEST_BINARY) +
                                                 "' resume '" + dir.string() + "' 2>/dev/null; }");
    BOOST_TEST_CONTEXT(dir) {
      BOOST_TEST(on_stdout.status == 2);
      BOOST_TEST(on_stdout.output.empty(), on_stdout.output);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_damaged_checkpoint_is_refused_with_the_file_named,
                     *boost::unit_test::label("fault_checkpoint")) {
  xp::Checkpoint checkpoint;
  checkpoint.theta = xp::Vector::Constant(3, 0.25);
  checkpoint.optimizer = {{"v", xp::Vector::Constant(3, -1.0)}};
  checkpoint.point.progress.steps = 7;
  checkpoint.point.progress.best_test_accuracy = 0.5;
  const std::string identity = xp::run_identity("experiment: x\n", {"optimizer sgd 1.0.0"});
  const std::string bytes = checkpoint.to_bytes(identity);
  const auto copy = xp::Checkpoint::from_bytes(bytes, "c.bin", identity);
  BOOST_TEST(copy.to_bytes(identity) == bytes);
  BOOST_TEST(copy.point.progress.steps == 7u);
  BOOST_TEST(*copy.point.progress.best_test_accuracy == 0.5);
  // Cut anywhere, or one byte flipped anywhere (magic, identity, payload, checksum):
  // refused, the file named.
  for (const std::size_t cut :
       {std::size_t(0), std::size_t(5), bytes.size() / 2, bytes.size() - 1}) {
    const std::string message = xp::test::error_of(
        [&] { xp::Checkpoint::from_bytes(bytes.substr(0, cut), "c.bin", identity); });
    BOOST_TEST(contains(message, "c.bin: "));
    BOOST_TEST(contains(message, "nothing was resumed"));
  }
  for (std::size_t at = 8; at < bytes.size(); ++at) {
    std::string damaged = bytes;
    damaged[at] = char(damaged[at] ^ 0x10);
    const std::string message =
        xp::test::error_of([&] { xp::Checkpoint::from_bytes(damaged, "c.bin", identity); });
    BOOST_TEST_CONTEXT("byte " << at) {
      BOOST_TEST(contains(message, "c.bin: checksum mismatch: the file is damaged"));
    }
  }
  // Whole and undamaged, but another run's.
  const std::string other = xp::run_identity("experiment: y\n", {"optimizer sgd 1.0.0"});
  BOOST_TEST(
      contains(xp::test::error_of([&] { xp::Checkpoint::from_bytes(bytes, "c.bin", other); }),
               "c.bin: belongs to another run"));
  // The first format had no checksum: it cannot be verified, so it is not trusted.
  std::string first = bytes;
  first[7] = '1';
  BOOST_TEST(
      contains(xp::test::error_of([&] { xp::Checkpoint::from_bytes(first, "c.bin", identity); }),
               "format 1, without checksum"));
  // The second had no gradient-method state: resuming from it could not continue a
  // stateful method, so it is refused by name rather than misread.
  std::string second = bytes;
  second[7] = '2';
  BOOST_TEST(
      contains(xp::test::error_of([&] { xp::Checkpoint::from_bytes(second, "c.bin", identity); }),
               "c.bin: written by an earlier exp (format 2, without the gradient method's state"));
}

BOOST_AUTO_TEST_CASE(exp_resume_refuses_a_damaged_or_foreign_checkpoint_and_writes_nothing,
                     *boost::unit_test::label("fault_checkpoint")) {
  const auto runs = xp::test::fresh_directory("exp-damaged");
  // Two interrupted runs of different settings, each with a checkpoint.
  const auto stopped = [&](const std::vector<std::string>& config) {
    ChildRun child(runs / std::to_string(config.size()), config);
    const fs::path dir = child.dir();
    child.wait_until([&] { return child.metric_rows() >= 200; }, "metric rows");
    BOOST_TEST_REQUIRE(child.stop(SIGINT) == 130, child.output());
    BOOST_TEST_REQUIRE(xp::has_checkpoint(dir));
    return dir;
  };
  const fs::path first = stopped(kSgd);
  const fs::path second = stopped(
      {"configs/synthetic.yaml", "train.iterations=3000", "optimizer.lr=0.05", "train.seed=7"});
  const std::string original = xp::test::read_file(first / "checkpoint.bin");
  const auto refused = [&](const std::string& checkpoint, const std::string& reason) {
    std::ofstream(first / "checkpoint.bin", std::ios::binary) << checkpoint;
    const std::string summary = xp::test::read_file(first / "summary.json");
    const std::string log = xp::test::read_file(first / "log.txt");
    const auto resumed = xp::test::run_exp("resume '" + first.string() + "'");
    BOOST_TEST(resumed.status == 2, resumed.output);
    BOOST_TEST(contains(resumed.output, (first / "checkpoint.bin").string() + ": " + reason));
    BOOST_TEST(xp::test::read_file(first / "summary.json") == summary);  // nothing written
    BOOST_TEST(xp::test::read_file(first / "log.txt") == log);
  };
  for (const std::size_t at :
       {std::size_t(9), original.size() / 2, original.size() - 40, original.size() - 1}) {
    std::string damaged = original;
    damaged[at] = char(damaged[at] ^ 0x01);
    BOOST_TEST_CONTEXT("byte " << at) { refused(damaged, "checksum mismatch"); }
  }
  refused(xp::test::read_file(second / "checkpoint.bin"), "belongs to another run");
  // The untouched checkpoint still resumes.
  std::ofstream(first / "checkpoint.bin", std::ios::binary) << original;
  const auto resumed = xp::test::run_exp("resume '" + first.string() + "'");
  BOOST_TEST(resumed.status == 0, resumed.output);
  fs::remove_all(runs);
}

BOOST_AUTO_TEST_CASE(runs_started_at_once_get_distinct_directories_and_all_complete,
                     *boost::unit_test::label("fault_concurrent")) {
  const auto runs = xp::test::fresh_directory("exp-concurrent");
  constexpr int kRuns = 6;
  // Started together, they create their folders within the same second.
  std::string script;
  for (int i = 0; i < kRuns; ++i) {
    script += "'" + std::string(EXP_TEST_BINARY) +
              "' run configs/synthetic.yaml train.iterations=30 --runs-dir '" + runs.string() +
              "' >/dev/null 2>&1 & pids=\"$pids $!\"; ";
  }
  script += "failed=0; for pid in $pids; do wait $pid || failed=1; done; exit $failed";
  const auto result = xp::test::run_command(script);
  BOOST_TEST(result.status == 0, result.output);
  std::set<std::string> names;
  std::set<std::string> seconds;
  for (const auto& dir : fs::directory_iterator(runs / "synthetic")) {
    names.insert(dir.path().filename().string());
    seconds.insert(dir.path().filename().string().substr(0, 16));
    BOOST_TEST(summary_of(dir.path()).get<std::string>("status") == "completed");
    BOOST_TEST(xp::test::lines_of(dir.path() / "metrics.csv").size() == 31u);
  }
  BOOST_TEST(names.size() == std::size_t(kRuns));
  BOOST_TEST_MESSAGE(seconds.size() << " distinct second(s) among " << kRuns << " runs");
}

// The helper `exp resume`, ls and compare read statuses through, on hand-made run
// directories: every moment a run can die at, and runs from before run.lock existed.
BOOST_AUTO_TEST_CASE(effective_status_tells_a_live_run_from_a_dead_one_at_any_moment,
                     *boost::unit_test::label("fault_killed") *
                         boost::unit_test::label("fault_concurrent")) {
  const auto dir = xp::test::fresh_directory("exp-status");
  const auto status = [&] { return xp::effective_status(dir); };
  BOOST_TEST(contains(xp::test::error_of(status), "not a run directory"));
  {
    // Between creating the lock and writing the first summary.json.
    const xp::RunLock lock(dir);
    BOOST_TEST((status() == xp::RunStatus::running));
    BOOST_TEST(contains(xp::test::error_of([&] { xp::RunLock second(dir); }),
                        "is being written by another process"));
  }
  BOOST_TEST((status() == xp::RunStatus::crashed));  // died before its first summary
  const auto write_summary = [&](const std::string& word) {
    std::ofstream(dir / "summary.json") << "{\"status\": \"" << word << "\"}\n";
  };
  write_summary("running");
  {
    const xp::RunLock lock(dir);
    BOOST_TEST((status() == xp::RunStatus::running));
  }
  BOOST_TEST((status() == xp::RunStatus::crashed));
  write_summary("interrupted");
  BOOST_TEST((status() == xp::RunStatus::interrupted));
  fs::remove(dir / "run.lock");
  write_summary("running");  // written before run.lock existed: nothing to ask
  BOOST_TEST((status() == xp::RunStatus::running));
  write_summary("sleeping");
  BOOST_TEST(contains(xp::test::error_of(status), "unknown status 'sleeping'"));
}
