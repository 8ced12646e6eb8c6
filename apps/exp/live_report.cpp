#include "live_report.hpp"

#include "exp/durable_file.hpp"
#include "exp/error.hpp"
#include "report_page.hpp"
#include "run_records.hpp"

namespace xp::cli {

LiveReport::LiveReport(std::filesystem::path folder, std::ostream& warnings,
                       std::chrono::seconds interval)
    : folder_(std::move(folder)), warnings_(warnings), interval_(interval) {}

void LiveReport::evaluated(const EvaluationRecord&) { refresh(); }

void LiveReport::step_completed(const TrainingSnapshot&) { refresh(); }

void LiveReport::refresh() {
  if (std::chrono::steady_clock::now() - last_ >= interval_) write();
}

void LiveReport::write() {
  try {
    // A sweep's first runs may not have made their folders yet.
    const auto runs = find_runs(folder_);
    if (!runs.empty()) write_durably(file(), report_page(read_runs(runs), {}));
  } catch (const std::exception& error) {
    // Said once per distinct reason, not every few seconds.
    if (error.what() != last_warning_)
      warnings_ << "warning: " << file().string() << " not written: " << error.what() << std::endl;
    last_warning_ = error.what();
  }
  // From the end of the write: a slow one does not run again at once.
  last_ = std::chrono::steady_clock::now();
}

}  // namespace xp::cli
