// exp report: the runs as one HTML page to explore in a browser (report_page.hpp).
#include <iostream>

#include "commands.hpp"
#include "config_arguments.hpp"
#include "exp/durable_file.hpp"
#include "exp/error.hpp"
#include "report_page.hpp"
#include "run_records.hpp"

namespace xp::cli {
namespace po = boost::program_options;
namespace fs = std::filesystem;

int report_command(const Arguments& arguments, const Arguments& /*command_line*/) {
  po::options_description options("exp report options");
  options.add_options()("output,o", po::value<std::string>()->default_value("report.html"),
                        "the HTML file to write (replaced atomically)")(
      "title", po::value<std::string>(), "the page's title (default: what it shows)");
  add_runs_dir_option(options, "the folder reported when no RUN_OR_FOLDER is given");
  const auto parsed = parse_word_arguments(arguments, options);
  if (parsed.help) {
    print_help(
        "exp report [RUN_OR_FOLDER... | --runs-dir DIR] [-o report.html] [--title T]",
        "Writes one self-contained HTML file (no server, no network: uPlot, the page's\n"
        "code and the runs' data are inside it) to open in a browser:\n"
        "  - a table of the runs: status, the config keys that differ, final and best\n"
        "    metrics, wall time, loss evaluations; sortable by any column, filtered by a\n"
        "    text box; a click on a row shows its folder, command and resolved config;\n"
        "  - loss (per step) and train/test accuracy (per evaluation) of the selected\n"
        "    runs overlaid: hover for every run's value, drag to zoom, double-click to\n"
        "    reset, a smoothing slider (exponential moving average), log y, x as step,\n"
        "    epoch, seconds or loss evaluations;\n"
        "  - a scatter of any config key against any final metric (how a sweep reads);\n"
        "  - for a single run, its summary (seed, build record, plugins with hashes) and\n"
        "    its pictures.\n"
        "Runs are named by the config keys that differ, leaving out those that cannot\n"
        "change results (train.threads). A folder stands for every run under it.",
        options);
    return 0;
  }
  const auto runs = read_runs(folders_or_runs_dir(parsed));
  ReportOptions report;
  if (parsed.options.count("title")) report.title = parsed.options["title"].as<std::string>();
  const fs::path output = parsed.options["output"].as<std::string>();
  if (output.empty() || !output.has_filename())
    throw po::error("-o '" + output.string() + "': expected a file name");
  if (fs::is_directory(output))
    throw ConfigError(output.string() + ": is a folder; expected the HTML file to write");
  write_durably(output, report_page(runs, report));
  std::cout << "report of " << runs.size() << (runs.size() == 1 ? " run: " : " runs: ")
            << output.string() << std::endl;
  return 0;
}

}  // namespace xp::cli

EXP_COMMAND(report, 54, "RUN_OR_FOLDER...  one HTML page to explore the runs in a browser",
            xp::cli::report_command)
