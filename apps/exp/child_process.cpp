#include "child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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
