#include "sweep_runner.hpp"

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include "child_process.hpp"
#include "exp/callbacks.hpp"
#include "exp/checkpoint.hpp"
#include "exp/error.hpp"
#include "exp/run_status.hpp"
#include "live_report.hpp"
#include "sweep_progress.hpp"
#include "run_records.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

// The run directory a child `exp run` reported, relative to the sweep folder.
std::string reported_run(const fs::path& output, const fs::path& sweep_folder) {
  std::ifstream stream(output);
  const std::string prefix = "run directory: ";
  for (std::string line; std::getline(stream, line);) {
    if (line.rfind(prefix, 0) == 0) {
      const fs::path run = line.substr(prefix.size());
      return run.lexically_relative(sweep_folder).string();
    }
  }
  return "";
}

// The last line a child printed, which says why it failed when it did.
std::string last_line(const fs::path& output) {
  std::ifstream stream(output);
  std::string last;
  for (std::string line; std::getline(stream, line);) {
    if (!line.empty()) last = line;
  }
  return last;
}

std::string status_of_exit(const ChildEnd& end) {
  if (end.signal == SIGINT || end.signal == SIGTERM || end.exit_status == 130) return "interrupted";
  if (end.exit_status == 0) return "completed";
  if (end.exit_status == 3) return "diverged";
  return "failed";
}

std::string rounded(double value, const char* format) {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

}  // namespace

SweepRunner::SweepRunner(Sweep& sweep, fs::path program, int jobs)
    : sweep_(sweep), program_(std::move(program)), jobs_(jobs) {}

void SweepRunner::run_as_slurm_task(std::string job, fs::path mpirun) {
  slurm_job_ = std::move(job);
  mpirun_ = std::move(mpirun);
}

bool SweepRunner::run(const std::vector<std::size_t>& pending) {
  StopOnSignal stop;  // handlers without SA_RESTART: a signal ends wait_for_child
  std::size_t next = 0;
  bool forwarded = false;
  while (next < pending.size() || !running_.empty()) {
    while (!StopOnSignal::requested() && next < pending.size() &&
           running_.size() < std::size_t(jobs_)) {
      launch(pending[next++]);
    }
    if (running_.empty()) break;
    // The terminal sends SIGINT to the children too; a `kill` of this process alone
    // does not, so it is passed on (a second one changes nothing for them).
    if (StopOnSignal::requested() && !forwarded) {
      for (const auto& entry : running_) kill(entry.first, StopOnSignal::signal_number());
      forwarded = true;
    }
    const auto end = wait_for_child(std::chrono::milliseconds(50));
    note_run_folders();
    if (report_) report_->refresh();
    if (progress_) {
      std::map<std::size_t, fs::path> outputs;
      for (const auto& [pid, index] : running_) outputs[index] = output_file(index);
      progress_->show(outputs);
    }
    if (!end) continue;  // a signal (forwarded at the top of the loop), or nothing yet
    const auto found = running_.find(end->pid);
    if (found == running_.end()) continue;
    finish(found->second, *end, StopOnSignal::requested());
    running_.erase(found);
  }
  return !StopOnSignal::requested();
}

fs::path SweepRunner::output_file(std::size_t index) const {
  return sweep_.folder / "output" / (std::to_string(index + 1) + ".txt");
}

void SweepRunner::launch(std::size_t index) {
  SweepCombination& combination = sweep_.combinations[index];
  const fs::path earlier = sweep_.folder / combination.run;
  // A stopped run with a checkpoint continues in its own directory (`exp resume`,
  // ending as it would have without stopping); any other starts afresh.
  const bool continued = !combination.run.empty() && has_checkpoint(earlier);
  std::vector<std::string> arguments;
  if (continued) {
    // A killed sweep's runs were sent SIGTERM and may still be writing their
    // checkpoint: give them a moment to finish stopping.
    for (int wait = 0; wait < 300 && is_being_written(earlier); ++wait) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    arguments = {"resume", fs::absolute(earlier).string()};
  } else {
    arguments = {"run", sweep_.config};
    arguments.insert(arguments.end(), sweep_.overrides.begin(), sweep_.overrides.end());
    arguments.insert(arguments.end(), combination.overrides.begin(), combination.overrides.end());
    arguments.push_back("--runs-dir");
    arguments.push_back(fs::absolute(sweep_.folder).string());
    if (!combination.run.empty() && fs::exists(earlier))
      combination.earlier_runs.push_back(combination.run);
    combination.run.clear();
  }
  fs::create_directories(sweep_.folder / "output");
  fs::path program = program_;
  if (!mpirun_.empty()) {
    arguments.insert(arguments.begin(), program_.string());
    program = mpirun_;
  }
  const pid_t pid = start_process(program, arguments, output_file(index));
  running_[pid] = index;
  combination.status = "running";
  if (!slurm_job_.empty()) combination.job = slurm_job_;
  save(index);
}

// sweep.yaml names each run's folder as soon as the run has made it, so that a
// sweep that is killed still knows its runs (and --resume continues them).
void SweepRunner::note_run_folders() {
  for (const auto& [pid, index] : running_) {
    SweepCombination& combination = sweep_.combinations[index];
    if (!combination.run.empty()) continue;
    combination.run = reported_run(output_file(index), fs::absolute(sweep_.folder));
    if (!combination.run.empty()) save(index);
  }
}

void SweepRunner::finish(std::size_t index, const ChildEnd& end, bool stopped) {
  SweepCombination& combination = sweep_.combinations[index];
  const fs::path output = output_file(index);
  const std::string reported = reported_run(output, fs::absolute(sweep_.folder));
  if (!reported.empty()) combination.run = reported;
  combination.status = status_of_exit(end);
  std::string detail;
  if (!combination.run.empty() && is_run_directory(sweep_.folder / combination.run)) {
    const RunRecord run = read_run(sweep_.folder / combination.run);
    if (run.summary_state == "read") combination.status = run.status();
    if (const auto accuracy = run.number("final_test_accuracy"))
      detail += "  test_acc " + rounded(*accuracy, "%.4f");
    if (const auto loss = run.number("final_loss")) detail += "  loss " + rounded(*loss, "%.4g");
    if (const auto wall = run.number("wall_seconds")) detail += "  " + rounded(*wall, "%.2f") + " s";
  }
  // Slurm stops a task with SIGTERM (scancel, the time limit); its run stopped at
  // the end of a step with a checkpoint, which --resume continues.
  if (stopped && !slurm_job_.empty() && combination.status == "interrupted")
    combination.status = "cancelled";
  if (combination.status != "completed" && combination.status != "interrupted" &&
      combination.status != "cancelled")
    detail += "  (" + last_line(output) + ")";
  save(index);
  if (progress_) progress_->clear();
  std::cout << "[" << index + 1 << "/" << sweep_.combinations.size() << "] " << combination.status
            << "  " << combination.label() << detail << std::endl;
}

// Writes this combination alone: other processes may be writing the others. A record
// that cannot be written (a full disk) is said, and the runs go on: they keep their own
// results, and the next save writes the whole of this combination again.
void SweepRunner::save(std::size_t index) {
  const SweepCombination& combination = sweep_.combinations[index];
  try {
    update_sweep_file(sweep_.folder, [&](Sweep& on_disk) {
      if (index >= on_disk.combinations.size())
        throw Error((sweep_.folder / kSweepFile).string() + ": lists " +
                    std::to_string(on_disk.combinations.size()) + " combinations, not " +
                    std::to_string(sweep_.combinations.size()));
      on_disk.combinations[index] = combination;
    });
  } catch (const std::exception& error) {
    std::cerr << "warning: combination " << index + 1 << " not recorded in "
              << (sweep_.folder / kSweepFile).string() << ": " << error.what() << std::endl;
  }
}

}  // namespace xp::cli
