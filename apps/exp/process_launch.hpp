// How this `exp` process was started: alone, or as one rank of `mpirun -np N exp ...`
// (Open MPI, when exp was built with it). MPI is initialised once, before any command
// runs, only when a launcher started the process, and finalised when it ends.
//
//   xp::cli::ProcessLaunch launch;                 // first thing in main
//   xp::ProcessGroup& group = launch.group();      // single_process() when alone
//   if (status == 1 && group.size() > 1) launch.abort(status);   // never a hang
#pragma once

#include <memory>
#include <string>

#include "exp/process_group.hpp"

namespace xp::cli {

class ProcessLaunch {
 public:
  ProcessLaunch(int& argc, char**& argv);
  ~ProcessLaunch();
  ProcessLaunch(const ProcessLaunch&) = delete;
  ProcessLaunch& operator=(const ProcessLaunch&) = delete;

  ProcessGroup& group();
  // On a rank other than 0: sends rank 0 why this rank fails, which rank 0 records as
  // its run's failure when it next waits for this rank.
  void report_failure(const std::string& reason);
  // Ends every process of the group with `status` (a failure on one rank would leave
  // the others waiting for it forever).
  [[noreturn]] void abort(int status);

 private:
  std::unique_ptr<ProcessGroup> mpi_;  // null when alone
};

// The group of this process (set up by main's ProcessLaunch).
ProcessGroup& process_group();

}  // namespace xp::cli
