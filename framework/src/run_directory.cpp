#include "exp/run_directory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <random>

#include "exp/durable_file.hpp"
#include "exp/error.hpp"

namespace xp {
namespace fs = std::filesystem;

namespace {

std::string utc_stamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

std::string random_hex(std::size_t digits) {
  static std::random_device entropy;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < digits; ++i) text += kHex[entropy() % 16];
  return text;
}

// A new file, whole: a failed write leaves no file behind.
void write_file(const fs::path& file, const std::string& text, int flags) {
  const int fd = ::open(file.c_str(), flags, 0644);
  if (fd < 0) throw WriteError(file.string() + ": cannot create (" + std::strerror(errno) + ")");
  std::size_t written = 0;
  int result = 0;
  while (written < text.size() && result == 0) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) result = -1;
    written += n > 0 ? std::size_t(n) : 0;
  }
  if (result == 0) result = ::fsync(fd);
  const int error = errno;
  if (::close(fd) != 0 && result == 0) result = -1;
  if (result != 0) {
    ::unlink(file.c_str());
    throw WriteError(file.string() + ": write failed (" + std::strerror(error ? error : errno) +
                     ")");
  }
}

}  // namespace

RunDirectory RunDirectory::create(const fs::path& runs_root, const std::string& experiment) {
  const fs::path parent = runs_root / experiment;
  std::error_code error;
  fs::create_directories(parent, error);
  if (error) throw Error(parent.string() + ": cannot create run folder (" + error.message() + ")");
  for (int attempt = 0; attempt < 100; ++attempt) {
    const fs::path path = parent / (utc_stamp() + "-" + random_hex(6));
    // create_directory reports false when the folder exists: someone else's run.
    if (fs::create_directory(path, error)) return RunDirectory(path);
    if (error) throw Error(path.string() + ": cannot create run folder (" + error.message() + ")");
  }
  throw Error(parent.string() + ": no unused run folder name after 100 attempts");
}

RunDirectory RunDirectory::open(const fs::path& path) {
  if (!fs::is_directory(path)) throw Error(path.string() + ": no such run directory");
  return RunDirectory(path);
}

void RunDirectory::write_new(const std::string& name, const std::string& text) const {
  write_file(file(name), text, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC);
}

void RunDirectory::replace_atomically(const std::string& name, const std::string& text) const {
  write_durably(file(name), text);
}

fs::path RunDirectory::folder(const std::string& name) const {
  const fs::path path = file(name);
  std::error_code error;
  fs::create_directories(path, error);
  if (error) throw Error(path.string() + ": cannot create folder (" + error.message() + ")");
  return path;
}

std::string shell_quoted(const std::vector<std::string>& arguments) {
  std::string line;
  for (const auto& argument : arguments) {
    if (!line.empty()) line += ' ';
    const bool plain =
        !argument.empty() && argument.find_first_not_of(
                                 "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "0123456789_-+=./:,@%") == std::string::npos;
    if (plain) {
      line += argument;
      continue;
    }
    line += '\'';
    for (const char c : argument) line += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += '\'';
  }
  return line;
}

}  // namespace xp
