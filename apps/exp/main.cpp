// exp: run, check and compare learning experiments described by YAML configs.
#include <boost/program_options/errors.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "commands.hpp"
#include "process_launch.hpp"
#include "version.hpp"
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
`exp <command> --help` describes a command's options; `exp --version` how exp was built.
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

// The commands that split their work between the processes of an MPI job; any other
// would run once per process (N sweeps, N resumes of one run).
bool shares_work_between_processes(const std::string& name) {
  return name == "run" || name == "resume" || name == "grad" || name == "gradcheck";
}

// A command's exit status and, when it failed, why (one line).
struct Outcome {
  int status = 0;
  std::string error;
};

Outcome run_command(const xp::cli::Command& command, const std::vector<std::string>& arguments,
                    const std::vector<std::string>& command_line) {
  try {
    return {command.run(arguments, command_line), ""};
  } catch (const xp::ConfigError& e) {
    return {2, e.what()};
  } catch (const boost::program_options::error& e) {
    return {2, e.what()};
  } catch (const std::exception& e) {
    return {1, e.what()};
  }
}

// A failure of one process of an MPI job ends all of them (the others would wait for
// it forever). Rank 0 reports and ends the job at once; another rank first gives rank
// 0 the time to do so, since most failures (a config error) happen on every rank
// alike, and only reports, with its number, one that rank 0 did not have.
void end_job_after_failure(xp::cli::ProcessLaunch& launch, const std::string& name,
                           const Outcome& outcome) {
  const xp::ProcessGroup& group = launch.group();
  if (group.rank() != 0) {
    if (!outcome.error.empty()) launch.report_failure(outcome.error);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    if (!outcome.error.empty()) {
      std::cerr << "exp " << name << ": rank " << group.rank() << ": " << outcome.error
                << std::endl;
    }
  } else if (!outcome.error.empty()) {
    std::cerr << "exp " << name << ": " << outcome.error << std::endl;
  }
  launch.abort(outcome.status);
}

}  // namespace

int main(int argc, char** argv) {
  xp::cli::ProcessLaunch launch(argc, argv);
  const std::vector<std::string> command_line(argv, argv + argc);
  if (argc < 2 || command_line[1] == "--help" || command_line[1] == "-h" ||
      command_line[1] == "help") {
    std::cout << usage();
    return argc < 2 ? 2 : 0;
  }
  if (command_line[1] == "--version" || command_line[1] == "-V") {
    xp::cli::print_version(std::cout);
    return 0;
  }
  const std::string name = command_line[1];
  const std::vector<std::string> arguments(command_line.begin() + 2, command_line.end());
  const xp::cli::Command* command = find_command(name);
  if (command == nullptr) {
    std::cerr << "exp: unknown command '" << name << "'" << xp::did_you_mean(name, command_names())
              << "; see exp --help\n";
    return 2;
  }
  const Outcome outcome =
      launch.group().size() > 1 && !shares_work_between_processes(name)
          ? Outcome{2, "runs as one process: start it without mpirun (under mpirun, exp run, "
                       "resume, grad and gradcheck split each gradient between the processes)"}
          : run_command(*command, arguments, command_line);
  // Completed, diverged and interrupted runs end alike on every rank.
  const bool failed = outcome.status == 1 || outcome.status == 2;
  if (failed && launch.group().size() > 1) end_job_after_failure(launch, name, outcome);
  if (!outcome.error.empty()) std::cerr << "exp " << name << ": " << outcome.error << "\n";
  return outcome.status;
}
