// exp report on real runs: one self-contained HTML file whose data are the runs' own
// numbers, bad arguments refused, and (where Chromium is installed) the page in a real
// browser: table, sorting, filtering, one series per run, hover, smoothing, log y, no
// JavaScript error and no request leaving the page.
#define BOOST_TEST_MODULE exp report
#include <yaml-cpp/yaml.h>

#include <boost/property_tree/json_parser.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;
using xp::test::only_sweep_folder;
using xp::test::read_file;
using xp::test::run_exp;

namespace {

// A real sweep of four short runs, made once for the whole program.
struct Sweep {
  Sweep() : runs(xp::test::fresh_directory("exp-report")) {
    const auto swept = run_exp(
        "sweep configs/synthetic.yaml optimizer.lr=1,0.1 'model.hidden=[10],[4,4]' "
        "train.iterations=200 train.evaluate_every=20 --jobs 2 --runs-dir '" + runs.string() + "'");
    if (swept.status != 0) throw std::runtime_error("the sweep failed:\n" + swept.output);
    folder = only_sweep_folder(runs);
    for (const auto& entry : fs::directory_iterator(folder / "synthetic")) run_dirs.push_back(entry.path());
    std::sort(run_dirs.begin(), run_dirs.end());
  }
  fs::path runs, folder;
  std::vector<fs::path> run_dirs;
};

const Sweep& sweep() {
  static const Sweep made;
  return made;
}

// The JSON the page reads (the #exp-data element), parsed.
boost::property_tree::ptree page_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"exp-data\">";
  const auto start = html.find(open);
  BOOST_TEST_REQUIRE(start != std::string::npos);
  const auto end = html.find("</script>", start);
  std::istringstream json(html.substr(start + open.size(), end - start - open.size()));
  boost::property_tree::ptree data;
  boost::property_tree::read_json(json, data);
  return data;
}

#ifdef EXP_BROWSER_TEST
xp::test::CommandResult in_browser(const std::string& mode, const fs::path& report,
                                   const std::string& more) {
  return xp::test::run_command(std::string("'") + EXP_NODE + "' '" + EXP_BROWSER_TEST + "' '" +
                               EXP_PUPPETEER_DIR + "' '" + EXP_CHROMIUM + "' " + mode + " '" +
                               report.string() + "' " + more + " 2>&1");
}
#endif

std::string quoted_dirs(const std::vector<fs::path>& dirs) {
  std::string text;
  for (const auto& dir : dirs) text += " '" + dir.string() + "'";
  return text;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_sweep_report_is_one_self_contained_file_with_the_runs_numbers) {
  const fs::path report = sweep().runs / "report.html";
  const auto written = run_exp("report '" + sweep().folder.string() + "' -o '" + report.string() +
                               "' --title 'lr & hidden'");
  BOOST_TEST_REQUIRE(written.status == 0, written.output);
  BOOST_TEST(written.output.find("report of 4 runs: ") != std::string::npos, written.output);
  const std::string html = read_file(report);
  // Everything inline: no script or style is loaded from anywhere, uPlot's licence kept.
  BOOST_TEST(!std::regex_search(html, std::regex(R"(<script[^>]*\bsrc=|<link\b|@import|<iframe)")));
  BOOST_TEST(html.find("Copyright (c) 2022 Leon Sorokin") != std::string::npos);
  BOOST_TEST(html.find("<title>lr &amp; hidden</title>") != std::string::npos);
  BOOST_TEST(html.find("@EXP_") == std::string::npos);

  const auto data = page_data(html);
  std::vector<std::string> keys;
  for (const auto& key : data.get_child("keys")) keys.push_back(key.second.data());
  BOOST_TEST((keys == std::vector<std::string>{"model.hidden", "optimizer.lr"}));
  const auto& runs = data.get_child("runs");
  BOOST_TEST_REQUIRE(runs.size() == 4u);
  for (const auto& [unused, run] : runs) {
    const fs::path dir = run.get<std::string>("dir");
    boost::property_tree::ptree summary;
    boost::property_tree::read_json((dir / "summary.json").string(), summary);
    BOOST_TEST(run.get<std::string>("status") == "completed");
    // The curves are the files' own digits: the last loss is summary.json's final_loss.
    std::string last_loss;
    for (const auto& value : run.get_child("metrics.loss")) last_loss = value.second.data();
    BOOST_TEST(run.get_child("metrics.loss").size() == 200u);
    // Steps 1, 2, 3, ... are left for the page to count: no column of 200 numbers.
    BOOST_TEST(run.get<std::string>("metrics.step") == "null");
    BOOST_TEST(std::stod(last_loss) == summary.get<double>("final_loss"));
    BOOST_TEST(run.get_child("epochs.test_accuracy").size() == 11u);
    BOOST_TEST(std::regex_match(run.get<std::string>("label"),
                                std::regex(R"(model\.hidden=\[.*\] optimizer\.lr=.*)")));
    BOOST_TEST(run.get<std::string>("config_text").find("experiment: synthetic") != std::string::npos);
  }
#ifdef EXP_BROWSER_TEST
  const auto browsed = in_browser("sweep", report, quoted_dirs(sweep().run_dirs));
  BOOST_TEST(browsed.status == 0, browsed.output);
#endif
}

BOOST_AUTO_TEST_CASE(a_single_run_report_shows_its_summary_and_pictures) {
  const fs::path run = sweep().run_dirs[0];
  const fs::path report = sweep().runs / "single.html";
  const auto written = run_exp("report '" + run.string() + "' -o '" + report.string() + "'");
  BOOST_TEST_REQUIRE(written.status == 0, written.output);
  const auto data = page_data(read_file(report));
  BOOST_TEST(data.get_child("runs").size() == 1u);
  BOOST_TEST(data.get_child("runs").front().second.get_child("pictures").size() == 2u);
  // A run's text cannot end the page's data element early.
  BOOST_TEST(read_file(report).find("\\u003c/svg>") != std::string::npos);
  BOOST_TEST(read_file(report).find("</svg>") == std::string::npos);
#ifdef EXP_BROWSER_TEST
  const auto browsed = in_browser("single", report, "'" + run.string() + "'");
  BOOST_TEST(browsed.status == 0, browsed.output);
#endif
}

BOOST_AUTO_TEST_CASE(a_run_still_being_written_and_one_without_files_are_reported,
                     *boost::unit_test::label("fault_killed")) {
  // A run cut off mid-row and a folder with config.yaml alone (died before its first
  // summary) are listed with what they have.
  const fs::path copy = sweep().runs / "partial" / "synthetic" / "20260101T000000Z-aaaaaa";
  fs::create_directories(copy.parent_path());
  fs::copy(sweep().run_dirs[1], copy);
  std::string metrics = read_file(copy / "metrics.csv");
  metrics.resize(metrics.size() - 10);
  std::ofstream(copy / "metrics.csv", std::ios::trunc) << metrics;
  // Numbers another tool wrote (".5", "+1", nan, CRLF) and text that would end or
  // comment out the page's data element.
  std::ofstream(copy / "epochs.csv", std::ios::trunc)
      << "epoch,step,train_loss,train_accuracy,test_accuracy\r\n0,0,.5,+1,nan\r\n1,9,1e400,0.5,1\r\n";
  std::ofstream(copy / "command.txt", std::ios::trunc) << "exp run <!--<script> </script>\n";
  const fs::path bare = copy.parent_path() / "20260101T000001Z-bbbbbb";
  fs::create_directories(bare);
  fs::copy(sweep().run_dirs[1] / "config.yaml", bare / "config.yaml");
  const fs::path report = sweep().runs / "partial.html";
  const auto written = run_exp("report '" + (sweep().runs / "partial").string() + "' -o '" +
                               report.string() + "'");
  BOOST_TEST_REQUIRE(written.status == 0, written.output);
  const std::string html = read_file(report);
  BOOST_TEST(html.find("<!--<script>") == std::string::npos);
  const auto data = page_data(html);
  BOOST_TEST(data.get_child("runs").size() == 2u);
  const auto& epochs = data.get_child("runs").front().second.get_child("epochs");
  std::string row;
  for (const auto& column : {"train_loss", "train_accuracy", "test_accuracy"})
    for (const auto& value : epochs.get_child(column)) row += value.second.data() + " ";
  BOOST_TEST(row == "0.5 null 1.0 0.5 null 1 ");
  BOOST_TEST(data.get_child("runs").back().second.get<std::string>("status") == "unknown");
}

BOOST_AUTO_TEST_CASE(bad_arguments_are_refused_naming_what_is_wrong,
                     *boost::unit_test::label("fault_config")) {
  const std::pair<std::string, std::string> cases[] = {
      {"report --runs-dir '" + xp::test::fresh_directory("exp-report-empty").string() + "'",
       "no run directories under it"},
      {"report /nonexistent/runs", "/nonexistent/runs: no such folder"},
      {"report '" + sweep().folder.string() + "' -o '" + sweep().runs.string() + "'",
       ": is a folder; expected the HTML file to write"},
      {"report '" + sweep().folder.string() + "' -o ''", "-o '': expected a file name"},
  };
  for (const auto& [arguments, message] : cases) {
    const auto refused = run_exp(arguments);
    BOOST_TEST(refused.status == 2, arguments << ": " << refused.output);
    BOOST_TEST(refused.output.find(message) != std::string::npos, arguments << ": " << refused.output);
  }
}

BOOST_AUTO_TEST_CASE(run_report_keeps_a_report_current_while_the_run_goes) {
  const auto runs = xp::test::fresh_directory("exp-live-report");
  // Naive differences make the run last a few seconds; a copy of report.html taken
  // while it runs shows it running, the one left at the end completed.
  const fs::path script = runs / "watch.sh";
  std::ofstream(script) << "cd '" << EXP_TEST_SOURCE_DIR << "'\n'" << EXP_TEST_BINARY
                        << "' run configs/synthetic.yaml gradient.strategy=naive "
                           "train.iterations=3000 'model.hidden=[30]' --report --quiet "
                           "--runs-dir '" << runs.string() << "' > '" << (runs / "out.txt").string()
                        << "' 2>&1 &\nrun=$!\nfor i in $(seq 600); do\n  [ -f '"
                        << (runs / "report.html").string() << "' ] && break\n  sleep 0.05\ndone\n"
                        << "cp '" << (runs / "report.html").string() << "' '"
                        << (runs / "during.html").string() << "'\nwait $run\necho exit=$?\n";
  const auto watched = xp::test::run_command("bash '" + script.string() + "'");
  BOOST_TEST_REQUIRE(watched.output.find("exit=0") != std::string::npos,
                     watched.output << read_file(runs / "out.txt"));
  const auto during = page_data(read_file(runs / "during.html"));
  BOOST_TEST(during.get_child("runs").front().second.get<std::string>("status") == "running");
  const auto after = page_data(read_file(runs / "report.html"));
  BOOST_TEST(after.get_child("runs").front().second.get<std::string>("status") == "completed");
  BOOST_TEST(after.get_child("runs").front().second.get_child("metrics.loss").size() == 3000u);

  const auto swept = run_exp("sweep configs/synthetic.yaml optimizer.lr=1,0.1 train.iterations=50 "
                             "--report --runs-dir '" + runs.string() + "'");
  BOOST_TEST_REQUIRE(swept.status == 0, swept.output);
  const auto sweep_report = page_data(read_file(only_sweep_folder(runs) / "report.html"));
  BOOST_TEST(sweep_report.get_child("runs").size() == 2u);
  const auto refused = run_exp("sweep configs/synthetic.yaml optimizer.lr=1,0.1 --report "
                               "--launcher slurm --dry-run --runs-dir '" + runs.string() + "'");
  BOOST_TEST(refused.status == 2, refused.output);
}

// Every command that reads runs takes --runs-dir, and EXP_RUNS_DIR sets its default.
BOOST_AUTO_TEST_CASE(readers_take_the_runs_folder_from_runs_dir_or_exp_runs_dir) {
  const std::string folder = sweep().folder.string();
  const auto listed = run_exp("ls --runs-dir '" + folder + "'");
  BOOST_TEST(listed.status == 0, listed.output);
  BOOST_TEST(std::count(listed.output.begin(), listed.output.end(), '\n') == 5, listed.output);
  const auto compared = xp::test::run_command("cd '" + std::string(EXP_TEST_SOURCE_DIR) +
                                              "' && EXP_RUNS_DIR='" + folder + "' '" +
                                              EXP_TEST_BINARY + "' compare --csv");
  BOOST_TEST(compared.status == 0, compared.output);
  BOOST_TEST(std::count(compared.output.begin(), compared.output.end(), '\n') == 5, compared.output);
  const fs::path report = sweep().runs / "from-env.html";
  const auto reported = xp::test::run_command("EXP_RUNS_DIR='" + folder + "' '" + EXP_TEST_BINARY +
                                              "' report -o '" + report.string() + "'");
  BOOST_TEST(reported.status == 0, reported.output);
  BOOST_TEST(page_data(read_file(report)).get_child("runs").size() == 4u);
  const fs::path plotted = sweep().runs / "plot.svg";
  const auto plot = run_exp("plot --runs-dir '" + folder + "' -o '" + plotted.string() + "'");
  BOOST_TEST(plot.status == 0, plot.output);
  BOOST_TEST(fs::is_regular_file(plotted));
}
