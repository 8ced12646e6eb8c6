// The `exp` subcommands. Each takes the words after its name and returns the exit
// status: 0 success, 2 config or command-line error, 1 other failure, 3 diverged,
// 130 interrupted. Errors are thrown (xp::ConfigError, boost::program_options::error,
// xp::Error) and turned into one-line messages by main.
#pragma once

#include <string>
#include <vector>

namespace xp::cli {

using Arguments = std::vector<std::string>;

// command_line is the whole invocation, for the run's command.txt.
int run_command(const Arguments& arguments, const Arguments& command_line);
int plugins_command(const Arguments& arguments);
int validate_command(const Arguments& arguments);
int compare_command(const Arguments& arguments);
int grad_command(const Arguments& arguments);

}  // namespace xp::cli
