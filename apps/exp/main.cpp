// exp: run, check and compare learning experiments described by YAML configs.
#include <boost/program_options/errors.hpp>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "exp/error.hpp"
#include "exp/suggest.hpp"

namespace {

constexpr const char* kUsage = R"(usage: exp <command> [options]

commands:
  run CONFIG [key.path=value ...]    train as the config says; writes runs/<experiment>/<time>-<id>/
  validate CONFIG [key.path=value ...]  check a config and print it fully resolved
  grad CONFIG [key.path=value ...]   the gradient at the initial parameters on the first batch
  plugins [KIND]                     the plugins found, with their parameters
  compare RUN_DIR RUN_DIR...         differing config keys and final metrics of runs

`exp <command> --help` describes a command's options.
Overrides are Hydra-style: optimizer.lr=0.01 train.iterations=200 model.hidden=[100,50]
Exit status: 0 success, 1 failure, 2 config or command-line error, 3 the loss diverged,
130 interrupted.
)";

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> command_line(argv, argv + argc);
  if (argc < 2 || command_line[1] == "--help" || command_line[1] == "-h" ||
      command_line[1] == "help") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = command_line[1];
  const std::vector<std::string> arguments(command_line.begin() + 2, command_line.end());
  try {
    if (command == "run") return xp::cli::run_command(arguments, command_line);
    if (command == "validate") return xp::cli::validate_command(arguments);
    if (command == "grad") return xp::cli::grad_command(arguments);
    if (command == "plugins") return xp::cli::plugins_command(arguments);
    if (command == "compare") return xp::cli::compare_command(arguments);
    std::cerr << "exp: unknown command '" << command << "'"
              << xp::did_you_mean(command, {"run", "validate", "grad", "plugins", "compare"})
              << "; see exp --help\n";
    return 2;
  } catch (const xp::ConfigError& e) {
    std::cerr << "exp " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const boost::program_options::error& e) {
    std::cerr << "exp " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "exp " << command << ": " << e.what() << "\n";
    return 1;
  }
}
