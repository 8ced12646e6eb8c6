#include "exp/run_status.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cerrno>
#include <cstring>

#include "exp/error.hpp"

namespace xp {
namespace fs = std::filesystem;

RunLock::RunLock(const fs::path& run_dir) {
  const fs::path file = run_dir / kRunLockFile;
  // Close-on-exec, so a child (git, gnuplot) never inherits the lock and keeps a dead
  // run looking alive.
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(file.string() + ": cannot create (" + std::strerror(errno) + ")");
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    const int error = errno;
    ::close(fd_);
    if (error == EWOULDBLOCK) {
      throw Error(run_dir.string() +
                  ": is being written by another process (exp run or exp resume)");
    }
    throw Error(file.string() + ": cannot lock (" + std::strerror(error) + ")");
  }
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

bool is_being_written(const fs::path& run_dir) {
  const int fd = ::open((run_dir / kRunLockFile).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  int result = 0;
  while ((result = ::flock(fd, LOCK_SH | LOCK_NB)) != 0 && errno == EINTR) {
  }
  const bool held = result != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // releases the shared lock if it was taken
  return held;
}

RunStatus recorded_status(const fs::path& run_dir) {
  const fs::path file = run_dir / "summary.json";
  boost::property_tree::ptree summary;
  try {
    boost::property_tree::read_json(file.string(), summary);
  } catch (const boost::property_tree::json_parser_error& e) {
    throw Error(file.string() + ": cannot read run summary: " + e.message());
  }
  const std::string word = summary.get<std::string>("status", "");
  const auto status = run_status_from_string(word);
  if (!status) throw Error(file.string() + ": unknown status '" + word + "'");
  return *status;
}

RunStatus effective_status(const fs::path& run_dir) {
  const bool has_lock = fs::exists(run_dir / kRunLockFile);
  if (!fs::exists(run_dir / "summary.json")) {
    if (!has_lock) throw Error(run_dir.string() + ": not a run directory (no summary.json)");
    return is_being_written(run_dir) ? RunStatus::running : RunStatus::crashed;
  }
  const RunStatus recorded = recorded_status(run_dir);
  if (recorded != RunStatus::running || !has_lock) return recorded;
  if (is_being_written(run_dir)) return RunStatus::running;
  // The run may have ended between the two looks: its last summary is written
  // before the lock is let go, so a second reading is final.
  const RunStatus final_status = recorded_status(run_dir);
  return final_status == RunStatus::running ? RunStatus::crashed : final_status;
}

}  // namespace xp
