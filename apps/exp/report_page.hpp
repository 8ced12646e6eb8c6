// The HTML file `exp report` writes: one self-contained page (uPlot, its style and the
// runs' data inlined; no request leaves the page) with the runs table, overlaid
// curves, a scatter of a config key against a final metric and, for one run, its
// summary and pictures. The page's code is apps/exp/report/; this builds its data.
//
//   const std::string html = xp::cli::report_page(runs, {.title = "lr sweep"});
#pragma once

#include <string>
#include <vector>

#include "run_records.hpp"

namespace xp::cli {

struct ReportOptions {
  std::string title;  // "" = "exp report: <n> runs"
};

// Reads each run's metrics.csv, epochs.csv, config.yaml, command.txt and (for a
// single run) its pictures; a file a run lacks is left out, never an error.
std::string report_page(const std::vector<RunRecord>& runs, const ReportOptions& options);

}  // namespace xp::cli
