#include "report_page.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include "exp/json_writer.hpp"
#include "exp/number_format.hpp"
#include "exp/run_summary.hpp"
#include "report_assets.hpp"

namespace xp::cli {
namespace fs = std::filesystem;

namespace {

std::string file_text(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Whether text is spelled as JSON spells a number: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?
bool is_json_number(const std::string& text) {
  std::size_t i = 0;
  const auto digits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  const std::size_t first = i;
  const std::size_t whole = digits();
  if (whole == 0 || (whole > 1 && text[first] == '0')) return false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

// A CSV cell as a JSON number: the file's own digits where they already are one (exp
// writes them so), the value rewritten where JSON spells it otherwise ("+1", ".5"),
// null for what JSON lacks (nan, inf) or what is not a number.
std::string json_number(std::string cell) {
  if (!cell.empty() && cell.back() == '\r') cell.pop_back();
  const auto value = parse_number(cell);
  if (!value || !std::isfinite(*value)) return "null";  // 1e400 too: JavaScript's Infinity
  return is_json_number(cell) ? cell : repr(*value);
}

// Seconds to the microsecond are plenty for a time axis, and half the bytes.
std::string json_seconds(std::string cell) {
  if (!cell.empty() && cell.back() == '\r') cell.pop_back();
  const auto value = parse_number(cell);
  if (!value || !std::isfinite(*value)) return "null";
  char text[48];
  std::snprintf(text, sizeof text, "%.6f", *value);
  return text;
}

// Whether a column of JSON numbers reads 1,2,3,... (metrics.csv's steps taken): the
// page counts those itself.
bool counts_from_one(const std::string& column) {
  std::size_t expected = 1;
  std::stringstream cells(column);
  for (std::string cell; std::getline(cells, cell, ','); ++expected) {
    if (cell != std::to_string(expected)) return false;
  }
  return true;
}

// {"step": [0, 1, ...], "loss": [...], ...}: a CSV file by columns, compactly (a
// report of 100 runs of 10,000 steps holds millions of numbers). Columns named in
// `left_out` are left out; with implicit_steps, a `step` column that counts 1, 2,
// 3, ... is null (the page counts them itself).
std::string csv_columns(const fs::path& file, const std::set<std::string>& left_out = {},
                        bool implicit_steps = false) {
  std::ifstream stream(file);
  std::string line;
  if (!std::getline(stream, line)) return "null";
  std::vector<std::string> names;
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ',');) names.push_back(name);
  if (!names.empty() && !names.back().empty() && names.back().back() == '\r') names.back().pop_back();
  std::vector<std::string> columns(names.size());
  while (std::getline(stream, line)) {
    std::stringstream cells(line);
    std::size_t c = 0;
    for (std::string cell; c < names.size() && std::getline(cells, cell, ','); ++c) {
      if (!columns[c].empty()) columns[c] += ',';
      columns[c] += names[c] == "seconds" ? json_seconds(cell) : json_number(cell);
    }
    // A row cut short (a run being written) fills the rest with null.
    for (; c < names.size(); ++c) columns[c] += columns[c].empty() ? "null" : ",null";
  }
  std::string json = "{";
  for (std::size_t c = 0; c < names.size(); ++c) {
    if (left_out.count(names[c])) continue;
    json += (json.size() > 1 ? "," : "") + JsonWriter::quoted(names[c]) + ":";
    const bool implicit = implicit_steps && names[c] == "step" && counts_from_one(columns[c]);
    json += implicit ? "null" : "[" + columns[c] + "]";
  }
  return json + "}";
}

std::string string_map(const std::map<std::string, std::string>& values) {
  std::string json = "{";
  for (const auto& [key, value] : values)
    json += (json.size() > 1 ? "," : "") + JsonWriter::quoted(key) + ":" + JsonWriter::quoted(value);
  return json + "}";
}

std::string string_list(const std::vector<std::string>& values) {
  std::string json = "[";
  for (const auto& value : values) json += (json.size() > 1 ? "," : "") + JsonWriter::quoted(value);
  return json + "]";
}

std::string run_json(const RunRecord& run, const std::string& label, bool with_pictures) {
  const fs::path dir = fs::absolute(run.dir).lexically_normal();
  std::map<std::string, std::string> pictures;
  if (with_pictures) {
    for (const char* picture : {"loss.svg", "accuracy.svg"}) {
      if (fs::is_regular_file(dir / picture)) pictures[picture] = file_text(dir / picture);
    }
  }
  std::string json = "{";
  json += "\"name\":" + JsonWriter::quoted(run.name);
  json += ",\"dir\":" + JsonWriter::quoted(dir.string());
  json += ",\"label\":" + JsonWriter::quoted(label);
  json += ",\"status\":" + JsonWriter::quoted(run.status());
  json += ",\"started\":" + JsonWriter::quoted(run.started());
  json += ",\"config\":" + string_map(run.config);
  json += ",\"config_text\":" + JsonWriter::quoted(file_text(dir / "config.yaml"));
  json += ",\"command\":" + JsonWriter::quoted(file_text(dir / "command.txt"));
  json += ",\"summary_text\":" + JsonWriter::quoted(file_text(dir / "summary.json"));
  // metrics.csv's epoch column is left out: the page places steps between epochs.
  json += ",\"metrics\":" + csv_columns(dir / "metrics.csv", {"epoch"}, true);
  json += ",\"epochs\":" + csv_columns(dir / "epochs.csv");
  json += ",\"pictures\":" + string_map(pictures);
  return json + "}";
}

// The data the page reads, as JSON that is safe inside a <script> element: every '<'
// (only ever inside a string) is written \u003c, so that no text of a run can end the
// element or open a comment in it.
std::string report_data(const std::vector<RunRecord>& runs, const std::string& title) {
  const auto keys = runs.size() > 1 ? result_keys(differing_keys(runs)) : std::vector<std::string>{};
  const auto labels = run_labels(runs, keys);
  std::string json = "{\"title\":" + JsonWriter::quoted(title);
  json += ",\"generated\":" + JsonWriter::quoted(utc_now());
  json += ",\"keys\":" + string_list(keys);
  json += ",\"runs\":[";
  for (std::size_t r = 0; r < runs.size(); ++r)
    json += (r ? "," : "") + run_json(runs[r], labels[r], runs.size() == 1);
  json += "]}";
  std::string safe;
  safe.reserve(json.size());
  for (const char c : json) {
    if (c == '<') {
      safe += "\\u003c";
    } else {
      safe += c;
    }
  }
  return safe;
}

std::string html_escaped(const std::string& text) {
  std::string escaped;
  for (const char c : text) {
    switch (c) {
      case '&': escaped += "&amp;"; break;
      case '<': escaped += "&lt;"; break;
      case '>': escaped += "&gt;"; break;
      case '"': escaped += "&quot;"; break;
      default: escaped += c;
    }
  }
  return escaped;
}

// The template with each @EXP_NAME@ marker replaced by its content, in one pass over
// the template: what is put in is never searched for markers.
std::string expand(std::string_view page, const std::map<std::string, std::string>& contents) {
  std::string out;
  std::size_t at = 0;
  for (auto marker = page.find("@EXP_"); marker != std::string_view::npos;
       marker = page.find("@EXP_", at)) {
    const auto end = page.find('@', marker + 1);
    if (end == std::string_view::npos) break;
    const auto found = contents.find(std::string(page.substr(marker, end + 1 - marker)));
    out.append(page.substr(at, marker - at));
    if (found != contents.end()) {
      out += found->second;
      at = end + 1;
    } else {
      out += '@';
      at = marker + 1;
    }
  }
  out.append(page.substr(at));
  return out;
}

}  // namespace

std::string report_page(const std::vector<RunRecord>& runs, const ReportOptions& options) {
  const std::string title = !options.title.empty() ? options.title
                            : runs.size() == 1      ? "exp report: " + runs[0].name
                                                    : "exp report: " + std::to_string(runs.size()) + " runs";
  return expand(report_assets::page_template,
                {{"@EXP_TITLE@", html_escaped(title)},
                 {"@EXP_UPLOT_LICENSE@", std::string(report_assets::uplot_license)},
                 {"@EXP_STYLE@", std::string(report_assets::uplot_css) + "\n" +
                                     std::string(report_assets::page_css)},
                 {"@EXP_SCRIPT@", std::string(report_assets::uplot_js) + "\n" +
                                      std::string(report_assets::page_js)},
                 {"@EXP_DATA@", report_data(runs, title)}});
}

}  // namespace xp::cli
