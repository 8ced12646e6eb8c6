#include "child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <csignal>
#include <cstring>

#include "exp/error.hpp"

extern char** environ;

namespace xp::cli {
namespace fs = std::filesystem;

fs::path this_executable(const std::string& argv0) {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? fs::absolute(argv0) : self;
}

fs::path find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string folders = path ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= folders.size();) {
    const std::size_t colon = std::min(folders.find(':', start), folders.size());
    const fs::path candidate = fs::path(folders.substr(start, colon - start)) / program;
    if (colon > start && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = colon + 1;
  }
  return {};
}

pid_t start_process(const fs::path& program, const std::vector<std::string>& arguments,
                    const fs::path& output) {
  std::vector<std::string> words = {program.string()};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  // Opened here, not in the child: between fork and exec only async-signal-safe
  // calls are allowed (this process has threads).
  const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) throw Error(output.string() + ": cannot create (" + std::strerror(errno) + ")");
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child dies with its parent: SIGTERM, so that a run stops at the end of a
    // step with a checkpoint, as when interrupted. A parent already gone is checked
    // after the request, which closes the race with its death.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(128 + SIGTERM);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::execve(program.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  const int error = errno;
  ::close(out);
  if (in >= 0) ::close(in);
  if (pid < 0) throw Error("cannot start " + program.string() + ": " + std::strerror(error));
  return pid;
}

ProgramResult run_program(const std::string& program, const std::vector<std::string>& arguments) {
  std::vector<std::string> words = {program};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (auto& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0)
    throw Error("cannot start " + program + ": " + std::strerror(errno));
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in, STDIN_FILENO);
    ::dup2(pipe_ends[1], STDOUT_FILENO);
    ::dup2(pipe_ends[1], STDERR_FILENO);
    ::execvp(program.c_str(), argv.data());
    ::_exit(127);
  }
  const int error = errno;
  ::close(pipe_ends[1]);
  if (in >= 0) ::close(in);
  if (pid < 0) {
    ::close(pipe_ends[0]);
    throw Error("cannot start " + program + ": " + std::strerror(error));
  }
  ProgramResult result;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (got > 0) {
      result.output.append(buffer, std::size_t(got));
    } else if (got == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  return result;
}

std::optional<ChildEnd> wait_for_child(std::chrono::milliseconds at_most) {
  int status = 0;
  pid_t pid = waitpid(-1, &status, WNOHANG);
  if (pid == 0) {
    // Nothing ended yet: a short sleep (cut short by a signal), then one more look.
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(at_most);
    timespec pause{time_t(seconds.count()), long((at_most - seconds).count()) * 1000000L};
    nanosleep(&pause, nullptr);
    pid = waitpid(-1, &status, WNOHANG);
    if (pid == 0) return std::nullopt;
  }
  if (pid < 0 && errno == EINTR) return std::nullopt;
  if (pid < 0) throw Error(std::string("waiting for a child process: ") + std::strerror(errno));
  if (WIFSIGNALED(status)) return ChildEnd{pid, 128 + WTERMSIG(status), WTERMSIG(status)};
  return ChildEnd{pid, WEXITSTATUS(status), 0};
}

}  // namespace xp::cli
