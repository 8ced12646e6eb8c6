// Child processes of `exp sweep`: another `exp` started with its output going to a
// file, waiting for whichever child ends first, and short commands (sbatch, squeue)
// run to their end with their output captured.
//
//   const pid_t pid = xp::cli::start_process("/proc/self/exe", {"run", "a.yaml"}, "out.txt");
//   const auto ended = xp::cli::wait_for_child();   // {pid, exit status} or nullopt
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace xp::cli {

// The executable of this process (to start more of itself), from /proc/self/exe, or
// argv0 where that cannot be read.
std::filesystem::path this_executable(const std::string& argv0);

// The program's path from PATH's folders ("" when none has it).
std::filesystem::path find_in_path(const std::string& program);

// Starts program with arguments (argv[1]...), its stdout and stderr written to
// output (created or truncated), stdin from /dev/null. The child gets SIGTERM when
// this process dies, however it dies (SIGKILL too): no run is left orphaned.
// Throws xp::Error.
pid_t start_process(const std::filesystem::path& program, const std::vector<std::string>& arguments,
                    const std::filesystem::path& output);

struct ChildEnd {
  pid_t pid = 0;
  int exit_status = 0;  // the child's exit status, or 128 + the signal that killed it
  int signal = 0;       // the signal that killed it, 0 if it exited
};

// What a program printed (stdout and stderr together) and how it ended.
struct ProgramResult {
  int exit_status = 0;  // 127 when it could not be started (not found), 128 + signal
  std::string output;
};

// Runs program (looked up in PATH unless it holds a '/') with arguments to its end,
// stdin from /dev/null: for short commands such as sbatch and squeue. Waits for that
// child alone. Throws xp::Error when no process can be made.
ProgramResult run_program(const std::string& program, const std::vector<std::string>& arguments);

// Waits until a child ends, for at most `at_most`. Returns nullopt when none ended by
// then or the wait was interrupted by a signal (so the caller can react to it);
// throws xp::Error when there is no child.
std::optional<ChildEnd> wait_for_child(std::chrono::milliseconds at_most);

}  // namespace xp::cli
