// `--report` of exp run and exp sweep: keeps <folder>/report.html (exp report of every
// run in the folder) current while runs are written, so that a user watching a long
// run reloads the page. Rewritten atomically as training goes (after evaluations and
// steps; for a sweep, while it waits for its runs) at most once per interval, and once
// more at the end. A report that cannot be written is a warning, never the run's
// failure.
//
//   LiveReport report("runs", std::cerr);
//   ... train with &report among the callbacks ...
//   report.write();   // the final state
#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>

#include "exp/callbacks.hpp"

namespace xp::cli {

class LiveReport : public TrainingCallback {
 public:
  LiveReport(std::filesystem::path folder, std::ostream& warnings,
             std::chrono::seconds interval = std::chrono::seconds(5));

  void evaluated(const EvaluationRecord& record) override;
  // Also between evaluations (evaluate_every: never, or far apart).
  void step_completed(const TrainingSnapshot& snapshot) override;

  // Rewrites the report if the interval has passed since the last time.
  void refresh();
  // Rewrites it now.
  void write();

  std::filesystem::path file() const { return folder_ / "report.html"; }

 private:
  std::filesystem::path folder_;
  std::ostream& warnings_;
  std::chrono::seconds interval_;
  std::chrono::steady_clock::time_point last_{};
  std::string last_warning_;
};

}  // namespace xp::cli
