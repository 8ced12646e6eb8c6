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

void LiveReport::refresh() {
  if (std::chrono::steady_clock::now() - last_ >= interval_) write();
}

void LiveReport::write() {
  last_ = std::chrono::steady_clock::now();
  try {
    write_durably(file(), report_page(read_runs({folder_}), {}));
  } catch (const std::exception& error) {
    if (!warned_)
      warnings_ << "warning: " << file().string() << " not written: " << error.what() << std::endl;
    warned_ = true;
  }
}

}  // namespace xp::cli
