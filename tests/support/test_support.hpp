// Shared by the tests: the build tree's plugins through the real loader, and the
// real `exp` executable.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "exp/plugin_registry.hpp"

namespace xp::test {

// A registry over the build tree's plugin folder only.
PluginRegistry& registry();

// Creates a plugin object with parameters given as a YAML mapping ("{lr: 0.1}").
template <typename T>
std::shared_ptr<T> make(PluginKind kind, const std::string& name, const std::string& yaml = "{}",
                        const Context& context = {}) {
  return registry().create<T>(kind, name, YAML::Load(yaml), std::string(to_string(kind)),
                              [](const std::string&, const YAML::Node& node) {
                                return locate_by_mark("<test>", node);
                              },
                              context);
}

// Runs a shell command line, returning its exit status and everything it printed.
struct CommandResult {
  int status = -1;
  std::string output;
};
CommandResult run_command(const std::string& command_line);

// `exp` followed by arguments (already shell-quoted where needed).
CommandResult run_exp(const std::string& arguments);

// `exp run ARGUMENTS --runs-dir RUNS`, and the run directory it reported.
struct Run {
  int status = -1;
  std::string output;
  std::filesystem::path dir;  // empty if the command created none
};
Run run_experiment(const std::filesystem::path& runs, const std::string& arguments);

// The message of the xp::Error that action throws, or "" if it throws none.
std::string error_of(const std::function<void()>& action);

// A fresh, empty directory under the system's temporary folder (in exp-tests-<pid>,
// which the test program removes when it exits; EXP_KEEP_TEST_FILES=1 keeps it).
std::filesystem::path fresh_directory(const std::string& prefix);

std::string read_file(const std::filesystem::path& file);

// The file's lines, without their line ends.
std::vector<std::string> lines_of(const std::filesystem::path& file);

// The one sweep folder `exp sweep --runs-dir runs` made (runs/sweeps/<name>); throws
// std::runtime_error when there is none or more than one.
std::filesystem::path only_sweep_folder(const std::filesystem::path& runs);

}  // namespace xp::test
