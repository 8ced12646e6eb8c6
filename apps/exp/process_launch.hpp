// How this `exp` process was started: alone, or as one rank of `mpirun -np N exp ...`
// (Open MPI, when exp was built with it). MPI is initialised once, before any command
// runs, only when a launcher started the process, and finalised when it ends.
//
//   xp::cli::ProcessLaunch launch;                 // first thing in main
//   xp::ProcessGroup& group = launch.group();      // single_process() when alone
//   if (status == 1 && group.size() > 1) launch.abort(status);   // never a hang
#pragma once

#include <memory>

#include "exp/process_group.hpp"

namespace xp::cli {

class ProcessLaunch {
 public:
  ProcessLaunch(int& argc, char**& argv);
  ~ProcessLaunch();
  ProcessLaunch(const ProcessLaunch&) = delete;
  ProcessLaunch& operator=(const ProcessLaunch&) = delete;

  ProcessGroup& group();
  // Ends every process of the group with `status` (a failure on one rank would leave
  // the others waiting for it forever).
  [[noreturn]] void abort(int status);

 private:
  std::unique_ptr<ProcessGroup> mpi_;  // null when alone
};

// The group of this process (set up by main's ProcessLaunch).
ProcessGroup& process_group();

}  // namespace xp::cli
