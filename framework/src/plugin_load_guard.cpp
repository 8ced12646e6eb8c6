#include "exp/plugin_load_guard.hpp"

#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <string>

namespace xp {

namespace {

// The file being loaded, as a plain buffer: read from a signal handler.
char g_loading[4096] = {};
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
struct sigaction g_previous[std::size(kFatalSignals)];

void say(const char* what) {
  const char* parts[] = {"exp: ", g_loading, ": ", what, "\n"};
  for (const char* part : parts) {
    [[maybe_unused]] const ssize_t ignored = ::write(STDERR_FILENO, part, std::strlen(part));
  }
}

void on_exit() {
  if (g_loading[0] == '\0') return;
  say("the plugin ended the process while being loaded (exit() in a static constructor?)");
  ::_exit(1);
}

void on_fatal_signal(int signal) {
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    if (kFatalSignals[i] == signal) ::sigaction(signal, &g_previous[i], nullptr);
  }
  if (g_loading[0] != '\0') {
    say(signal == SIGABRT ? "crashed while being loaded (it aborted, signal 6)"
                          : "crashed while being loaded (a fatal signal)");
  }
  ::raise(signal);  // as before: the previous handler, or the default end
}

}  // namespace

PluginLoadGuard::PluginLoadGuard(const std::filesystem::path& file) {
  static std::once_flag registered;
  std::call_once(registered, [] { std::atexit(on_exit); });
  const std::string name = file.string();
  const std::size_t length = std::min(name.size(), sizeof g_loading - 1);
  std::memcpy(g_loading, name.data(), length);
  g_loading[length] = '\0';
  struct sigaction action {};
  action.sa_handler = on_fatal_signal;
  sigemptyset(&action.sa_mask);
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    ::sigaction(kFatalSignals[i], &action, &g_previous[i]);
  }
}

PluginLoadGuard::~PluginLoadGuard() {
  for (std::size_t i = 0; i < std::size(kFatalSignals); ++i) {
    ::sigaction(kFatalSignals[i], &g_previous[i], nullptr);
  }
  g_loading[0] = '\0';
}

}  // namespace xp
