// What the resume tests share: a real `exp run` started as a child process (so a
// test can signal it), waiting for what a run writes, and the comparison of two
// run directories that must hold the same results.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "exp/checkpoint.hpp"
#include "test_support.hpp"

extern char** environ;

namespace xp::test {

namespace fs = std::filesystem;

inline boost::property_tree::ptree summary_of(const fs::path& dir) {
  boost::property_tree::ptree tree;
  boost::property_tree::read_json((dir / "summary.json").string(), tree);
  return tree;
}

// The identity a run's checkpoints carry, recomputed from its files: config.yaml and
// the plugins summary.json names (as exp resume computes it from the same files).
inline std::string identity_of(const fs::path& dir) {
  std::vector<std::string> plugins;
  const auto summary = summary_of(dir);
  for (const auto& [key, plugin] : summary.get_child("plugins")) {
    plugins.push_back(plugin.get<std::string>("kind") + " " + plugin.get<std::string>("name") +
                      " " + plugin.get<std::string>("version"));
  }
  return run_identity(read_file(dir / "config.yaml"), plugins);
}

// `exp run ARGUMENTS --runs-dir RUNS` as a child process whose output goes to
// RUNS/output-<pid>.txt.
class ChildRun {
 public:
  ChildRun(const fs::path& runs, const std::vector<std::string>& arguments) : runs_(runs) {
    std::vector<std::string> words = {EXP_TEST_BINARY, "run"};
    words.insert(words.end(), arguments.begin(), arguments.end());
    words.insert(words.end(), {"--runs-dir", runs.string()});
    std::vector<char*> argv;
    for (auto& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    fs::create_directories(runs);
    output_ = runs /
              ("output-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++) + ".txt");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, output_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int error = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    BOOST_TEST_REQUIRE(error == 0, "cannot start " << words[0]);
  }
  ~ChildRun() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  ChildRun(const ChildRun&) = delete;
  ChildRun& operator=(const ChildRun&) = delete;

  // The run directory, once the run has created it (waits for it).
  fs::path dir() {
    wait_until([&] { return fs::exists(runs_) && find_dir().has_value(); }, "a run directory");
    return *find_dir();
  }

  // Polls until ready() holds; fails the test (with the run's output) after a
  // generous bound that only a hung run reaches.
  void wait_until(const std::function<bool()>& ready, const std::string& what) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!ready()) {
      int status = 0;
      BOOST_TEST_REQUIRE(pid_ > 0);
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        BOOST_FAIL("the run ended before " << what << ":\n" << read_file(output_));
      }
      if (std::chrono::steady_clock::now() > give_up) BOOST_FAIL("waited a minute for " << what);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Rows below the header of the run's metrics.csv.
  std::size_t metric_rows() {
    const fs::path file = dir() / "metrics.csv";
    return fs::exists(file) ? std::max<std::size_t>(lines_of(file).size(), 1) - 1 : 0;
  }

  // Sends the signal and waits for the process: its exit status, 128 + signal if killed.
  int stop(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string output() const { return read_file(output_); }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  std::optional<fs::path> find_dir() const {
    for (const auto& experiment : fs::directory_iterator(runs_)) {
      if (!experiment.is_directory()) continue;
      for (const auto& run : fs::directory_iterator(experiment.path())) return run.path();
    }
    return std::nullopt;
  }
  fs::path runs_;
  fs::path output_;
  pid_t pid_ = -1;
};

// Every line of a CSV file (header included) without column `column`.
inline std::vector<std::string> without_column(const fs::path& file, std::size_t column) {
  std::vector<std::string> rows;
  for (const auto& line : lines_of(file)) {
    std::stringstream cells(line);
    std::string row;
    std::size_t c = 0;
    for (std::string cell; std::getline(cells, cell, ','); ++c) {
      if (c != column) row += cell + ",";
    }
    rows.push_back(row);
  }
  return rows;
}

// The promise of `exp resume`: the same parameters to the bit, the same metric rows
// except metrics.csv's `seconds` (column 3, the only timing column), the same
// gradient measurements and the same cost.
inline void check_same_results(const fs::path& resumed, const fs::path& reference) {
  std::size_t tensors = 0;
  for (const auto& file : fs::directory_iterator(reference / "params")) {
    const fs::path other = resumed / "params" / file.path().filename();
    BOOST_TEST_REQUIRE(fs::exists(other), other);
    BOOST_TEST((read_file(other) == read_file(file.path())), file.path().filename());
    ++tensors;
  }
  BOOST_TEST(tensors > 0u);
  const auto steps = without_column(resumed / "metrics.csv", 3);
  const auto reference_steps = without_column(reference / "metrics.csv", 3);
  BOOST_TEST(steps.size() == reference_steps.size());
  BOOST_TEST(steps == reference_steps, boost::test_tools::per_element());
  BOOST_TEST(read_file(resumed / "epochs.csv") == read_file(reference / "epochs.csv"));
  BOOST_TEST(lines_of(reference / "epochs.csv").size() > 2u);
  const fs::path quality = "gradient_quality.csv";
  BOOST_TEST(fs::exists(resumed / quality) == fs::exists(reference / quality));
  if (fs::exists(reference / quality)) {
    BOOST_TEST(read_file(resumed / quality) == read_file(reference / quality));
  }
  const auto summary = summary_of(resumed);
  const auto expected = summary_of(reference);
  for (const char* figure : {"loss_evaluations", "forward_passes", "derivative_passes",
                             "gradient_quality_measurements", "mean_cosine", "mean_relative_error",
                             "mean_sign_agreement"}) {
    BOOST_TEST(summary.get<std::string>(figure) == expected.get<std::string>(figure), figure);
  }
}

}  // namespace xp::test
