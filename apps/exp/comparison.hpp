// The table `exp compare` prints, also printed by `exp sweep` when its runs are done:
// one row per run, the config keys that differ between the runs as columns, then the
// final metrics.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "run_records.hpp"
#include "table.hpp"

namespace xp::cli {

struct ComparisonOptions {
  // A metric column (loss, test_acc, ...; summary.json's names work too) or a
  // differing config key; "" keeps the runs in the order given.
  std::string sort;
  bool reverse = false;
  TableFormat format = TableFormat::aligned;
};

// The metric columns and what they sort by, for help texts.
std::string comparison_columns_help();

// Throws xp::ConfigError for a sort key that is neither a metric nor a config key.
void print_comparison(std::vector<RunRecord> runs, const ComparisonOptions& options,
                      std::ostream& out);

}  // namespace xp::cli
