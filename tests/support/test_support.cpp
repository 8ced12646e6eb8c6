#include "test_support.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
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
  while ((read = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), read);
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

std::filesystem::path fresh_directory(const std::string& prefix) {
  std::random_device entropy;
  for (;;) {
    auto dir = std::filesystem::temp_directory_path() / (prefix + "-" + std::to_string(entropy()));
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
