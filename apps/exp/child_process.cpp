#include "child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
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

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int failed = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw Error("cannot start " + program.string() + ": " + std::strerror(failed));
  return pid;
}

std::optional<ChildEnd> wait_for_child() {
  int status = 0;
  const pid_t pid = waitpid(-1, &status, 0);
  if (pid < 0 && errno == EINTR) return std::nullopt;
  if (pid < 0) throw Error(std::string("waiting for a child process: ") + std::strerror(errno));
  if (WIFSIGNALED(status)) return ChildEnd{pid, 128 + WTERMSIG(status), WTERMSIG(status)};
  return ChildEnd{pid, WEXITSTATUS(status), 0};
}

}  // namespace xp::cli
