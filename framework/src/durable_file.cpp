#include "exp/durable_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace xp {

WriteError::~WriteError() = default;

namespace {

[[noreturn]] void fail(const std::filesystem::path& file, const char* what, int error) {
  throw WriteError(file.string() + ": " + what + " (" + std::strerror(error) + ")");
}

}  // namespace

void write_durably(const std::filesystem::path& file, std::string_view bytes) {
  const std::filesystem::path temporary =
      file.parent_path() / ("." + file.filename().string() + ".tmp");
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(file, "cannot create", errno);
  const auto abandon = [&](const char* what) {
    const int error = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    fail(file, what, error);
  };
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) abandon("write failed");
    written += std::size_t(n);
  }
  if (::fsync(fd) != 0) abandon("cannot flush to disk");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(file, "write failed on close", error);
  }
  if (std::rename(temporary.c_str(), file.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    fail(file, "cannot replace", error);
  }
  sync_folder(file.parent_path().empty() ? "." : file.parent_path());
}

void commit_durably(const std::filesystem::path& temporary, const std::filesystem::path& file) {
  const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail(file, "cannot open what was written", errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) fail(file, "cannot flush to disk", error);
  if (std::rename(temporary.c_str(), file.c_str()) != 0) fail(file, "cannot replace", errno);
  sync_folder(file.parent_path().empty() ? "." : file.parent_path());
}

void sync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(folder, "cannot open folder to flush it", errno);
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) fail(folder, "cannot flush folder to disk", error);
}

}  // namespace xp
