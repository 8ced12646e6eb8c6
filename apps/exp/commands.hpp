// The `exp` subcommands. Each registers itself from its own file (EXP_COMMAND), so
// adding a command never touches main.cpp. A command takes the words after its name
// (and the whole invocation, for a run's command.txt) and returns the exit status:
// 0 success, 2 config or command-line error, 1 other failure, 3 diverged,
// 130 interrupted. Errors are thrown (xp::ConfigError, boost::program_options::error,
// xp::Error) and turned into one-line messages by main.
#pragma once

#include <string>
#include <vector>

namespace xp::cli {

using Arguments = std::vector<std::string>;

struct Command {
  int rank;              // position in `exp --help`
  const char* name;      // exp <name>
  const char* synopsis;  // arguments, then what it does (one line of --help)
  int (*run)(const Arguments& arguments, const Arguments& command_line);
};

// Every command registered, in rank order.
const std::vector<Command>& commands();

struct CommandRegistration {
  explicit CommandRegistration(const Command& command);
};

}  // namespace xp::cli

// Registers a command at start-up: EXP_COMMAND(compare, 50, "RUN_DIR...  what", fn).
#define EXP_COMMAND(name, rank, synopsis, function)         \
  namespace {                                               \
  const ::xp::cli::CommandRegistration name##_registration{ \
      ::xp::cli::Command{rank, #name, synopsis, function}}; \
  }
