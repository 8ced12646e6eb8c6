// Whether a run is still being written, and what its status really is.
//
// summary.json says `running` from the moment a run starts until it records how it
// ended; a process killed outright (SIGKILL, out of memory, power loss) never gets
// to write that. So the process that writes a run holds an exclusive lock (flock) on
// <run>/run.lock for as long as it lives: RunLock. The kernel drops the lock when the
// process dies, however it dies. A reader that finds `running` tries the lock, and if
// it can take it nobody is writing the run: its status is `crashed`.
//
// A lock rather than a recorded pid because pids are reused (a dead run's pid can
// belong to another process a minute later) and a pid cannot be asked about on
// another host, while a lock answers for the run itself. summary.json still records
// host and pid, for people.
//
//   xp::RunStatus status = xp::effective_status(run_dir);   // exp ls, compare, resume
//
//   xp::RunLock lock(run.path());  // exp run, exp resume: taken before summary.json
//                                  // is first written, held until destroyed
#pragma once

#include <filesystem>

#include "exp/run_summary.hpp"

namespace xp {

inline constexpr const char* kRunLockFile = "run.lock";

class RunLock {
 public:
  // Creates run.lock if needed and takes it; throws xp::Error naming the run when
  // another process holds it (the run is being written, or resumed, elsewhere).
  explicit RunLock(const std::filesystem::path& run_dir);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

// Whether a live process holds the run's lock. False when there is no run.lock.
bool is_being_written(const std::filesystem::path& run_dir);

// The status summary.json records; throws xp::Error when the file cannot be read.
RunStatus recorded_status(const std::filesystem::path& run_dir);

// The status to report: the recorded one, except `crashed` for a run recorded as
// running (or that died before its first summary.json) whose lock nobody holds.
// Runs written before run.lock existed keep their recorded status. Throws xp::Error
// for a folder that is not a run directory (neither summary.json nor run.lock).
RunStatus effective_status(const std::filesystem::path& run_dir);

}  // namespace xp
