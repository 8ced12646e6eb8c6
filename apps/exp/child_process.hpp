// Child processes of `exp sweep`: another `exp` started with its output going to a
// file, and waiting for whichever child ends first.
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

// Waits until a child ends, for at most `at_most`. Returns nullopt when none ended by
// then or the wait was interrupted by a signal (so the caller can react to it);
// throws xp::Error when there is no child.
std::optional<ChildEnd> wait_for_child(std::chrono::milliseconds at_most);

}  // namespace xp::cli
