#include "test_support.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace xp::test {

PluginRegistry& registry() {
  static PluginRegistry instance({EXP_TEST_PLUGIN_DIR});
  return instance;
}

CommandResult run_command(const std::string& command_line) {
  CommandResult result;
  const std::string with_stderr = command_line + " 2>&1";
  FILE* pipe = popen(with_stderr.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    result.output.append(buffer.data(), read);
  const int status = pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

CommandResult run_exp(const std::string& arguments) {
  return run_command(std::string("'") + EXP_TEST_BINARY + "' " + arguments);
}

Run run_experiment(const std::filesystem::path& runs, const std::string& arguments) {
  const auto result = run_exp("run " + arguments + " --runs-dir '" + runs.string() + "'");
  Run run{result.status, result.output, {}};
  const std::regex line("run directory: (.*)");
  std::smatch match;
  if (std::regex_search(result.output, match, line)) {
    run.dir = match[1].str();
  } else if (arguments.find("--quiet") != std::string::npos) {
    // --quiet prints the path alone, on the first line.
    run.dir = result.output.substr(0, result.output.find('\n'));
  }
  return run;
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const xp::Error& e) {
    return e.what();
  }
  return "";
}

namespace {

// One folder per test program, <temp>/exp-tests-<pid>, holding every directory
// fresh_directory makes; removed when the program ends, so that a test run leaves the
// temporary folder as it found it (EXP_KEEP_TEST_FILES=1 keeps it, to look at). Only
// the process that made it removes it: a forked child that exits must not take its
// parent's files.
class TestFolder {
 public:
  TestFolder()
      : path_(std::filesystem::temp_directory_path() / ("exp-tests-" + std::to_string(owner_))) {
    std::filesystem::create_directories(path_);
    // Open to all whatever the umask, as /tmp is: tests/slurm's munged (another user)
    // needs every folder above its socket open.
    std::filesystem::permissions(
        path_, std::filesystem::perms::owner_all | std::filesystem::perms::group_read |
                   std::filesystem::perms::group_exec | std::filesystem::perms::others_read |
                   std::filesystem::perms::others_exec);
  }
  ~TestFolder() {
    const char* keep = std::getenv("EXP_KEEP_TEST_FILES");
    if (getpid() != owner_ || (keep != nullptr && std::string(keep) == "1")) return;
    // A daemon a test stopped (tests/slurm) may still be writing its last files: a few
    // tries, half a second apart. Errors are not reported at exit; scripts/test.sh
    // checks that the folder is gone.
    for (int attempt = 0; attempt < 5; ++attempt) {
      std::error_code error;
      std::filesystem::remove_all(path_, error);
      if (!error) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  const pid_t owner_ = getpid();
  const std::filesystem::path path_;
};

}  // namespace

std::filesystem::path fresh_directory(const std::string& prefix) {
  static const TestFolder folder;
  std::random_device entropy;
  for (;;) {
    auto dir = folder.path() / (prefix + "-" + std::to_string(entropy()));
    if (std::filesystem::create_directories(dir)) return dir;
  }
}

std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<std::string> lines_of(const std::filesystem::path& file) {
  std::vector<std::string> lines;
  std::istringstream in(read_file(file));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::filesystem::path only_sweep_folder(const std::filesystem::path& runs) {
  std::vector<std::filesystem::path> folders;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(runs / "sweeps", error))
    folders.push_back(entry.path());
  if (folders.size() != 1)
    throw std::runtime_error((runs / "sweeps").string() + " holds " +
                             std::to_string(folders.size()) + " sweep folders, not one");
  return folders[0];
}

}  // namespace xp::test
