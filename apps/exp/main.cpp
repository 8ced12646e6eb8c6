// exp: run, check and compare learning experiments described by YAML configs.
#include <boost/program_options/errors.hpp>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "exp/error.hpp"
#include "exp/suggest.hpp"

namespace {

std::string usage() {
  std::ostringstream text;
  text << "usage: exp <command> [options]\n\ncommands:\n";
  for (const auto& command : xp::cli::commands()) {
    const std::string synopsis = command.synopsis;
    const auto gap = synopsis.find("  ");
    const std::string words = std::string(command.name) + " " + synopsis.substr(0, gap);
    const std::string about = gap == std::string::npos ? "" : synopsis.substr(gap + 2);
    text << "  " << std::left << std::setw(36) << words << " " << about << "\n";
  }
  text << R"(
`exp <command> --help` describes a command's options.
Overrides are Hydra-style: optimizer.lr=0.01 train.iterations=200 model.hidden=[100,50]
Exit status: 0 success, 1 failure, 2 config or command-line error, 3 the loss diverged,
130 interrupted.
)";
  return text.str();
}

const xp::cli::Command* find_command(const std::string& name) {
  for (const auto& command : xp::cli::commands()) {
    if (name == command.name) return &command;
  }
  return nullptr;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& command : xp::cli::commands()) names.emplace_back(command.name);
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> command_line(argv, argv + argc);
  if (argc < 2 || command_line[1] == "--help" || command_line[1] == "-h" ||
      command_line[1] == "help") {
    std::cout << usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string name = command_line[1];
  const std::vector<std::string> arguments(command_line.begin() + 2, command_line.end());
  const xp::cli::Command* command = find_command(name);
  if (command == nullptr) {
    std::cerr << "exp: unknown command '" << name << "'" << xp::did_you_mean(name, command_names())
              << "; see exp --help\n";
    return 2;
  }
  try {
    return command->run(arguments, command_line);
  } catch (const xp::ConfigError& e) {
    std::cerr << "exp " << name << ": " << e.what() << "\n";
    return 2;
  } catch (const boost::program_options::error& e) {
    std::cerr << "exp " << name << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "exp " << name << ": " << e.what() << "\n";
    return 1;
  }
}
