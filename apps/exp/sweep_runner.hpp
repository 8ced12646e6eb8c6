// Runs combinations of a sweep, each an `exp run` (or `exp resume` of its stopped
// run) in a child process with its output in <sweep>/output/<n>.txt, a few at a time.
// The local launcher runs the whole grid with it; under Slurm each array task runs
// its one combination with it. Either way sweep.yaml is updated combination by
// combination as runs start and end.
//
//   xp::cli::SweepRunner runner(sweep, xp::cli::this_executable(argv0), 2);
//   const bool whole = runner.run({0, 1, 2});   // false: a signal stopped it
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sweep_file.hpp"

namespace xp::cli {

struct ChildEnd;

class SweepRunner {
 public:
  // program: the `exp` to start; jobs: combinations at the same time.
  SweepRunner(Sweep& sweep, std::filesystem::path program, int jobs);

  // This runner is Slurm array task `job` ("812_3"): it records the task with the
  // combination, and a stop by signal reads `cancelled` (Slurm's SIGTERM: scancel or
  // the time limit). mpirun: when set, each run is started under it (a combination
  // that spans the task's nodes).
  void run_as_slurm_task(std::string job, std::filesystem::path mpirun = {});

  // Shows the running combinations' progress as it waits.
  void show_progress(class SweepProgress* progress) { progress_ = progress; }

  // Keeps that report current while the runs go (LiveReport::refresh as it waits).
  void keep_report(class LiveReport* report) { report_ = report; }

  // Runs the combinations listed; returns false if a signal stopped the sweep.
  bool run(const std::vector<std::size_t>& pending);

 private:
  std::filesystem::path output_file(std::size_t index) const;
  void launch(std::size_t index);
  void note_run_folders();
  void finish(std::size_t index, const ChildEnd& end, bool stopped);
  void save(std::size_t index);

  Sweep& sweep_;
  std::filesystem::path program_;
  int jobs_;
  std::string slurm_job_;         // "" when not a Slurm task
  std::filesystem::path mpirun_;  // "" = runs start directly
  class LiveReport* report_ = nullptr;
  class SweepProgress* progress_ = nullptr;
  std::map<pid_t, std::size_t> running_;  // child -> combination
};

}  // namespace xp::cli
