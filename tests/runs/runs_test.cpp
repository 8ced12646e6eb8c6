// exp compare and exp ls on real short runs: the numbers shown are summary.json's,
// the orders are the documented ones, and broken run directories are listed honestly.
#define BOOST_TEST_MODULE exp compare and ls
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace fs = std::filesystem;
namespace pt = boost::property_tree;
using xp::test::run_exp;

namespace {

const std::string kSynthetic = "configs/synthetic.yaml train.iterations=60";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// RFC 4180 records: quoted fields may hold commas and doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> records;
  for (const auto& line : lines_of(text)) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == ',' && !quoted) {
        fields.emplace_back();
      } else {
        fields.back() += c;
      }
    }
    records.push_back(fields);
  }
  return records;
}

pt::ptree summary_of(const fs::path& run) {
  pt::ptree summary;
  pt::read_json((run / "summary.json").string(), summary);
  return summary;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto found = std::find(header.begin(), header.end(), name);
  BOOST_TEST_REQUIRE((found != header.end()), "no column " << name);
  return std::size_t(found - header.begin());
}

// Three runs of one experiment that end differently (the learning rate decides).
struct ThreeRuns {
  fs::path root = xp::test::fresh_directory("exp-runs");
  std::vector<fs::path> dirs;  // in the order they ran
  ThreeRuns() {
    for (const char* lr : {"1.0", "0.1", "0.01"}) {
      const auto run = xp::test::run_experiment(root, kSynthetic + " optimizer.lr=" + lr);
      BOOST_TEST_REQUIRE(run.status == 0, run.output);
      dirs.push_back(run.dir);
    }
  }
  // "<experiment>/<run id>", as compare names runs.
  std::map<std::string, fs::path> by_name() const {
    std::map<std::string, fs::path> names;
    for (const auto& dir : dirs)
      names[(dir.parent_path().filename() / dir.filename()).string()] = dir;
    return names;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(compare_of_a_parent_folder_shows_one_row_per_run_with_the_differing_keys) {
  const ThreeRuns runs;
  // runs/ holds runs/synthetic/<id>/: the folder two levels above the runs.
  const auto compared = run_exp("compare '" + runs.root.string() + "'");
  BOOST_TEST_REQUIRE(compared.status == 0, compared.output);
  const auto lines = lines_of(compared.output);
  BOOST_TEST_REQUIRE(lines.size() == 4u, compared.output);
  BOOST_TEST(
      std::regex_search(lines[0], std::regex(R"(^run +optimizer\.lr +status +steps +loss)")));
  BOOST_TEST(lines[0].find("train.seed") == std::string::npos);
  BOOST_TEST(lines[0].find("dataset") == std::string::npos);
  for (std::size_t r = 1; r < lines.size(); ++r)
    BOOST_TEST(lines[r].find("completed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sort_by_test_accuracy_as_csv_gives_summary_values_best_first) {
  const ThreeRuns runs;
  const auto names = runs.by_name();
  const auto csv = run_exp("compare --csv --sort test_acc '" + runs.root.string() + "'");
  BOOST_TEST_REQUIRE(csv.status == 0, csv.output);
  const auto records = parse_csv(csv.output);
  BOOST_TEST_REQUIRE(records.size() == 4u, csv.output);
  const auto& header = records[0];
  for (const auto& record : records) BOOST_TEST(record.size() == header.size());
  const auto run = column(header, "run"), lr = column(header, "optimizer.lr"),
             test_acc = column(header, "test_acc"), loss = column(header, "loss"),
             best = column(header, "best_test_acc"), steps = column(header, "steps");
  double previous = 2.0;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    BOOST_TEST_REQUIRE(names.count(record[run]) == 1u, record[run]);
    const auto summary = summary_of(names.at(record[run]));
    BOOST_TEST(record[test_acc] == summary.get<std::string>("final_test_accuracy"));
    BOOST_TEST(record[best] == summary.get<std::string>("best_test_accuracy"));
    BOOST_TEST(record[loss] == summary.get<std::string>("final_loss"));
    BOOST_TEST(record[steps] == "60");
    BOOST_TEST(!record[lr].empty());
    const double accuracy = std::stod(record[test_acc]);
    BOOST_TEST(accuracy <= previous);  // descending: the best run first
    previous = accuracy;
  }
  // Loss sorts the other way: lowest first.
  const auto by_loss =
      parse_csv(run_exp("compare --csv --sort loss '" + runs.root.string() + "'").output);
  BOOST_TEST_REQUIRE(by_loss.size() == 4u);
  for (std::size_t r = 2; r < by_loss.size(); ++r)
    BOOST_TEST(std::stod(by_loss[r - 1][loss]) <= std::stod(by_loss[r][loss]));
}

BOOST_AUTO_TEST_CASE(markdown_has_the_header_separator_and_a_row_per_run) {
  const ThreeRuns runs;
  const auto md =
      run_exp("compare --md '" + runs.dirs[0].string() + "' '" + runs.dirs[2].string() + "'");
  BOOST_TEST_REQUIRE(md.status == 0, md.output);
  const auto lines = lines_of(md.output);
  BOOST_TEST_REQUIRE(lines.size() == 4u, md.output);
  BOOST_TEST(std::regex_match(lines[0], std::regex(R"(\| run \| optimizer\.lr \| status \|.*\|)")));
  BOOST_TEST(std::regex_match(lines[1], std::regex(R"(\|( -{3,}:? \|)+)")));
  const auto cells = std::count(lines[0].begin(), lines[0].end(), '|');
  for (const auto& line : lines) BOOST_TEST(std::count(line.begin(), line.end(), '|') == cells);
}

BOOST_AUTO_TEST_CASE(compare_refuses_unknown_sort_keys_and_lone_runs,
                     *boost::unit_test::label("fault_config")) {
  const ThreeRuns runs;
  const auto bogus = run_exp("compare --sort accuracy '" + runs.root.string() + "'");
  BOOST_TEST(bogus.status == 2);
  BOOST_TEST(bogus.output.find("--sort accuracy") != std::string::npos);
  BOOST_TEST(run_exp("compare '" + runs.dirs[0].string() + "'").status == 2);
  BOOST_TEST(run_exp("compare --csv --md '" + runs.root.string() + "'").status == 2);
  const auto empty = xp::test::fresh_directory("exp-runs");
  BOOST_TEST(run_exp("compare '" + empty.string() + "'").status == 2);
}

BOOST_AUTO_TEST_CASE(ls_lists_newest_first_and_broken_runs_honestly,
                     *boost::unit_test::label("fault_killed")) {
  const ThreeRuns runs;
  // A run that died before writing summary.json, one whose summary.json is cut short,
  // named so that they sort newest and oldest.
  const fs::path unknown = runs.root / "synthetic" / "20990101T000000Z-aaaaaa";
  const fs::path unreadable = runs.root / "synthetic" / "19990101T000000Z-bbbbbb";
  fs::create_directories(unknown);
  fs::create_directories(unreadable);
  fs::copy_file(runs.dirs[0] / "config.yaml", unknown / "config.yaml");
  fs::copy_file(runs.dirs[0] / "config.yaml", unreadable / "config.yaml");
  std::ofstream(unreadable / "summary.json") << "{\"status\": \"comp";
  // A run killed outright: summary.json still says running, its run.lock is free.
  const fs::path killed = runs.root / "synthetic" / "20500101T000000Z-cccccc";
  fs::create_directories(killed);
  fs::copy_file(runs.dirs[0] / "config.yaml", killed / "config.yaml");
  std::ofstream(killed / "summary.json") << R"({"status": "running", "experiment": "synthetic"})";
  std::ofstream(killed / "run.lock") << "";

  const auto listed = run_exp("ls '" + runs.root.string() + "'");
  BOOST_TEST_REQUIRE(listed.status == 0, listed.output);
  const auto lines = lines_of(listed.output);
  BOOST_TEST_REQUIRE(lines.size() == 7u, listed.output);
  BOOST_TEST(std::regex_search(lines[0], std::regex(R"(^started +status +experiment +steps)")));
  const std::vector<fs::path> newest_first = {unknown,      killed,       runs.dirs[2],
                                              runs.dirs[1], runs.dirs[0], unreadable};
  for (std::size_t r = 0; r < newest_first.size(); ++r) {
    const auto& line = lines[r + 1];
    BOOST_TEST(line.find(newest_first[r].filename().string()) != std::string::npos, line);
  }
  BOOST_TEST(std::regex_search(lines[1], std::regex(R"(2099-01-01 00:00:00 +unknown +synthetic)")));
  BOOST_TEST(std::regex_search(lines[2], std::regex(R"(2050-01-01 00:00:00 +crashed +synthetic)")));
  BOOST_TEST(std::regex_search(lines[6], std::regex(R"(1999-01-01 00:00:00 +unreadable)")));
  for (std::size_t r = 3; r <= 5; ++r) {
    BOOST_TEST(
        std::regex_search(lines[r], std::regex(R"( completed +synthetic +60/60 +[01]\.\d{4} )")),
        lines[r]);
  }
  const auto accuracy = summary_of(runs.dirs[2]).get<double>("final_test_accuracy");
  char shown[32];
  std::snprintf(shown, sizeof shown, " %.4f ", accuracy);
  BOOST_TEST(lines[3].find(shown) != std::string::npos, lines[3]);

  // compare reads the same broken runs without failing.
  const auto compared = run_exp("compare '" + runs.root.string() + "'");
  BOOST_TEST(compared.status == 0, compared.output);
  BOOST_TEST(compared.output.find("unreadable") != std::string::npos);
  BOOST_TEST(compared.output.find("unknown") != std::string::npos);
  BOOST_TEST(compared.output.find("crashed") != std::string::npos);

  const auto missing = run_exp("ls '" + (runs.root / "nothing").string() + "'");
  BOOST_TEST(missing.status == 2);
  BOOST_TEST(missing.output.find("no such folder") != std::string::npos);
}
